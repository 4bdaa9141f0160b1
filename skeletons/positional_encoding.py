"""Exercise 4: sinusoidal positional encodings and the attention weights they induce."""
import math

import torch


def positional_encoding(p: torch.Tensor, omegas: torch.Tensor) -> torch.Tensor:
    """Encodings [N, d] of the positions p [N] with frequencies omegas [d / 2].

    The columns interleave sine and cosine: sin(w1 p), cos(w1 p), sin(w2 p), cos(w2 p), ...
    """
    # TODO: the angles omega_k * p for every position and frequency; interleave their
    # sines and cosines into the columns.
    raise NotImplementedError("positional_encoding")


def attention_weights(p: torch.Tensor, omegas: torch.Tensor, W_q: torch.Tensor, W_k: torch.Tensor) -> torch.Tensor:
    """Attention weights [N, N] when the tokens are their positional encodings X:
    softmax over the keys (the last dimension) of (X W_q)(X W_k)^T / sqrt(d)."""
    # TODO: X = positional_encoding(p, omegas); scores (X W_q)(X W_k)^T / sqrt(d);
    # softmax over the keys.
    raise NotImplementedError("attention_weights")
