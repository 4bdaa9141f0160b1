"""Exercise 1: a strided convolution is a matrix A; the transposed convolution multiplies by A^T."""
import numpy as np
import pytest

from autograder import checks, tensor

# (k, padded length n, stride): the handout's case first, then others, overlapping or not.
CASES = [(3, 6, 2), (3, 7, 1), (2, 9, 3), (4, 10, 2), (5, 12, 3), (1, 5, 2)]


def filt(k: int) -> np.ndarray:
    return np.random.default_rng(k).normal(size=k).astype(np.float32)


def rows(k, n, stride):
    return (n - k) // stride + 1


@pytest.mark.parametrize("k, n, stride", CASES)
def test_the_convolution_matrix_matches_the_reference(student, reference, k, n, stride):
    A = student.strided_conv_matrix(tensor(filt(k)), n, stride)
    what = f"strided_conv_matrix(w of length {k}, n={n}, stride={stride})"
    # Known mistakes (the filter flipped, a row too few, the stride ignored) are in ex1_mistakes.py.
    checks.array(A, what, shape=(rows(k, n, stride), n))
    reference.arrays({"A": A}, f"matrix_k{k}_n{n}_s{stride}", what=what, atol=1e-6)


@pytest.mark.parametrize("k, n, stride", CASES)
def test_the_transposed_convolution_sums_the_overlapping_windows(student, reference, k, n, stride):
    z = np.random.default_rng(100 + n).normal(size=rows(k, n, stride)).astype(np.float32)
    out = student.transposed_conv_via_matrix(tensor(z), tensor(filt(k)), n, stride)
    what = f"transposed_conv_via_matrix(z of length {len(z)}, w of length {k}, n={n}, stride={stride})"
    # Known mistakes (conv_transpose1d's length, the filter flipped) are in ex1_mistakes.py.
    reference.arrays({"out": out}, f"transposed_k{k}_n{n}_s{stride}", what=what, atol=1e-5)
