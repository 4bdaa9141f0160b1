"""Shared by the exercise-9 graders: a seeded ResNet-50 without pretrained weights, test pictures."""
import io
from pathlib import Path

from PIL import Image

EXERCISE_IMAGE = Path(__file__).resolve().parent.parent / "skeletons" / "exercise_image.png"


def seeded_resnet50(seed: int = 0, guided: bool = False):
    """torchvision's ResNet-50 with seeded random weights, in eval mode (call inside the worker).
    Built afresh for every use (a student's code may change the model it is given) and with
    frozen parameters: gradients reach the input, no parameter gradient takes memory. With
    ``guided``, its backward pass is the guided one, by hooks on its nn.ReLU modules as they are
    (helper_guided.GuidedReLU's rule: a gradient passes only where it is positive and the ReLU's
    input was), so a guided_backprop grading never depends on the student's replace_relus."""
    import torch
    import torchvision

    torch.manual_seed(seed)
    model = torchvision.models.resnet50(weights=None).eval().requires_grad_(False)
    if guided:
        for module in model.modules():
            if isinstance(module, torch.nn.ReLU):
                module.inplace = False  # a backward hook needs the ReLU's own output
                module.register_full_backward_hook(_positive_gradients_only)
    return model


def _positive_gradients_only(module, grad_input, grad_output):
    return (grad_input[0].clamp(min=0),)


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
