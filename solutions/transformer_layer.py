"""Exercises 5, 6 and 2: a Transformer encoder layer, its bugs, and its parameter count.

``BuggyTransformerLayer`` is the layer to debug (exercise 5): it holds several mistakes. Write the
corrected layer as ``TransformerLayer`` (same attribute names) and the closed-form parameter
count as ``count_parameters`` (exercise 6).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class BuggyTransformerLayer(nn.Module):
    """Multi-head self-attention, a feed-forward MLP, residuals and LayerNorms: with mistakes."""

    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.d_model = d_model
        self.n_heads = n_heads
        self.d_head = d_model // n_heads

        self.W_q = nn.Linear(d_model, d_model, bias=False)
        self.W_k = nn.Linear(d_model, d_model, bias=False)
        self.W_v = nn.Linear(d_model, d_model, bias=False)
        self.W_o = nn.Linear(d_model, d_model)

        self.ff1 = nn.Linear(d_model, d_model)
        self.ff2 = nn.Linear(d_ff, d_model)

        self.ln1 = nn.LayerNorm(self.d_head)
        self.ln2 = nn.LayerNorm(d_model)

    def forward(self, x, mask=None):
        B, T, D = x.shape

        q = self.W_q(x).view(B, self.n_heads, T, self.d_head)
        k = self.W_k(x).view(B, self.n_heads, T, self.d_head)
        v = self.W_v(x).view(B, self.n_heads, T, self.d_head)

        scores = q @ k.transpose(-1, -2) / self.d_head

        if mask is not None:
            scores = scores * mask

        weights = F.softmax(scores, dim=-1)
        attn = (weights @ v).transpose(1, 2).view(B, T, D)

        x = self.ln1(x) + self.W_o(attn)

        ff = self.ff2(F.relu(self.ff1(x)))
        x = self.ln2(x + ff)
        return x


class TransformerLayer(nn.Module):
    """The corrected layer: post-LN multi-head self-attention and feed-forward block."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int):
        # TODO: the same attributes as BuggyTransformerLayer, with the right dimensions.
        # BEGIN SOLUTION
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model = d_model
        self.n_heads = n_heads
        self.d_head = d_model // n_heads

        self.W_q = nn.Linear(d_model, d_model, bias=False)
        self.W_k = nn.Linear(d_model, d_model, bias=False)
        self.W_v = nn.Linear(d_model, d_model, bias=False)
        self.W_o = nn.Linear(d_model, d_model)

        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)

        self.ln1 = nn.LayerNorm(d_model)
        self.ln2 = nn.LayerNorm(d_model)
        # END SOLUTION

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: [B, T, d_model] -> [B, T, d_model]. ``mask`` broadcasts to [B, n_heads, T, T];
        a 1 / True entry lets the query attend to the key, 0 / False masks it out."""
        # TODO: q, k, v as [B, n_heads, T, d_head]; scaled scores; the mask (-inf where 0);
        # softmax over the keys; heads back to [B, T, d_model]; post-LN residual blocks.
        # BEGIN SOLUTION
        B, T, D = x.shape

        def heads(t):  # [B, T, D] -> [B, n_heads, T, d_head]
            return t.view(B, T, self.n_heads, self.d_head).transpose(1, 2)

        q, k, v = heads(self.W_q(x)), heads(self.W_k(x)), heads(self.W_v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head)  # [B, n_heads, T, T]
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        attn = (weights @ v).transpose(1, 2).reshape(B, T, D)  # back to [B, T, D]

        x = self.ln1(x + self.W_o(attn))
        x = self.ln2(x + self.ff2(F.relu(self.ff1(x))))
        return x
        # END SOLUTION


def count_parameters(d_model: int, d_ff: int) -> int:
    """The number of parameters of TransformerLayer(d_model, n_heads, d_ff), in closed form.

    (It does not depend on n_heads: why?)"""
    # TODO: add up the weights and biases of every Linear and LayerNorm.
    # BEGIN SOLUTION
    return 4 * d_model**2 + 2 * d_model * d_ff + d_ff + 6 * d_model
    # END SOLUTION
