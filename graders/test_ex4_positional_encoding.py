"""Exercise 4: interleaved sinusoidal encodings; their dot products depend on p - q only, and so
do the attention weights they induce."""
import numpy as np
import pytest

from autograder import checks, tensor

OMEGAS = (1.0 / 10.0 ** (np.arange(4) / 2)).astype(np.float32)  # d = 8
P = np.array([0.0, 1.0, 2.0, 3.5, 7.0, 10.0, -2.0], dtype=np.float32)


def encodings(student, p=P, omegas=OMEGAS) -> np.ndarray:
    what = f"positional_encoding(p [{len(p)}], omegas [{len(omegas)}])"
    return checks.array(student.positional_encoding(tensor(p), tensor(omegas)), what,
                        shape=(len(p), 2 * len(omegas)), hints=[
                            (lambda X, ref: X.shape == (len(p), len(omegas)), "each frequency gives two columns"),
                        ]).astype(np.float64)


def test_the_encodings_match_the_reference(student, reference):
    # Known mistakes (sines and cosines in blocks, or swapped, ...) are in ex4_mistakes.py.
    X = student.positional_encoding(tensor(P), tensor(OMEGAS))
    reference.arrays({"X": X}, "encodings", what="positional_encoding(p, omegas)", atol=1e-6)


def test_each_frequency_pair_has_unit_norm(student):
    X = encodings(student)
    norms = X[:, 0::2] ** 2 + X[:, 1::2] ** 2
    checks.close(norms, np.ones_like(norms), "sin^2 + cos^2 of each frequency pair", atol=1e-5, dtype=None)


def test_dot_products_depend_only_on_the_offset(student):
    shift = np.float32(5.25)
    X, Y = encodings(student), encodings(student, P + shift)
    checks.close(Y @ Y.T, X @ X.T, "<PE(p + s), PE(q + s)> against <PE(p), PE(q)>", atol=1e-4, dtype=None)


def test_dot_products_are_sums_of_cosines_of_the_offset(student):
    X = encodings(student)
    offsets = P[:, None].astype(np.float64) - P[None, :]
    expected = np.cos(offsets[..., None] * OMEGAS.astype(np.float64)).sum(axis=-1)
    checks.close(X @ X.T, expected, "<PE(p), PE(q)> against sum_k cos(w_k (p - q))", atol=1e-4, dtype=None)


@pytest.mark.parametrize("seed", [0, 1])
def test_attention_weights_match_the_reference(student, reference, seed):
    rng = np.random.default_rng(seed)
    W_q, W_k = (rng.normal(size=(8, 8)).astype(np.float32) for _ in range(2))
    out = student.attention_weights(tensor(P), tensor(OMEGAS), tensor(W_q), tensor(W_k))
    # Known mistakes (scores not scaled, or divided by d, the softmax over the queries) are in ex4_mistakes.py.
    reference.arrays({"A": out}, f"attention_{seed}", what=f"attention_weights(p, omegas, W_q, W_k) (seed {seed})",
                     atol=1e-5)
