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


def _student_grid(gradients2d, weights, bounds, steps, function="evaluate_on_grid"):
    """The points of the student's own grid, in its layout: XX, YY as tensors (in the worker)."""
    import torch

    model = load_fixed_model(gradients2d, weights)
    result = getattr(gradients2d, function)(model, *bounds, steps=steps)
    return tuple(torch.as_tensor(a, dtype=torch.float32).detach() for a in result[:2])


def _on_points(gradients2d, weights, XX, YY, swapped=False):
    """The model's class scores at the points (XX, YY) of the grid (at (YY, XX) when ``swapped``)."""
    import torch

    first, second = (YY, XX) if swapped else (XX, YY)
    points = torch.stack([first.reshape(-1), second.reshape(-1)], dim=1)
    with torch.no_grad():
        return load_fixed_model(gradients2d, weights)(points)


@mistake("probabilities_on_grid", "x and y are swapped in the points given to the model: stack "
                                  "[XX.reshape(-1), YY.reshape(-1)], x first", in_worker=True)
def points_swapped(gradients2d, weights, bounds, steps):
    import torch

    XX, YY = _student_grid(gradients2d, weights, bounds, steps)
    scores = _on_points(gradients2d, weights, XX, YY, swapped=True)
    return None, None, torch.softmax(scores, dim=1)[:, 1].reshape(XX.shape)


@mistake("probabilities_on_grid", "P is the sigmoid of the class-1 score alone; p(y=1 | x) is the softmax over both "
                                  "scores, column 1", in_worker=True)
def sigmoid_of_one_score(gradients2d, weights, bounds, steps):
    import torch

    XX, YY = _student_grid(gradients2d, weights, bounds, steps)
    return None, None, torch.sigmoid(_on_points(gradients2d, weights, XX, YY)[:, 1]).reshape(XX.shape)


@mistake("probabilities_on_grid", "P is the class-1 score (logit): apply the softmax over the two classes first",
         in_worker=True)
def score_not_probability(gradients2d, weights, bounds, steps):
    XX, YY = _student_grid(gradients2d, weights, bounds, steps)
    return None, None, _on_points(gradients2d, weights, XX, YY)[:, 1].reshape(XX.shape)


@mistake("probabilities_on_grid", "P is the predicted class (0 or 1); P is the probability p(y=1 | x) itself",
         in_worker=True)
def predicted_class(gradients2d, weights, bounds, steps):
    XX, YY = _student_grid(gradients2d, weights, bounds, steps)
    scores = _on_points(gradients2d, weights, XX, YY)
    return None, None, (scores[:, 1] > scores[:, 0]).float().reshape(XX.shape)


def _gradients(gradients2d, weights, bounds, steps, objective, swapped=False):
    """The gradient of ``objective(scores)`` (one value per point) at the student's grid points,
    as [N, 2] in the order of the model's inputs, and the grid's shape."""
    import torch

    XX, YY = _student_grid(gradients2d, weights, bounds, steps, "compute_input_gradients")
    first, second = (YY, XX) if swapped else (XX, YY)
    points = torch.stack([first.reshape(-1), second.reshape(-1)], dim=1).requires_grad_(True)
    (gradient,) = torch.autograd.grad(objective(load_fixed_model(gradients2d, weights)(points)).sum(), points)
    return gradient, XX.shape


@mistake("gradients_on_grid", "x and y are swapped in the points given to the model: stack "
                              "[XX.reshape(-1), YY.reshape(-1)], x first", in_worker=True)
def gradient_points_swapped(gradients2d, weights, bounds, steps):
    import torch

    gradient, shape = _gradients(gradients2d, weights, bounds, steps, lambda s: torch.softmax(s, dim=1)[:, 1],
                                 swapped=True)
    return None, None, gradient[:, 0].reshape(shape), gradient[:, 1].reshape(shape)


@mistake("gradients_on_grid", "this is the gradient of log p(y=1 | x) (log_softmax); take the gradient of the "
                              "probability itself (softmax)", in_worker=True)
def log_probability_gradient(gradients2d, weights, bounds, steps):
    import torch

    gradient, shape = _gradients(gradients2d, weights, bounds, steps, lambda s: torch.log_softmax(s, dim=1)[:, 1])
    return None, None, gradient[:, 0].reshape(shape), gradient[:, 1].reshape(shape)


@mistake("gradients_on_grid", "grads.reshape(2, steps, steps) mixes the two components: GX is the column "
                              "grads[:, 0], GY the column grads[:, 1], each reshaped to [steps, steps]", in_worker=True)
def components_mixed_by_a_reshape(gradients2d, weights, bounds, steps):
    import torch

    gradient, shape = _gradients(gradients2d, weights, bounds, steps, lambda s: torch.softmax(s, dim=1)[:, 1])
    GX, GY = gradient.reshape(2, *shape)
    return None, None, GX, GY
