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


def _opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def _shorter_side(image: Image.Image, size: int) -> Image.Image:
    """T.Resize(size) on a picture: the shorter side to ``size``, the aspect ratio kept (bilinear)."""
    short, long = sorted(image.size)
    new = (size, int(size * long / short)) if image.width == short else (int(size * long / short), size)
    return image.resize(new, Image.Resampling.BILINEAR)


def _centre_crop(image: Image.Image, size: int = 224) -> Image.Image:
    """T.CenterCrop(size) on a picture (padded with black where it is smaller, as torchvision does)."""
    if image.width < size or image.height < size:
        canvas = Image.new("RGB", (max(size, image.width), max(size, image.height)))
        canvas.paste(image, ((max(size - image.width, 0)) // 2, (max(size - image.height, 0)) // 2))
        image = canvas
    left, top = int(round((image.width - size) / 2.0)), int(round((image.height - size) / 2.0))
    return image.crop((left, top, left + size, top + size))


@mistake("preprocess", "the shorter side was resized to 224: resize it to 256, then centre-crop 224 x 224", atol=0.05)
def shorter_side_224(data: bytes):
    return _network_input(_centre_crop(_shorter_side(_opened(data), 224)))


@mistake("preprocess", "the picture was resized to 256 x 256 (squashed) before the crop: T.Resize(256), one number, "
                       "resizes the shorter side and keeps the aspect ratio", atol=0.05)
def squashed_to_256(data: bytes):
    return _network_input(_centre_crop(_opened(data).resize((256, 256), Image.Resampling.BILINEAR)))


@mistake("preprocess", "the picture was only cropped: resize its shorter side to 256 before the 224 x 224 centre crop",
         atol=0.05)
def crop_without_resize(data: bytes):
    return _network_input(_centre_crop(_opened(data)))


@mistake("preprocess", "the mean and the std are swapped: Normalize(mean=(0.485, 0.456, 0.406), "
                       "std=(0.229, 0.224, 0.225))", atol=0.05)
def mean_and_std_swapped(data: bytes):
    x = np.asarray(_centre_crop(_shorter_side(_opened(data), 256)), dtype=np.float32) / 255.0
    return ((x - STD) / MEAN).transpose(2, 0, 1)[None]


@mistake("preprocess", "the pixels were normalised in 0..255: scale them to [0, 1] (T.ToTensor) before Normalize",
         atol=0.05)
def normalised_without_scaling(data: bytes):
    x = np.asarray(_centre_crop(_shorter_side(_opened(data), 256)), dtype=np.float32)
    return ((x - MEAN) / STD).transpose(2, 0, 1)[None]


@mistake("preprocess", "the colour channels are in BGR order (as OpenCV reads them): the network expects RGB",
         atol=0.05)
def bgr_order(data: bytes):
    x = np.asarray(_centre_crop(_shorter_side(_opened(data), 256)), dtype=np.float32)[..., ::-1] / 255.0
    return ((x - MEAN) / STD).transpose(2, 0, 1)[None]


@mistake("guided_gradients", "this is the gradient of the log-probability (log_softmax); backpropagate the raw score "
                             "(logit)", in_worker=True)
def log_probability(guided_backprop, x, targets):
    import torch

    return _gradients(x, targets, lambda scores, c: torch.log_softmax(scores, dim=1)[:, c].sum())


@mistake("guided_gradients", "this is the gradient of the cross-entropy loss; backpropagate the raw score (logit) of "
                             "target_class, not a loss", in_worker=True)
def cross_entropy_loss(guided_backprop, x, targets):
    import torch

    return _gradients(x, targets, lambda scores, c: torch.nn.functional.cross_entropy(
        scores, torch.full((scores.shape[0],), c, dtype=torch.long)))


@mistake("guided_gradients", "this is the gradient of the sum of all the class scores: backpropagate the score of "
                             "target_class only", in_worker=True)
def all_scores(guided_backprop, x, targets):
    return _gradients(x, targets, lambda scores, c: scores.sum())
