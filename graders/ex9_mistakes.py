"""Exercise 9's known mistakes: what guided_backprop.py's functions return when written with them.

The judge's only (never in the student package, which holds their results on its calls as data).
The gradients' mistakes need torch and a ResNet-50: they run in the worker, on the probe's own
arguments (``in_worker=True``); the pictures' mistakes run in the judge, with PIL.
"""
import io

import numpy as np
from ex9_shared import seeded_resnet50
from PIL import Image

from autograder.mistakes import mistake

MEAN, STD = np.array([0.485, 0.456, 0.406], dtype=np.float32), np.array([0.229, 0.224, 0.225], dtype=np.float32)


def _network_input(image: Image.Image) -> np.ndarray:
    x = (np.asarray(image, dtype=np.float32) / 255.0 - MEAN) / STD
    return x.transpose(2, 0, 1)[None]


@mistake("preprocess", "the picture was squashed to 224 x 224: resize the shorter side to 256, then centre-crop",
         atol=0.05)
def squashed(data: bytes):
    return _network_input(Image.open(io.BytesIO(data)).convert("RGB").resize((224, 224), Image.Resampling.BILINEAR))


@mistake("preprocess", "the picture was resized with bicubic interpolation; Resize's default is bilinear", atol=0.05)
def bicubic(data: bytes):
    image = Image.open(io.BytesIO(data)).convert("RGB")
    short, long = sorted(image.size)
    size = (256, int(256 * long / short)) if image.width == short else (int(256 * long / short), 256)
    image = image.resize(size, Image.Resampling.BICUBIC)
    left, top = int(round((image.width - 224) / 2.0)), int(round((image.height - 224) / 2.0))
    return _network_input(image.crop((left, top, left + 224, top + 224)))


def _gradients(x, targets, objective, train: bool = False) -> dict:
    """For each target class, the gradient of ``objective(scores, class)`` with respect to x on a
    seeded guided ResNet-50, shaped as the probe guided_gradients returns it."""
    import torch

    model, out = seeded_resnet50(guided=True), {}
    if train:
        model.train()  # batch norm on the batch's own statistics
    for target in targets:
        leaf = x.clone().requires_grad_(True)
        (gradient,) = torch.autograd.grad(objective(model(leaf), 243 if target is None else target), leaf)
        out[str(target)] = {"first": gradient}
    return out


@mistake("guided_gradients", "this is the gradient of the softmax probability; backpropagate the raw score (logit)",
         in_worker=True)
def softmax_probability(guided_backprop, x, targets):
    import torch

    return _gradients(x, targets, lambda scores, c: torch.softmax(scores, dim=1)[:, c].sum())


@mistake("guided_gradients", "this is the gradient of the predicted (argmax) class, not of target_class",
         in_worker=True)
def argmax_class(guided_backprop, x, targets):
    return _gradients(x, targets, lambda scores, c: scores[:, scores.argmax(dim=1)].sum())


@mistake("guided_gradients", "the model ran in training mode (batch norm on the batch's statistics): leave it in "
                             "eval mode", in_worker=True)
def training_mode(guided_backprop, x, targets):
    return _gradients(x, targets, lambda scores, c: scores[:, c].sum(), train=True)
