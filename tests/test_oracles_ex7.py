"""The exercise-7 reference agrees with scipy.ndimage, an implementation independent of torch's."""
import numpy as np
import pytest
from conftest import load_solution
from scipy import ndimage

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def solution():
    return load_solution("iter_maxpool")


@pytest.mark.parametrize("k, iters", [(3, 1), (3, 4), (5, 2), (7, 3)])
def test_iterated_max_pooling_is_one_max_filter_of_size_k_minus_1_times_iters_plus_1(solution, k, iters):
    x = np.random.default_rng(0).random((2, 3, 19, 14), dtype=np.float32) - 0.5
    size = (k - 1) * iters + 1
    expected = ndimage.maximum_filter(x, size=(1, 1, size, size), mode="constant", cval=-np.inf)
    np.testing.assert_array_equal(solution.maxpool_iter(torch.from_numpy(x), k, iters).numpy(), expected)


@pytest.mark.parametrize("k, sigma, iters", [(5, 1.0, 1), (3, 0.8, 3), (7, 2.0, 2)])
def test_iterated_blur_is_repeated_zero_padded_correlation(solution, k, sigma, iters):
    x = np.random.default_rng(1).random((2, 3, 12, 15)).astype(np.float32)
    r = np.arange(k) - k // 2
    kernel = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * sigma**2))
    kernel /= kernel.sum()
    expected = x.astype(np.float64)
    for _ in range(iters):
        expected = ndimage.correlate(expected, kernel[None, None], mode="constant", cval=0.0)
    obtained = solution.gaussian_blur_iter(torch.from_numpy(x), k, sigma, iters).numpy()
    np.testing.assert_allclose(obtained, expected, atol=2e-6)  # float32 against float64: measured <= 2.8e-7
    np.testing.assert_allclose(solution.gauss_kernel_2d(k, sigma).numpy(), kernel, rtol=1e-6)


def test_loading_matches_pil_luma_scaled_to_zero_one(solution, tmp_path):
    from PIL import Image

    rgb = np.random.default_rng(2).integers(0, 256, (9, 13, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "x.png")
    luma = (rgb.astype(np.float64) @ [299, 587, 114]) / 1000  # ITU-R 601-2, as PIL's "L"
    obtained = solution.load_image_as_tensor(tmp_path / "x.png")
    assert obtained.shape == (1, 1, 9, 13) and obtained.dtype == torch.float32
    np.testing.assert_allclose(obtained[0, 0].numpy() * 255, luma, atol=0.51)  # PIL rounds to integers
