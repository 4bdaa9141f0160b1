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


@mistake("positional_encoding", "the frequencies were recomputed as 1 / 10000^(2k / d) (the Transformer paper's); "
                                "use the omegas given")
def own_frequencies(p, omegas):
    half = len(omegas)
    return encode(p, 1.0 / 10000.0 ** (2 * np.arange(half) / (2 * half)))


@mistake("positional_encoding", "the angles were built as omegas[:, None] * p[None, :] ([d/2, N]); take "
                                "p[:, None] * omegas[None, :] ([N, d/2]) before interleaving")
def angles_transposed(p, omegas):
    p, omegas = np.asarray(p, dtype=np.float64), np.asarray(omegas, dtype=np.float64)
    angles = omegas[:, None] * p[None, :]
    return np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(len(p), -1)


def scores(p, omegas, W_q, W_k, *, transposed=False, swapped=False):
    X = encode(p, omegas)
    W_q, W_k = (np.asarray(W, dtype=np.float64) for W in (W_q, W_k))
    if transposed:
        W_q, W_k = W_q.T, W_k.T
    if swapped:
        W_q, W_k = W_k, W_q
    return (X @ W_q) @ (X @ W_k).T, X.shape[1]


def softmax(s, axis=-1):
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@mistake("attention_weights", "the weights were applied as nn.Linear does (X W^T): the scores are (X W_q)(X W_k)^T")
def weights_transposed(p, omegas, W_q, W_k):
    s, d = scores(p, omegas, W_q, W_k, transposed=True)
    return softmax(s / np.sqrt(d))


@mistake("attention_weights", "W_q and W_k are swapped: the queries are X W_q (the rows), the keys X W_k")
def queries_and_keys_swapped(p, omegas, W_q, W_k):
    s, d = scores(p, omegas, W_q, W_k, swapped=True)
    return softmax(s / np.sqrt(d))


@mistake("attention_weights", "the scores were divided by sqrt(d / 2) (the number of frequencies); d is the "
                              "encoding's length, 2 x len(omegas)")
def scaled_by_half_d(p, omegas, W_q, W_k):
    s, d = scores(p, omegas, W_q, W_k)
    return softmax(s / np.sqrt(d / 2))


@mistake("attention_weights", "the weights were divided by sqrt(d) after the softmax: scale the scores before it")
def scaled_after_the_softmax(p, omegas, W_q, W_k):
    s, d = scores(p, omegas, W_q, W_k)
    return softmax(s) / np.sqrt(d)


@mistake("attention_weights", "these are the scaled scores: the softmax over the keys is missing")
def no_softmax(p, omegas, W_q, W_k):
    s, d = scores(p, omegas, W_q, W_k)
    return s / np.sqrt(d)
