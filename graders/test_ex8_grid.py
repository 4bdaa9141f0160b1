"""Exercise 8.3: evaluate_on_grid returns XX, YY and P = p(y=1 | x), aligned point by point."""
import numpy as np
import pytest
from ex8_shared import GRIDS, aligned, fixed_model_weights, load_fixed_model

from autograder import in_worker


@in_worker
def probabilities_on_grid(gradients2d, weights, bounds, steps):
    return gradients2d.evaluate_on_grid(load_fixed_model(gradients2d, weights), *bounds, steps=steps)


P_HINTS = [
    (lambda P, ref: np.allclose(P, 1 - ref, atol=1e-4), "this is p(y=0 | x), not p(y=1 | x)"),
    (lambda P, ref: np.allclose(P, ref.T, atol=1e-4), "P is transposed with respect to XX and YY"),
    (lambda P, ref: abs(P.sum() - 1) < 1e-3 or abs(P.sum() - P.shape[0]) < 1e-3,
     "the softmax ran over the wrong dimension: normalise over the two classes"),
    (lambda P, ref: np.allclose(P, np.log(ref), atol=1e-4),
     "these are log-probabilities (log_softmax); P is the probability itself (softmax)"),
]


@pytest.mark.parametrize("grid", GRIDS)
def test_p_is_the_class_1_probability_aligned_with_the_grid(student, reference, reference_inputs, grid):
    bounds, steps = GRIDS[grid]
    result = student.run(probabilities_on_grid, fixed_model_weights(student, reference_inputs), bounds, steps)
    what = f"evaluate_on_grid(model, {', '.join(map(str, bounds))}, steps={steps})"
    (P,) = aligned(result, ("XX", "YY", "P"), bounds, steps, what)
    # Same weights, float32: a correct variant differs only in op and batch order (measured 0 here).
    reference.arrays({"P": P}, f"grid_{grid}", what=what + ": P", atol=1e-5, hints=P_HINTS, dtype="floating")
