"""Exercise 7: iterated max pooling compared with iterated Gaussian blur.

Fill in the parts marked ``# TODO``. Run ``python iter_maxpool.py`` to draw the 2 x 5 grid of
``helper_maxpool.run_experiment`` for ``sample_image.png``.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from helper_maxpool import run_experiment


def maxpool_iter(x: torch.Tensor, k: int = 3, iters: int = 1) -> torch.Tensor:
    """Max-pool ``x`` ([B, C, H, W]) ``iters`` times with a k x k window, stride 1, padding k // 2.

    With stride 1 and that padding every pass keeps the shape: each pixel becomes the largest
    value of its k x k neighbourhood. ``iters=0`` gives ``x`` back unchanged.
    """
    # TODO: apply F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2) `iters` times.
    # BEGIN SOLUTION
    for _ in range(iters):
        x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)
    return x
    # END SOLUTION


def gauss_kernel_2d(k: int, sigma: float) -> torch.Tensor:
    """A [k, k] Gaussian kernel with standard deviation ``sigma``, centred at (k // 2, k // 2).

    Entry (i, j) is proportional to exp(-((i - k // 2)^2 + (j - k // 2)^2) / (2 sigma^2)); the
    entries sum to 1.
    """
    # TODO: build the offsets from the centre, evaluate the Gaussian on the k x k grid of
    # offsets and normalise the result so that it sums to 1.
    # BEGIN SOLUTION
    offsets = torch.arange(k, dtype=torch.float32) - k // 2
    dy, dx = torch.meshgrid(offsets, offsets, indexing="ij")
    kernel = torch.exp(-(dx**2 + dy**2) / (2 * sigma**2))
    return kernel / kernel.sum()
    # END SOLUTION


def gaussian_blur_iter(x: torch.Tensor, k: int = 5, sigma: float = 1.0, iters: int = 1) -> torch.Tensor:
    """Blur every channel of ``x`` ([B, C, H, W]) with ``gauss_kernel_2d(k, sigma)``, ``iters`` times.

    Uses ``F.conv2d`` with zero padding k // 2, so the shape is kept; channels are blurred
    independently of each other.
    """
    # TODO: turn the kernel into a conv2d weight (one filter per channel: see the `groups`
    # argument of F.conv2d) and apply F.conv2d(..., padding=k // 2) `iters` times.
    # BEGIN SOLUTION
    channels = x.shape[1]
    weight = gauss_kernel_2d(k, sigma).to(x.dtype).expand(channels, 1, k, k)
    for _ in range(iters):
        x = F.conv2d(x, weight, padding=k // 2, groups=channels)
    return x
    # END SOLUTION


def load_image_as_tensor(path) -> torch.Tensor:
    """Read an image file as grayscale (PIL mode "L") scaled to [0, 1]: float32 [1, 1, H, W]."""
    # TODO: open the file with PIL, convert it to "L", scale 0..255 to [0, 1] and add the
    # batch and channel dimensions.
    # BEGIN SOLUTION
    gray = np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0
    return torch.from_numpy(gray)[None, None]
    # END SOLUTION


def tensor_to_numpy_image(x: torch.Tensor) -> np.ndarray:
    """The [H, W] numpy image inside a [1, 1, H, W] tensor."""
    # TODO: drop the batch and channel dimensions and return a numpy array.
    # BEGIN SOLUTION
    return x[0, 0].detach().cpu().numpy()
    # END SOLUTION


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    image = load_image_as_tensor(os.path.join(here, "sample_image.png"))
    run_experiment(image, maxpool_iter, gaussian_blur_iter, tensor_to_numpy_image,
                   save_path="iter_maxpool_grid.png")
    print("saved iter_maxpool_grid.png")
