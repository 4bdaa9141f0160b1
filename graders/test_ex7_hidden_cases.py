"""Exercise 7, hidden: the same functions on inputs students never see (not in the student release)."""
import numpy as np
import pytest

from autograder import tensor

pytestmark = pytest.mark.hidden

X = np.random.default_rng(11).random((3, 2, 20, 9), dtype=np.float32) - 0.5


def test_maxpool_on_unseen_inputs(student, reference):
    out = student.maxpool_iter(tensor(X), k=5, iters=3)
    reference.arrays({"out": out}, "hidden_maxpool", what="maxpool_iter(unseen x, k=5, iters=3)", atol=0.0)


def test_blur_on_unseen_inputs(student, reference):
    out = student.gaussian_blur_iter(tensor(X), k=3, sigma=0.7, iters=4)
    reference.arrays({"out": out}, "hidden_blur", what="gaussian_blur_iter(unseen x, k=3, sigma=0.7, iters=4)",
                     atol=1e-5)
