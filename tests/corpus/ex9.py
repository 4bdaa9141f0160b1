"""Exercise 9 (guided_backprop.py): typical mistakes and correct alternatives."""
F = "guided_backprop.py"
RECURSION = ("        else:\n            replace_relus(child)\n", "")

BUGS = {
    "only top-level ReLUs replaced": (F, [RECURSION], {'hint.recurse-into-the-children-s-children'}),
    "softmax probability backpropagated": (F, [("    scores = model(x)\n", "    scores = torch.softmax(model(x), dim=1)\n")], {'guided_gradients.softmax_probability'}),
    "argmax class instead of target_class": (F, [("scores[:, target_class].sum().backward()",
                                                  "scores[:, scores.argmax(dim=1)].sum().backward()")], {'guided_gradients.argmax_class'}),
    "no ImageNet normalisation": (F, [(", T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])", "])")], {'hint.the-values-are-in-normalise-with-the-imagenet-mean-and-std'}),
    "squashing resize": (F, [("T.Resize(256), T.CenterCrop(224)", "T.Resize((224, 224))")], {'preprocess.squashed'}),
    "bicubic resize": (F, [("T.Resize(256)", "T.Resize(256, interpolation=T.InterpolationMode.BICUBIC)")], {'preprocess.bicubic'}),
    "caller's input modified": (F, [("    x = x.detach().clone().requires_grad_(True)\n", "    x.requires_grad_(True)\n")], {'hint.backpropagate-into-a-copy-x-detach-clone-requires-grad-true', 'hint.the-gradient-accumulated-in-the-caller-s-x-grad-over-two-calls-backpropagate-int'}),
    "model left in training mode": (F, [("    return model.eval()", "    return model")], {'hint.call-eval-so-that-batch-norm-uses-its-running-statistics'}),
    "model.train() to get gradients": (F, [("    model.zero_grad()\n    scores = model(x)", "    model.train()\n    model.zero_grad()\n    scores = model(x)")], {'guided_gradients.training_mode'}),
    "weights forgotten": (F, [("resnet50(weights=ResNet50_Weights.IMAGENET1K_V1)", "resnet50()")], {'hint.use-torchvision-models-resnet-weights'}),
    "replace_relus returns nothing": (F, [("            replace_relus(child)\n    return module", "            replace_relus(child)")], {'hint.change-the-module-in-place-and-return-that-same-module'}),
    "ReLUs replaced by nn.Identity": (F, [("setattr(module, name, GuidedReLU())", "setattr(module, name, nn.Identity())")], set()),
    "the V2 weights": (F, [("resnet50(weights=ResNet50_Weights.IMAGENET1K_V1)", "resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)")], set()),
    # realistic mistakes of a student writing the functions from the handout
    "shorter side resized to 224": (F, [("T.Resize(256), T.CenterCrop(224)", "T.Resize(224), T.CenterCrop(224)")], {'preprocess.shorter_side_224'}),
    "squashed to 256 x 256 before the crop": (F, [("T.Resize(256), T.CenterCrop(224)", "T.Resize((256, 256)), T.CenterCrop(224)")], {'preprocess.squashed_to_256'}),
    "crop without a resize": (F, [("T.Resize(256), T.CenterCrop(224)", "T.CenterCrop(224)")], {'preprocess.crop_without_resize'}),
    "mean and std swapped": (F, [("T.Normalize(IMAGENET_MEAN, IMAGENET_STD)", "T.Normalize(IMAGENET_STD, IMAGENET_MEAN)")], {'preprocess.mean_and_std_swapped'}),
    "normalised in 0..255": (F, [("T.ToTensor(), T.Normalize", "T.PILToTensor(), T.Lambda(lambda t: t.float()), T.Normalize")], {'preprocess.normalised_without_scaling'}),
    "BGR channel order": (F, [("T.ToTensor(), T.Normalize", "T.ToTensor(), T.Lambda(lambda t: t.flip(0)), T.Normalize")], {'preprocess.bgr_order'}),
    "log-probability backpropagated": (F, [("    scores = model(x)\n", "    scores = torch.log_softmax(model(x), dim=1)\n")], {'guided_gradients.log_probability'}),
    "cross-entropy loss backpropagated": (F, [("scores[:, target_class].sum().backward()",
                                               "nn.functional.cross_entropy(scores, torch.tensor([target_class])).backward()")], {'guided_gradients.cross_entropy_loss'}),
    "all the scores backpropagated": (F, [("scores[:, target_class].sum().backward()", "scores.sum().backward()")], {'guided_gradients.all_scores'}),
}

VARIANTS = {
    "named_modules traversal": (F, [(
        "    for name, child in module.named_children():\n"
        "        if isinstance(child, nn.ReLU):\n"
        "            setattr(module, name, GuidedReLU())\n"
        "        else:\n"
        "            replace_relus(child)\n",
        "    for parent in list(module.modules()):\n"
        "        for name, child in parent.named_children():\n"
        "            if isinstance(child, nn.ReLU):\n"
        "                setattr(parent, name, GuidedReLU())\n")]),
    "the weights' own transforms()": (F, [(
        "    transform = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])\n"
        '    return transform(Image.open(path).convert("RGB")).unsqueeze(0)',
        "    transform = ResNet50_Weights.IMAGENET1K_V1.transforms()\n"
        '    return transform(T.functional.pil_to_tensor(Image.open(path).convert("RGB"))).unsqueeze(0)')]),
    "one-hot gradient through torch.autograd.grad": (F, [(
        "    model.zero_grad()\n    scores = model(x)\n    scores[:, target_class].sum().backward()\n    return x.grad.detach()",
        "    scores = model(x)\n    one_hot = torch.zeros_like(scores)\n    one_hot[:, target_class] = 1.0\n"
        "    (grad,) = torch.autograd.grad(scores, x, grad_outputs=one_hot)\n    return grad")]),
    "weights named by a string": (F, [("resnet50(weights=ResNet50_Weights.IMAGENET1K_V1)",
                                       'resnet50(weights="IMAGENET1K_V1")')]),
}
