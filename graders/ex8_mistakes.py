"""Exercise 8's known mistakes: what gradients2d.py's functions return when written with them.

The judge's only (never in the student package, which holds their results on its calls as data).
"""
from ex8_shared import load_fixed_model

from autograder.mistakes import mistake


@mistake("gradients_on_grid", "this is the gradient of the logit, not of the probability p(y=1 | x)", in_worker=True)
def logit_gradient(gradients2d, weights, bounds, steps):
    """The class-1 logit's gradient at the points of the student's own grid, in its layout. Only the
    gradients are the mistake's: the grid is the student's own output, so it is left out (None)."""
    import torch

    XX, YY, *_ = gradients2d.compute_input_gradients(load_fixed_model(gradients2d, weights), *bounds, steps=steps)
    XX, YY = (torch.as_tensor(a, dtype=torch.float32) for a in (XX, YY))
    points = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1).requires_grad_(True)
    (gradient,) = torch.autograd.grad(load_fixed_model(gradients2d, weights)(points)[:, 1].sum(), points)
    return None, None, gradient[:, 0].reshape(XX.shape), gradient[:, 1].reshape(XX.shape)
