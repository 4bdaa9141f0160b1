"""Exercise 8.4: compute_input_gradients returns the gradient of p(y=1 | x) with respect to x."""
import numpy as np
import pytest
from ex8_shared import GRIDS, aligned, fixed_model_weights, load_fixed_model

from autograder import checks, in_worker


@in_worker
def gradients_on_grid(gradients2d, weights, bounds, steps):
    """The student's gradients on the fixed model. (The reference is checked against float64
    finite differences and torch.func's Jacobian in tests/test_oracles_ex8.py; the gradient of the
    logit, a known mistake, is in ex8_mistakes.py.)"""
    return gradients2d.compute_input_gradients(load_fixed_model(gradients2d, weights), *bounds, steps=steps)


@pytest.mark.parametrize("grid", GRIDS)
def test_gradients_match_the_reference(student, reference, reference_inputs, grid):
    bounds, steps = GRIDS[grid]
    out = student.run(gradients_on_grid, fixed_model_weights(student, reference_inputs), bounds, steps)
    what = f"compute_input_gradients(model, {', '.join(map(str, bounds))}, steps={steps})"
    GX, GY = aligned(out, ("XX", "YY", "GX", "GY"), bounds, steps, what)
    hints = [
        (lambda g, ref: np.allclose(g, -ref, atol=1e-4), "this is the gradient of p(y=0 | x), not of p(y=1 | x)"),
        (lambda g, ref: np.allclose(g, ref.T, atol=1e-4), "the gradients are transposed with respect to XX and YY"),
    ]
    if not reference.regenerate:  # a known mistake that only the pair shows
        expected = reference.load(f"gradients_{grid}")
        if not np.allclose(GX, expected["GX"], atol=1e-5) and np.allclose(GX, expected["GY"], atol=1e-5, rtol=1e-4) \
                and np.allclose(GY, expected["GX"], atol=1e-5, rtol=1e-4):
            checks.fail(f"{what}: GX and GY are swapped", hint="GX is the derivative along x (the first "
                                                                  "coordinate), GY along y")
    # Same weights, float32 against the float32 reference: a correct variant differs only in op
    # order (measured <= 1e-7).
    reference.arrays({"GX": GX, "GY": GY}, f"gradients_{grid}", what=what, atol=1e-5, rtol=1e-4, hints=hints,
                     dtype="floating")
