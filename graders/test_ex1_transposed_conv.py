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


def hints(k, n, stride):
    w = filt(k)
    return [
        (lambda A, ref: np.allclose(np.abs(A).sum(), np.abs(w).sum() * rows(k, n, stride), rtol=1e-4)
         and not np.allclose(A, ref, atol=1e-6) and np.allclose(A[0, :k], w[::-1], atol=1e-6),
         "the filter is flipped: PyTorch's conv1d is a cross-correlation, row i holds w as it is"),
        (lambda A, ref: A.shape == (n, rows(k, n, stride)), "A is transposed: it has one row per output"),
        (lambda A, ref: A.shape[0] != rows(k, n, stride), f"A needs (n - k) // stride + 1 = {rows(k, n, stride)} rows"),
    ]


@pytest.mark.parametrize("k, n, stride", CASES)
def test_the_convolution_matrix_matches_the_reference(student, reference, k, n, stride):
    A = student.strided_conv_matrix(tensor(filt(k)), n, stride)
    what = f"strided_conv_matrix(w of length {k}, n={n}, stride={stride})"
    checks.array(A, what, shape=(rows(k, n, stride), n), hints=hints(k, n, stride))
    reference.arrays({"A": A}, f"matrix_k{k}_n{n}_s{stride}", what=what, atol=1e-6, hints=hints(k, n, stride))


@pytest.mark.parametrize("k, n, stride", CASES)
def test_the_transposed_convolution_sums_the_overlapping_windows(student, reference, k, n, stride):
    z = np.random.default_rng(100 + n).normal(size=rows(k, n, stride)).astype(np.float32)
    out = student.transposed_conv_via_matrix(tensor(z), tensor(filt(k)), n, stride)
    what = f"transposed_conv_via_matrix(z of length {len(z)}, w of length {k}, n={n}, stride={stride})"
    reference.arrays({"out": out}, f"transposed_k{k}_n{n}_s{stride}", what=what, atol=1e-5, hints=[
        (lambda o, ref: o.shape == ((len(z) - 1) * stride + k,),
         f"this is conv_transpose1d's length; A^T z has the padded input's length n={n}"),
    ])
