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


def maxpool(x, k, iters, padding=None, fill=-np.inf, stride=1):
    for _ in range(iters):
        x = _windows(x, k, k // 2 if padding is None else padding, fill).max(axis=0)[:, :, ::stride, ::stride]
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


def kernel(k, sigma, *, normalise=True, variance=False, centred=True, two=True, offsets=None, continuous=False):
    """``offsets``: the student's own offsets; ``continuous``: divided by 2 pi sigma^2 instead of the sum."""
    offsets = np.arange(k, dtype=np.float64) - (k // 2 if centred else 0) if offsets is None else offsets
    r2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    g = np.exp(-r2 / ((2 if two else 1) * (sigma if variance else sigma**2)))
    if continuous:
        return g / (2 * np.pi * sigma**2)
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


def _padded_windows(x, k, mode):
    """Every k x k window of x padded by k // 2 in np.pad's ``mode`` ("reflect", "edge")."""
    p = k // 2
    x = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)], mode=mode)
    h, w = x.shape[2] - k + 1, x.shape[3] - k + 1
    return np.stack([x[:, :, i:i + h, j:j + w] for i in range(k) for j in range(k)])


def blur(x, k, sigma, iters, *, padding=None, weights=None, mix=None, mode=None):
    """``mix``: "mean" or "sum" of the blurred channels in every channel (a convolution over all
    channels, with the kernel divided by their number or not); ``mode``: the border padded by
    np.pad's mode instead of zeros."""
    K = kernel(k, sigma) if weights is None else weights
    x = np.asarray(x, dtype=np.float64)
    for _ in range(iters):
        windows = _windows(x, k, k // 2 if padding is None else padding, 0.0) if mode is None else \
            _padded_windows(x, k, mode)
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


@mistake("maxpool_iter", "max_pool2d's stride defaults to the kernel size, which downsamples: pass stride=1")
def stride_default(x, k=3, iters=1):
    return maxpool(x, k, iters, stride=k)


@mistake("maxpool_iter", "every pass pooled the original x: assign the result back (x = F.max_pool2d(x, ...)) so "
                         "that the passes add up")
def original_pooled_each_time(x, k=3, iters=1):
    return maxpool(x, k, 1) if iters > 1 else None


@mistake("gauss_kernel_2d", "the offsets run from -k // 2, which is -(k // 2) - 1 in Python (floor division): "
                            "use -(k // 2), or arange(k) - k // 2")
def offsets_from_floor_division(k, sigma):
    return kernel(k, sigma, offsets=np.arange(-k // 2, k // 2 + 1, dtype=np.float64))


@mistake("gauss_kernel_2d", "the kernel was divided by 2 pi sigma^2 (the continuous Gaussian's constant): a "
                            "truncated kernel must be divided by its own sum")
def continuous_normalisation(k, sigma):
    return kernel(k, sigma, continuous=True)


@mistake("gaussian_blur_iter", "the kernel was divided by 2 pi sigma^2 (the continuous Gaussian's constant), so it "
                               "does not sum to 1: divide it by its own sum")
def blur_continuous_normalisation(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters, weights=kernel(k, sigma, continuous=True))


@mistake("gaussian_blur_iter", "the border was padded by reflection; pad with zeros (F.conv2d's padding=k // 2)")
def blur_reflect_padding(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters, mode="reflect")


@mistake("gaussian_blur_iter", "the border was padded by repeating the edge pixels (replicate); pad with zeros "
                               "(F.conv2d's padding=k // 2)")
def blur_replicate_padding(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, iters, mode="edge")


@mistake("gaussian_blur_iter", "every pass blurred the original x: assign the result back (x = F.conv2d(x, ...)) so "
                               "that the passes add up")
def blur_original_each_time(x, k=5, sigma=1.0, iters=1):
    return blur(x, k, sigma, 1) if iters > 1 else None


@mistake("load", "the colour channels were averaged; convert the picture with PIL's convert(\"L\") (weighted luma)",
         atol=2e-3)
def channels_averaged(data: bytes, as_path_object: bool):
    """load_image_as_tensor with the plain mean of the colour channels instead of PIL's grayscale."""
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64) / 255.0
    return rgb.mean(axis=-1)[None, None]


@mistake("load", "these are the Rec. 709 weights (0.2125 R + 0.7154 G + 0.0721 B, skimage's rgb2gray); convert the "
                 "picture with PIL's convert(\"L\") (0.299 R + 0.587 G + 0.114 B)", atol=2e-3)
def rec709_weights(data: bytes, as_path_object: bool):
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64) / 255.0
    return (rgb @ np.array([0.2125, 0.7154, 0.0721]))[None, None]
