"""Exercise 4's known mistakes: what positional_encoding.py's functions return when written with them."""
import numpy as np

from autograder.mistakes import mistake


def encode(p, omegas, *, first=np.sin, second=np.cos, interleave=True, divide=False):
    p, omegas = np.asarray(p, dtype=np.float64), np.asarray(omegas, dtype=np.float64)
    angles = p[:, None] / omegas[None, :] if divide else p[:, None] * omegas[None, :]
    if not interleave:
        return np.concatenate([first(angles), second(angles)], axis=1)
    return np.stack([first(angles), second(angles)], axis=-1).reshape(len(p), -1)


@mistake("positional_encoding", "sines and cosines are in blocks; interleave them: sin(w1 p), cos(w1 p), sin(w2 p), ...")
def blocks(p, omegas):
    return encode(p, omegas, interleave=False)


@mistake("positional_encoding", "cosine and sine are swapped: each pair is (sin(w p), cos(w p))")
def swapped(p, omegas):
    return encode(p, omegas, first=np.cos, second=np.sin)


@mistake("positional_encoding", "the positions were divided by the frequencies; the angle is w_k * p")
def divided(p, omegas):
    return encode(p, omegas, divide=True)


@mistake("positional_encoding", "the cosine was taken as sqrt(1 - sin^2), which loses its sign")
def pythagoras(p, omegas):
    return encode(p, omegas, second=lambda a: np.sqrt(1 - np.sin(a) ** 2))


def attention(p, omegas, W_q, W_k, *, scale=True, axis=-1, d_scale=False):
    X = encode(p, omegas)
    s = (X @ np.asarray(W_q, dtype=np.float64)) @ (X @ np.asarray(W_k, dtype=np.float64)).T
    if scale:
        s = s / (X.shape[1] if d_scale else np.sqrt(X.shape[1]))
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@mistake("attention_weights", "the scores were not scaled by 1/sqrt(d)")
def not_scaled(p, omegas, W_q, W_k):
    return attention(p, omegas, W_q, W_k, scale=False)


@mistake("attention_weights", "the scores were divided by d; the scale is 1/sqrt(d)")
def scaled_by_d(p, omegas, W_q, W_k):
    return attention(p, omegas, W_q, W_k, d_scale=True)


@mistake("attention_weights", "the softmax ran over the queries; normalise over the keys (each row sums to 1)")
def over_queries(p, omegas, W_q, W_k):
    return attention(p, omegas, W_q, W_k, axis=0)
