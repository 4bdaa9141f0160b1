"""Exercise 7's known mistakes: what iter_maxpool.py's functions return when written with them.

Computed in the judge with numpy, on the arguments of the student's call (autograder.mistakes).
"""
import io

import numpy as np
from PIL import Image

from autograder.mistakes import mistake


def _windows(x, k, padding, fill):
    """Every k x k window of x [B, C, H, W] padded with ``fill``: [k * k, B, C, H', W']."""
    x = np.pad(np.asarray(x, dtype=np.float64), [(0, 0), (0, 0), (padding, padding), (padding, padding)],
               constant_values=fill)
    h, w = x.shape[2] - k + 1, x.shape[3] - k + 1
    return np.stack([x[:, :, i:i + h, j:j + w] for i in range(k) for j in range(k)])


def maxpool(x, k, iters, padding=None, fill=-np.inf):
    for _ in range(iters):
        x = _windows(x, k, k // 2 if padding is None else padding, fill).max(axis=0)
    return np.asarray(x, dtype=np.float64)


@mistake("maxpool_iter", "the padding is fixed at 1: use padding=k // 2, which depends on k")
def padding_one(x, k=3, iters=1):
    return maxpool(x, k, iters, padding=1)


@mistake("maxpool_iter", "one iteration too many: range(iters) runs the pooling iters times")
def one_iteration_too_many(x, k=3, iters=1):
    return maxpool(x, k, iters + 1)


@mistake("maxpool_iter", "one iteration too few: range(iters) runs the pooling iters times (range(1, iters) runs it iters - 1 times)")
def one_iteration_too_few(x, k=3, iters=1):
    return maxpool(x, k, iters - 1) if iters > 0 else None


@mistake("maxpool_iter", "the border was padded with zeros; max_pool2d pads with -inf")
def zero_padding(x, k=3, iters=1):
    return maxpool(x, k, iters, fill=0.0)


@mistake("maxpool_iter", "this is average pooling (avg_pool2d); the exercise is about max pooling")
def average_pooling(x, k=3, iters=1):
    for _ in range(iters):
        x = _windows(x, k, k // 2, 0.0).mean(axis=0)
    return np.asarray(x, dtype=np.float64)


def kernel(k, sigma, *, normalise=True, variance=False, centred=True, two=True):
    offsets = np.arange(k, dtype=np.float64) - (k // 2 if centred else 0)
    r2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    g = np.exp(-r2 / ((2 if two else 1) * (sigma if variance else sigma**2)))
    return g / g.sum() if normalise else g


@mistake("gauss_kernel_2d", "the kernel is not normalised: divide it by its sum")
def unnormalised(k, sigma):
    return kernel(k, sigma, normalise=False)


@mistake("gauss_kernel_2d", "sigma was used as the variance: the exponent's denominator is 2 sigma^2")
def sigma_as_variance(k, sigma):
    return kernel(k, sigma, variance=True)


@mistake("gauss_kernel_2d", "the factor 2 is missing: exp(-(dx^2 + dy^2) / (2 sigma^2))")
def no_two(k, sigma):
    return kernel(k, sigma, two=False)


@mistake("gauss_kernel_2d", "the offsets do not start at the centre: subtract k // 2")
def not_centred(k, sigma):
    return kernel(k, sigma, centred=False)


def blur(x, k, sigma, iters, *, padding=None, weights=None, mix=None):
    """``mix``: "mean" or "sum" of the blurred channels in every channel (a convolution over all
    channels, with the kernel divided by their number or not)."""
    K = kernel(k, sigma) if weights is None else weights
    x = np.asarray(x, dtype=np.float64)
    for _ in range(iters):
        windows = _windows(x, k, k // 2 if padding is None else padding, 0.0)
        x = np.tensordot(K.ravel(), windows, axes=1)
        if mix:
            mixed = x.mean(axis=1, keepdims=True) if mix == "mean" else x.sum(axis=1, keepdims=True)
            x = np.repeat(mixed, x.shape[1], axis=1)
    return x


@mistake("gaussian_blur_iter", "the kernel is not normalised: the picture gets brighter at every pass")
def blur_unnormalised(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters, weights=kernel(k, sigma, normalise=False))


@mistake("gaussian_blur_iter", "one pass too many: range(iters) blurs iters times")
def blur_one_too_many(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters + 1)


@mistake("gaussian_blur_iter", "one pass too few: range(iters) blurs iters times")
def blur_one_too_few(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters - 1) if iters > 0 else None


@mistake("gaussian_blur_iter", "the channels were mixed: blur each channel on its own (groups=C)")
def blur_mixes_channels(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters, mix="mean")


@mistake("gaussian_blur_iter", "the channels were summed: without groups=C, conv2d adds up all the channels it "
                               "convolves; blur each channel on its own")
def blur_sums_channels(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters, mix="sum") if np.shape(x)[1] > 1 else None


@mistake("gaussian_blur_iter", "the padding is fixed at 1: use padding=k // 2")
def blur_padding_one(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters, padding=1) if k != 3 else None


@mistake("load", "the colour channels were averaged; convert the picture with PIL's convert(\"L\") (weighted luma)",
         atol=2e-3)
def channels_averaged(data: bytes, as_path_object: bool):
    """load_image_as_tensor with the plain mean of the colour channels instead of PIL's grayscale."""
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64) / 255.0
    return rgb.mean(axis=-1)[None, None]
