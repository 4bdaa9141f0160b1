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


@mistake("strided_conv_matrix", "(n - k + 1) // stride rounds the number of windows down: A has (n - k) // stride + 1 "
                                "rows (every stride-th of the n - k + 1 positions, the last one included)")
def rows_rounded_down(w, n, stride):
    return matrix(w, n, stride, rows=(n - len(w) + 1) // stride)


@mistake("transposed_conv_via_matrix", "the stride is ignored: in A (and so in A^T z) row i starts at column "
                                       "i * stride")
def transposed_stride_ignored(z, w, n, stride):
    return matrix(w, n, stride, step=1).T @ np.asarray(z, dtype=np.float64) if stride != 1 else None


@mistake("transposed_conv_via_matrix", "conv_transpose1d with padding=1 crops the padding off; A^T z has the padded "
                                       "input's length n")
def transposed_padding_one(z, w, n, stride):
    full = matrix(w, n, stride).T @ np.asarray(z, dtype=np.float64)
    return full[1:(len(z) - 1) * stride + len(w) - 1]
