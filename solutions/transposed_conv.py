"""Exercise 1: where "transposed convolution" gets its name.

A strided 1-D convolution (PyTorch's conv1d, a cross-correlation) of an already padded input is a
matrix product A x~; multiplying by A^T maps the output back to the input's length.
"""
import torch


def strided_conv_matrix(w: torch.Tensor, n: int, stride: int) -> torch.Tensor:
    """The matrix A with (A @ x~)[i] = sum_j w[j] * x~[i * stride + j] for a padded input of length n.

    A has (n - k) // stride + 1 rows and n columns; row i holds the filter w, unflipped, starting
    at column i * stride.
    """
    # TODO: a zero matrix of the right shape; row i holds w (not flipped) from column i * stride.
    # BEGIN SOLUTION
    k = w.shape[0]
    rows = (n - k) // stride + 1
    A = torch.zeros(rows, n, dtype=w.dtype)
    for i in range(rows):
        A[i, i * stride:i * stride + k] = w
    return A
    # END SOLUTION


def transposed_conv_via_matrix(z: torch.Tensor, w: torch.Tensor, n: int, stride: int) -> torch.Tensor:
    """A^T z, of length n: each z[i] spreads the filter w over positions i * stride ... i * stride + k - 1,
    and where two of these windows overlap the contributions add up."""
    # TODO: multiply z by the transpose of strided_conv_matrix(w, n, stride).
    # BEGIN SOLUTION
    return strided_conv_matrix(w, n, stride).T @ z
    # END SOLUTION
