"""Exercise 7.2: gauss_kernel_2d builds a normalised Gaussian; gaussian_blur_iter applies it per channel."""
import numpy as np
import pytest

from autograder import checks, tensor

SHAPE = (2, 3, 12, 15)
KERNELS = [(3, 0.5), (5, 1.0), (7, 2.0), (5, 3.0)]


def batch(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(SHAPE, dtype=np.float32)


@pytest.mark.parametrize("k, sigma", KERNELS)
def test_kernel_matches_the_reference(student, reference, k, sigma):
    kernel = student.gauss_kernel_2d(k, sigma)
    reference.arrays({"kernel": kernel}, f"kernel_k{k}_sigma{sigma}", what=f"gauss_kernel_2d({k}, {sigma})",
                     atol=1e-6, rtol=1e-5, hints=[
                         (lambda K, ref: abs(K.sum() - 1) > 1e-3, "the kernel does not sum to 1"),
                         (lambda K, ref: K.argmax() != K.size // 2, "the peak is not at the centre (k // 2, k // 2)"),
                     ])


@pytest.mark.parametrize("k, sigma", KERNELS)
def test_kernel_sums_to_one_is_symmetric_and_peaks_at_the_centre(student, k, sigma):
    what = f"gauss_kernel_2d({k}, {sigma})"
    K = checks.array(student.gauss_kernel_2d(k, sigma), what, shape=(k, k))
    if abs(float(K.sum(dtype=np.float64)) - 1.0) > 1e-5:
        checks.fail(f"{what} sums to {K.sum():.6g}, not 1", hint="normalise the kernel: divide it by its sum")
    if not (np.allclose(K, K.T, atol=1e-7) and np.allclose(K, K[::-1, ::-1], atol=1e-7)):
        checks.fail(f"{what} is not symmetric about its centre", K, hint=None)
    if K.argmax() != (k // 2) * k + k // 2 or not np.all(K[k // 2, k // 2] > np.delete(K.ravel(), K.size // 2)):
        checks.fail(f"{what} does not peak (strictly) at the centre ({k // 2}, {k // 2})")


@pytest.mark.parametrize("k, sigma, iters", [(5, 1.0, 1), (3, 0.8, 3), (7, 2.0, 2), (5, 1.0, 0)])
def test_blur_matches_the_reference(student, reference, k, sigma, iters):
    out = student.gaussian_blur_iter(tensor(batch()), k=k, sigma=sigma, iters=iters)
    h, w = SHAPE[-2:]
    reference.arrays({"out": out}, f"blur_k{k}_sigma{sigma}_iters{iters}",
                     what=f"gaussian_blur_iter(x, k={k}, sigma={sigma}, iters={iters})", atol=1e-5, hints=[
                         (lambda o, ref: o.shape[-2:] == (h - (k - 1) * iters, w - (k - 1) * iters),
                          "the output shrank: looks like padding was not applied"),
                         (lambda o, ref: o.shape[1] == 1, "channels were mixed: blur each channel on its own (groups=C)"),
                     ])


def test_blur_pads_with_zeros_so_a_white_image_darkens_at_the_border(student, reference):
    ones = np.ones((1, 2, 9, 11), dtype=np.float32)
    out = student.gaussian_blur_iter(tensor(ones), k=5, sigma=1.0, iters=2)
    reference.arrays({"out": out}, "blur_white_border", what="gaussian_blur_iter(white image, iters=2)",
                     atol=1e-5, hints=[
                         (lambda o, ref: o.shape != ones.shape, "the output shrank: looks like padding was not applied"),
                         (lambda o, ref: np.allclose(o, 1, atol=1e-4),
                          "the border did not darken: use zero padding (F.conv2d's padding=k // 2)"),
                     ])
