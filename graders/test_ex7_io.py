"""Exercise 7.3: load_image_as_tensor reads grayscale [1, 1, H, W] in [0, 1]; tensor_to_numpy_image undoes it."""
import io

import numpy as np
import pytest
from PIL import Image

from autograder import checks, in_worker, tensor


def png(mode: str, size=(37, 23), seed: int = 0) -> bytes:
    """A non-square test picture with noise, an edge and a white patch, as PNG bytes."""
    w, h = size
    rng = np.random.default_rng(seed)
    channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
    pixels = rng.integers(0, 256, (h, w, channels), dtype=np.uint8)
    pixels[:, : w // 3] //= 4  # a dark band with an edge
    pixels[h // 2:, -8:, :3] = 255  # a white patch
    buffer = io.BytesIO()
    Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels, mode).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


@in_worker
def load(iter_maxpool, data: bytes, as_path_object: bool):
    """Write the picture to a file in the worker and load it with the student's function."""
    import pathlib
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        f.write(data)
    return iter_maxpool.load_image_as_tensor(pathlib.Path(f.name) if as_path_object else f.name)


SCALE_HINTS = [(lambda x, ref: x.max() > 1.5, "the values are not scaled from 0..255 to [0, 1]")]


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_loads_a_png_as_grayscale_in_zero_one(student, reference, mode):
    out = student.run(load, png(mode), as_path_object=mode == "RGB")
    what = f"load_image_as_tensor(a 37 x 23 {mode} PNG)"
    checks.array(out, what, shape=(1, 1, 23, 37), kinds=("torch.Tensor",), hints=SCALE_HINTS + [
        (lambda x, ref: x.shape == (23, 37) or x.shape == (1, 23, 37), "add both the batch and the channel dimension"),
        (lambda x, ref: x.shape[-1] in (3, 4) or x.shape[1] in (3, 4), "convert the picture to grayscale (mode \"L\")"),
    ])
    # A known mistake (the colour channels averaged) is in ex7_mistakes.py.
    reference.arrays({"image": out}, f"load_{mode}", what=what, atol=1e-6, hints=SCALE_HINTS)


@pytest.mark.parametrize("shape", [(1, 1, 5, 9), (1, 1, 16, 3)])
def test_tensor_to_numpy_image_gives_an_h_by_w_numpy_array(student, shape):
    x = np.random.default_rng(2).random(shape, dtype=np.float32)
    out = student.tensor_to_numpy_image(tensor(x))
    what = f"tensor_to_numpy_image(tensor {list(shape)})"
    checks.close(out, x[0, 0], what, atol=0.0, kinds=("numpy.ndarray",))
