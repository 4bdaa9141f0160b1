"""Exercise 1's known mistakes: what transposed_conv.py's functions return when written with them."""
import numpy as np

from autograder.mistakes import mistake


def matrix(w, n, stride, *, flip=False, rows=None, step=None):
    w = np.asarray(w, dtype=np.float64)
    k = len(w)
    rows = (n - k) // stride + 1 if rows is None else rows
    A = np.zeros((rows, n))
    for i in range(rows):
        start = i * (stride if step is None else step)
        A[i, start:start + k] = w[::-1] if flip else w  # fails (no mistake named) where it runs off the end
    return A


@mistake("strided_conv_matrix", "the filter is flipped: PyTorch's conv1d is a cross-correlation, row i holds w as it is")
def flipped(w, n, stride):
    return matrix(w, n, stride, flip=True)


@mistake("strided_conv_matrix", "one row too few: A has (n - k) // stride + 1 rows")
def one_row_too_few(w, n, stride):
    return matrix(w, n, stride, rows=(n - len(w)) // stride)


@mistake("strided_conv_matrix", "the stride is ignored: row i starts at column i * stride")
def stride_ignored(w, n, stride):
    return matrix(w, n, stride, step=1) if stride != 1 else None


@mistake("transposed_conv_via_matrix", "the filter is flipped: A holds w as it is, and A^T z uses that A")
def transposed_flipped(z, w, n, stride):
    return matrix(w, n, stride, flip=True).T @ np.asarray(z, dtype=np.float64)


@mistake("transposed_conv_via_matrix", "this is conv_transpose1d's length; A^T z has the padded input's length n")
def transposed_short(z, w, n, stride):
    return (matrix(w, n, stride).T @ np.asarray(z, dtype=np.float64))[: (len(z) - 1) * stride + len(w)]
