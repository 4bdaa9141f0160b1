"""Shared by the exercise-9 graders: a seeded ResNet-50 without pretrained weights, test pictures."""
import io
from pathlib import Path

import numpy as np
from PIL import Image

EXERCISE_IMAGE = Path(__file__).resolve().parent.parent / "skeletons" / "exercise_image.png"


def seeded_resnet50(seed: int = 0, guided: bool = False):
    """torchvision's ResNet-50 with seeded random weights, in eval mode (call inside the worker).
    Built afresh for every use (a student's code may change the model it is given) and with
    frozen parameters: gradients reach the input, no parameter gradient takes memory. With
    ``guided``, the framework's own code puts helper_guided.GuidedReLU in place of every nn.ReLU,
    so a guided_backprop grading never depends on the student's replace_relus."""
    import torch
    import torchvision

    torch.manual_seed(seed)
    model = torchvision.models.resnet50(weights=None).eval().requires_grad_(False)
    if guided:
        from helper_guided import GuidedReLU

        for parent in list(model.modules()):
            for name, child in parent.named_children():
                if isinstance(child, torch.nn.ReLU):
                    setattr(parent, name, GuidedReLU())
    return model


def stand_in_weights() -> dict:
    """A ResNet-50 state dict that takes no memory: every tensor one constant of its own,
    expanded to its shape (what the offline load_model check serves as the download)."""
    import torch
    import torchvision

    with torch.device("meta"):
        shapes = torchvision.models.resnet50(weights=None).state_dict()
    return {name: torch.tensor(i + 1 if t.dtype == torch.int64 else 1e-3 * (i + 1), dtype=t.dtype).expand(t.shape)
            for i, (name, t) in enumerate(shapes.items())}


def picture(kind: str) -> bytes:
    """The exercise image, or a crop or conversion of it, as PNG bytes (made in the judge)."""
    image = Image.open(EXERCISE_IMAGE)
    image = {
        "exercise image": lambda: image,
        "tall crop": lambda: image.crop((100, 0, 300, 300)),
        "wide crop": lambda: image.crop((0, 80, 451, 230)),
        "small picture": lambda: image.resize((120, 90), Image.Resampling.BILINEAR),
        "RGBA picture": lambda: image.convert("RGBA"),
        "grayscale picture": lambda: image.convert("L"),
    }[kind]()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # lossless at any level; 1 is the fastest
    return buffer.getvalue()


def squashed(data: bytes) -> np.ndarray:
    """The known mistake for preprocess_image: resized straight to 224 x 224 (judge side, numpy)."""
    image = Image.open(io.BytesIO(data)).convert("RGB").resize((224, 224), Image.Resampling.BILINEAR)
    x = np.asarray(image, dtype=np.float32) / 255.0
    x = (x - np.array([0.485, 0.456, 0.406], dtype=np.float32)) / np.array([0.229, 0.224, 0.225], dtype=np.float32)
    return x.transpose(2, 0, 1)[None]


def resized(data: bytes, resample) -> np.ndarray:
    """preprocess_image as torchvision's Resize(256), CenterCrop(224) and Normalize do it, with
    another resampling filter: a known mistake when the filter differs (judge side, PIL)."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    short, long = sorted(image.size)
    size = (256, int(256 * long / short)) if image.width == short else (int(256 * long / short), 256)
    image = image.resize(size, resample)
    left, top = int(round((image.width - 224) / 2.0)), int(round((image.height - 224) / 2.0))
    x = np.asarray(image.crop((left, top, left + 224, top + 224)), dtype=np.float32) / 255.0
    x = (x - np.array([0.485, 0.456, 0.406], dtype=np.float32)) / np.array([0.229, 0.224, 0.225], dtype=np.float32)
    return x.transpose(2, 0, 1)[None]
