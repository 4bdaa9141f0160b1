"""Exercise 4: sinusoidal positional encodings and the attention weights they induce."""
import math

import torch


def positional_encoding(p: torch.Tensor, omegas: torch.Tensor) -> torch.Tensor:
    """Encodings [N, d] of the positions p [N] with frequencies omegas [d / 2].

    The columns interleave sine and cosine: sin(w1 p), cos(w1 p), sin(w2 p), cos(w2 p), ...
    """
    # TODO: the angles omega_k * p for every position and frequency; interleave their
    # sines and cosines into the columns.
    # BEGIN SOLUTION
    angles = p[:, None] * omegas[None, :]  # [N, d / 2]
    return torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(p.shape[0], -1)
    # END SOLUTION


def attention_weights(p: torch.Tensor, omegas: torch.Tensor, W_q: torch.Tensor, W_k: torch.Tensor) -> torch.Tensor:
    """Attention weights [N, N] when the tokens are their positional encodings X:
    softmax over the keys (the last dimension) of (X W_q)(X W_k)^T / sqrt(d)."""
    # TODO: X = positional_encoding(p, omegas); scores (X W_q)(X W_k)^T / sqrt(d);
    # softmax over the keys.
    # BEGIN SOLUTION
    X = positional_encoding(p, omegas)
    scores = (X @ W_q) @ (X @ W_k).T / math.sqrt(X.shape[1])
    return torch.softmax(scores, dim=-1)
    # END SOLUTION
