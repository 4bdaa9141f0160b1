"""Exercise 7 (iter_maxpool.py): typical mistakes and correct alternatives."""
F = "iter_maxpool.py"

BUGS = {
    "max pooling without padding": (F, [("x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)",
                                         "x = F.max_pool2d(x, kernel_size=k, stride=1)")], {'error.output-too-small', 'hint.the-output-shrank-looks-like-padding-was-not-applied', 'relation.border'}),
    "one iteration too many": (F, [("    for _ in range(iters):\n        x = F.max_pool2d",
                                    "    for _ in range(iters + 1):\n        x = F.max_pool2d")], {'maxpool_iter.one_iteration_too_many'}),
    "average instead of max pooling": (F, [("x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)",
                                            "x = F.avg_pool2d(x, kernel_size=k, stride=1, padding=k // 2)")], {'maxpool_iter.average_pooling'}),
    "kernel not normalised": (F, [("return kernel / kernel.sum()", "return kernel")], {'gauss_kernel_2d.unnormalised', 'gaussian_blur_iter.blur_unnormalised', 'hint.normalise-the-kernel-divide-it-by-its-sum', 'hint.the-centre-of-a-white-image-must-stay-white-does-the-kernel-sum-to', 'hint.the-kernel-does-not-sum-to', 'relation.scaled'}),
    "sigma used as the variance": (F, [("(2 * sigma**2)", "(2 * sigma)")], {'gauss_kernel_2d.sigma_as_variance'}),
    "blur applied at least once": (F, [("    for _ in range(iters):\n        x = F.conv2d(x, weight, padding=k // 2, groups=channels)",
                                        "    x = F.conv2d(x, weight, padding=k // 2, groups=channels)\n"
                                        "    for _ in range(iters - 1):\n        x = F.conv2d(x, weight, padding=k // 2, groups=channels)")], {'gaussian_blur_iter.blur_one_too_many'}),
    "blur without padding": (F, [("padding=k // 2, groups=channels)", "groups=channels)")], {'error.output-too-small', 'hint.the-output-shrank-looks-like-padding-was-not-applied', 'relation.border'}),
    "blur mixes the channels": (F, [(".expand(channels, 1, k, k)", ".expand(channels, channels, k, k) / channels"),
                                    (", groups=channels)", ")")], {'gaussian_blur_iter.blur_mixes_channels'}),
    "image not rescaled to [0, 1]": (F, [("dtype=np.float32) / 255.0", "dtype=np.float32)")], {'hint.the-values-are-not-scaled-from-to', 'relation.scaled'}),
    "image without the batch dimension": (F, [("torch.from_numpy(gray)[None, None]", "torch.from_numpy(gray)[None]")], {'hint.add-both-the-batch-and-the-channel-dimension', 'relation.missing-dimension'}),
    "image kept in colour": (F, [('Image.open(path).convert("L")', 'Image.open(path).convert("RGB")'),
                                 ("torch.from_numpy(gray)[None, None]", "torch.from_numpy(gray).mean(-1)[None, None]")], {'load.channels_averaged'}),
    "numpy image still a tensor": (F, [("return x[0, 0].detach().cpu().numpy()", "return x[0, 0]")], set()),
    # realistic mistakes named in issue 22
    "padding fixed at 1": (F, [("x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)",
                                "x = F.max_pool2d(x, kernel_size=k, stride=1, padding=1)")], {'maxpool_iter.padding_one'}),
    "one iteration too few": (F, [("    for _ in range(iters):\n        x = F.max_pool2d",
                                   "    for _ in range(1, iters):\n        x = F.max_pool2d")], {'maxpool_iter.one_iteration_too_few'}),
    "kernel not centred": (F, [("offsets = torch.arange(k, dtype=torch.float32) - k // 2",
                                "offsets = torch.arange(k, dtype=torch.float32)")], {'gauss_kernel_2d.not_centred', 'hint.the-peak-is-not-at-the-centre-k-k', 'relation.off-centre'}),
    "factor 2 missing in the Gaussian": (F, [("(2 * sigma**2)", "(sigma**2)")], {'gauss_kernel_2d.no_two'}),
    # realistic mistakes of a student writing the functions from the handout
    "max_pool2d's default stride": (F, [("x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)",
                                         "x = F.max_pool2d(x, kernel_size=k, padding=k // 2)")], {'maxpool_iter.stride_default', 'relation.stride'}),
    "every pass pools the original x": (F, [("    for _ in range(iters):\n        x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)\n    return x",
                                             "    out = x\n    for _ in range(iters):\n        out = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)\n    return out")], {'maxpool_iter.original_pooled_each_time'}),
    "offsets from -k // 2": (F, [("offsets = torch.arange(k, dtype=torch.float32) - k // 2",
                                  "offsets = torch.arange(-k // 2, k // 2 + 1, dtype=torch.float32)")], {'gauss_kernel_2d.offsets_from_floor_division', 'hint.the-peak-is-not-at-the-centre-k-k'}),
    "kernel divided by 2 pi sigma^2": (F, [("return kernel / kernel.sum()", "return kernel / (2 * np.pi * sigma**2)")], {'gauss_kernel_2d.continuous_normalisation', 'gaussian_blur_iter.blur_continuous_normalisation', 'hint.normalise-the-kernel-divide-it-by-its-sum', 'hint.the-kernel-does-not-sum-to'}),
    "blur with reflection padding": (F, [("        x = F.conv2d(x, weight, padding=k // 2, groups=channels)",
                                          '        x = F.conv2d(F.pad(x, [k // 2] * 4, mode="reflect"), weight, groups=channels)')], {'gaussian_blur_iter.blur_reflect_padding', 'hint.the-border-did-not-darken-use-zero-padding-f-conv-d-s-padding-k'}),
    "blur with replicate padding": (F, [("        x = F.conv2d(x, weight, padding=k // 2, groups=channels)",
                                         '        x = F.conv2d(F.pad(x, [k // 2] * 4, mode="replicate"), weight, groups=channels)')], {'gaussian_blur_iter.blur_replicate_padding', 'hint.the-border-did-not-darken-use-zero-padding-f-conv-d-s-padding-k'}),
    "every pass blurs the original x": (F, [("    for _ in range(iters):\n        x = F.conv2d(x, weight, padding=k // 2, groups=channels)\n    return x",
                                             "    out = x\n    for _ in range(iters):\n        out = F.conv2d(x, weight, padding=k // 2, groups=channels)\n    return out")], {'gaussian_blur_iter.blur_original_each_time'}),
    "skimage's rgb2gray weights": (F, [('    gray = np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0\n',
                                        '    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0\n'
                                        "    gray = rgb @ np.array([0.2125, 0.7154, 0.0721], dtype=np.float32)\n")], {'load.rec709_weights'}),
}

VARIANTS = {
    "separable kernel": (F, [(
        "    dy, dx = torch.meshgrid(offsets, offsets, indexing=\"ij\")\n"
        "    kernel = torch.exp(-(dx**2 + dy**2) / (2 * sigma**2))\n"
        "    return kernel / kernel.sum()",
        "    g = torch.exp(-offsets**2 / (2 * sigma**2))\n"
        "    g = g / g.sum()\n"
        "    return torch.outer(g, g)")]),
    "torchvision's to_tensor": (F, [(
        '    gray = np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0\n'
        "    return torch.from_numpy(gray)[None, None]",
        "    from torchvision.transforms.functional import to_tensor\n"
        '    return to_tensor(Image.open(path).convert("L")).unsqueeze(0)')]),
    "nn.MaxPool2d module and a squeeze": (F, [
        ("        x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)",
         "        x = torch.nn.MaxPool2d(k, stride=1, padding=k // 2)(x)"),
        ("return x[0, 0].detach().cpu().numpy()", "return x.detach().squeeze(0).squeeze(0).numpy()")]),
    "blur as one channel over B * C images": (F, [(
        "    channels = x.shape[1]\n"
        "    weight = gauss_kernel_2d(k, sigma).to(x.dtype).expand(channels, 1, k, k)\n"
        "    for _ in range(iters):\n"
        "        x = F.conv2d(x, weight, padding=k // 2, groups=channels)\n"
        "    return x",
        "    b, c, h, w = x.shape\n"
        "    weight = gauss_kernel_2d(k, sigma)[None, None]\n"
        "    y = x.reshape(b * c, 1, h, w)\n"
        "    for _ in range(iters):\n"
        "        y = F.conv2d(y, weight, padding=k // 2)\n"
        "    return y.reshape(b, c, h, w)")]),
}
