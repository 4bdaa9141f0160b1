"""Exercise 3: softmax_t(z, T) = softmax(z / T), stable; T -> 0 picks the argmax, T -> infinity is uniform."""
import numpy as np
import pytest

from autograder import checks, tensor

Z = np.array([[1.0, 2.0, 0.5, -1.0, 3.0], [0.0, 0.0, 0.1, -2.0, 1.0]], dtype=np.float32)


@pytest.mark.parametrize("T", [1.0, 0.5, 2.0, 10.0])
def test_values_match_the_reference(student, reference, T):
    # Known mistakes (z multiplied by T, the wrong dimension, ...) are in ex3_mistakes.py.
    out = student.softmax_t(tensor(Z), T)
    reference.arrays({"p": out}, f"softmax_T{T}", what=f"softmax_t(z [2, 5], T={T})", atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("T", [0.3, 1.0, 3.0])
def test_every_row_sums_to_one(student, T):
    p = checks.array(student.softmax_t(tensor(Z), T), f"softmax_t(z, T={T})", shape=Z.shape)
    checks.close(p.sum(axis=-1), np.ones(len(Z)), f"the row sums of softmax_t(z, T={T})", atol=1e-5, dtype=None)


LARGE = {"huge logits": ([1000.0, 999.0, 0.0], 1.0), "tiny temperature": ([1.0, 2.0, 3.0], 1e-3),
         "very negative logits": ([-800.0, -801.0, -900.0], 0.5)}


@pytest.mark.parametrize("case", LARGE)
def test_large_logits_and_tiny_temperatures_stay_finite(student, reference, case):
    z, T = LARGE[case]
    z = np.array(z, dtype=np.float32)
    # float32 values near |z / T| = 1000 are 6e-5 apart: a correct log-sum-exp softmax is off by
    # 2.2e-5 from the float64 softmax here (measured); an unstable one gives NaN.
    # A known mistake (the largest logit not subtracted: NaN) is in ex3_mistakes.py.
    reference.arrays({"p": student.softmax_t(tensor(z), T)}, f"large_{case.replace(' ', '_')}",
                     what=f"softmax_t({z.tolist()}, T={T})", atol=2e-4)


def test_a_tiny_temperature_gives_the_one_hot_argmax(student):
    z = Z[0]
    checks.close(student.softmax_t(tensor(z), 1e-4), np.eye(5)[np.argmax(z)], "softmax_t(z, T=1e-4)", atol=1e-6)


def test_a_huge_temperature_gives_the_uniform_distribution(student):
    checks.close(student.softmax_t(tensor(Z[0]), 1e6), np.full(5, 0.2), "softmax_t(z, T=1e6)", atol=1e-5)


def test_the_entropy_grows_with_the_temperature(student):
    temperatures = [0.1, 0.3, 1.0, 3.0, 10.0]
    entropies = []
    for T in temperatures:
        p = checks.array(student.softmax_t(tensor(Z[0]), T), f"softmax_t(z, T={T})", shape=(5,)).astype(np.float64)
        entropies.append(float(-(p * np.log(np.clip(p, 1e-300, None))).sum()))
    if not all(a < b for a, b in zip(entropies, entropies[1:])):
        checks.fail(f"the entropy of softmax_t(z, T) should grow with T; for T = {temperatures} it is "
                    f"{[round(e, 3) for e in entropies]}")
