"""Exercise 9: guided backpropagation on a pretrained ResNet-50.

Fill in the parts marked ``# TODO``. Run ``python guided_backprop.py`` to draw the saliency of
class 243 for ``exercise_image.png`` (needs the pretrained weights: torchvision downloads them
once, to ~/.cache/torch).
"""
import os

import torch
import torch.nn as nn
import torchvision.transforms as T
from PIL import Image
from torchvision.models import ResNet50_Weights, resnet50

from helper_guided import IMAGENET_MEAN, IMAGENET_STD, GuidedReLU, plot_saliency


def load_model() -> nn.Module:
    """torchvision's ResNet-50 with the ImageNet weights IMAGENET1K_V1, in eval mode."""
    # TODO: build torchvision's resnet50 with weights=ResNet50_Weights.IMAGENET1K_V1 and put it in eval mode.
    # BEGIN SOLUTION
    model = resnet50(weights=ResNet50_Weights.IMAGENET1K_V1)
    return model.eval()
    # END SOLUTION


def preprocess_image(path) -> torch.Tensor:
    """The image at ``path`` as the network saw its training data: [1, 3, 224, 224].

    RGB; the shorter side resized to 256 (keeping the aspect ratio), the central 224 x 224 crop,
    values scaled to [0, 1] and normalised with the ImageNet mean and standard deviation.
    """
    # TODO: open the image as RGB; resize so that the shorter side is 256 (T.Resize with one
    # number keeps the aspect ratio); centre-crop 224 x 224; T.ToTensor(); T.Normalize with
    # IMAGENET_MEAN and IMAGENET_STD; add the batch dimension.
    # BEGIN SOLUTION
    transform = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])
    return transform(Image.open(path).convert("RGB")).unsqueeze(0)
    # END SOLUTION


def replace_relus(module: nn.Module) -> nn.Module:
    """Replace every nn.ReLU inside ``module``, at any depth, by a GuidedReLU; return ``module``."""
    # TODO: go through module.named_children(); replace each nn.ReLU by GuidedReLU() with
    # setattr(module, name, ...), and call replace_relus on every other child (recursion).
    # BEGIN SOLUTION
    for name, child in module.named_children():
        if isinstance(child, nn.ReLU):
            setattr(module, name, GuidedReLU())
        else:
            replace_relus(child)
    return module
    # END SOLUTION


def guided_backprop(model: nn.Module, x: torch.Tensor, target_class: int = 243) -> torch.Tensor:
    """The gradient of the raw score (logit) of ``target_class`` with respect to the input.

    ``model`` is used as given (with guided ReLUs, this is guided backpropagation); ``x`` is
    not modified. Returns a tensor of the shape of ``x``.
    """
    # TODO: make a fresh leaf copy of x that requires gradients (do not touch the caller's x);
    # zero the model's gradients; forward; backpropagate the score of target_class (the logit:
    # no softmax); return the gradient with respect to the input.
    # BEGIN SOLUTION
    x = x.detach().clone().requires_grad_(True)
    model.zero_grad()
    scores = model(x)
    scores[:, target_class].sum().backward()
    return x.grad.detach()
    # END SOLUTION


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    target = 243
    print(f"class {target}: {ResNet50_Weights.IMAGENET1K_V1.meta['categories'][target]}")
    model = replace_relus(load_model())
    x = preprocess_image(os.path.join(here, "exercise_image.png"))
    gradient = guided_backprop(model, x, target)
    plot_saliency(x, gradient, title=f"guided backprop, class {target}", save_path="guided_backprop.png")
    print("saved guided_backprop.png")
