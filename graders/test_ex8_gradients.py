"""Exercise 8.4: compute_input_gradients returns the gradient of p(y=1 | x) with respect to x."""
import numpy as np
import pytest
from ex8_shared import GRIDS, aligned, fixed_model_weights, load_fixed_model

from autograder import checks, in_worker


@in_worker
def gradients_on_grid(gradients2d, weights, bounds, steps):
    """The student's gradients, with two framework answers for the same points: central finite
    differences of p(y=1 | x) in float64, and the gradient of the class-1 logit (a known mistake)."""
    import torch

    result = gradients2d.compute_input_gradients(load_fixed_model(gradients2d, weights), *bounds, steps=steps)
    net = load_fixed_model(gradients2d, weights).net.double()
    xs, ys = torch.linspace(bounds[0], bounds[1], steps), torch.linspace(bounds[2], bounds[3], steps)
    YY, XX = torch.meshgrid(ys.double(), xs.double(), indexing="ij")  # "xy" layout
    points = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)
    p1 = lambda x: torch.softmax(net(x), dim=1)[:, 1]  # noqa: E731
    h = 1e-5
    with torch.no_grad():
        fd = [(p1(points + h * e) - p1(points - h * e)) / (2 * h) for e in torch.eye(2, dtype=torch.float64)]
    points.requires_grad_(True)
    (logit_grad,) = torch.autograd.grad(net(points)[:, 1].sum(), points)
    shape = (steps, steps)
    return {"result": result, "fd": [g.reshape(shape).float() for g in fd],
            "logit": [logit_grad[:, i].reshape(shape).float() for i in range(2)]}


def gradients(student, reference_inputs, grid):
    """The student's gradients and the framework's answers for one grid, shared by the tests."""
    bounds, steps = GRIDS[grid]
    return student.run_once(gradients_on_grid, fixed_model_weights(student, reference_inputs), bounds, steps)


def student_gradients(out, grid):
    bounds, steps = GRIDS[grid]
    what = f"compute_input_gradients(model, {', '.join(map(str, bounds))}, steps={steps})"
    GX, GY = aligned(out["result"], ("XX", "YY", "GX", "GY"), bounds, steps, what)
    logit = out["logit"]
    hints = [
        (lambda g, ref: np.allclose(g, logit[0], atol=1e-4) or np.allclose(g, logit[1], atol=1e-4),
         "this is the gradient of the logit, not of the probability p(y=1 | x)"),
        (lambda g, ref: np.allclose(g, -ref, atol=1e-4), "this is the gradient of p(y=0 | x), not of p(y=1 | x)"),
        (lambda g, ref: np.allclose(g, ref.T, atol=1e-4), "the gradients are transposed with respect to XX and YY"),
    ]
    return what, GX, GY, hints


@pytest.mark.parametrize("grid", GRIDS)
def test_gradients_match_the_reference(student, reference, reference_inputs, grid):
    what, GX, GY, hints = student_gradients(gradients(student, reference_inputs, grid), grid)
    if not reference.regenerate:  # a known mistake that only the pair shows
        expected = reference.load(f"gradients_{grid}")
        if not np.allclose(GX, expected["GX"], atol=1e-5) and np.allclose(GX, expected["GY"], atol=1e-5, rtol=1e-4) \
                and np.allclose(GY, expected["GX"], atol=1e-5, rtol=1e-4):
            checks.fail(f"{what}: GX and GY are swapped: GX is the derivative along x (the first coordinate)")
    reference.arrays({"GX": GX, "GY": GY}, f"gradients_{grid}", what=what, atol=1e-5, rtol=1e-4, hints=hints, dtype="floating")


@pytest.mark.parametrize("grid", GRIDS)
def test_gradients_match_finite_differences(student, reference_inputs, grid):
    out = gradients(student, reference_inputs, grid)
    what, GX, GY, hints = student_gradients(out, grid)
    fd = out["fd"]
    # float32 autograd against float64 central differences (h = 1e-5): measured <= 3e-6.
    checks.close(GX, fd[0], f"{what}: GX", atol=1e-4, rtol=1e-4, hints=hints, dtype="floating")
    checks.close(GY, fd[1], f"{what}: GY", atol=1e-4, rtol=1e-4, hints=hints, dtype="floating")
