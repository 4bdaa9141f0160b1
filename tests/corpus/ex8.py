"""Exercise 8 (gradients2d.py): typical mistakes and correct alternatives."""
F = "gradients2d.py"
# context: the start of evaluate_on_grid's and compute_input_gradients's answers
GRID_DOC = "    # (e) reshape to [steps, steps] so that P lines up with XX and YY.\n    # BEGIN SOLUTION\n"
GRAD_DOC = "    # of grid.grad, reshaped to [steps, steps], are GX and GY.\n    # BEGIN SOLUTION\n"

BUGS = {
    "softmax in forward": (F, [("        return self.net(x)", "        return torch.softmax(self.net(x), dim=1)")], {'hint.forward-returns-probabilities-return-the-scores-the-softmax-belongs-in-the-loss'}),
    "no optimizer.step()": (F, [("            optimizer.step()\n", "")], {'hint.the-loop-never-calls-optimizer-step'}),
    "accuracy as a percentage": (F, [(".float().mean().item()", ".float().mean().item() * 100")], {'hint.a-percentage-report-a-fraction-in'}),
    "softmax over the points": (F, [("probs = torch.softmax(model(grid), dim=1)", "probs = torch.softmax(model(grid), dim=0)")], {'hint.the-softmax-ran-over-the-wrong-dimension-normalise-over-the-two-classes'}),
    "probability of class 0": (F, [("P = probs[:, 1].reshape(steps, steps)", "P = probs[:, 0].reshape(steps, steps)")], {'hint.this-is-p-y-x-not-p-y-x'}),
    "log_softmax instead of softmax": (F, [("probs = torch.softmax(model(grid), dim=1)",
                                            "probs = torch.log_softmax(model(grid), dim=1)")], {'hint.these-are-log-probabilities-log-softmax-p-is-the-probability-itself-softmax', 'relation.logarithm'}),
    "P transposed against XX, YY": (F, [("P = probs[:, 1].reshape(steps, steps)", "P = probs[:, 1].reshape(steps, steps).T")], {'hint.p-is-transposed-with-respect-to-xx-and-yy', 'relation.axes'}),
    "grid without its last value": (F, [(GRID_DOC + "    xs = torch.linspace(x_min, x_max, steps)\n",
                                         GRID_DOC + "    xs = torch.arange(steps) * (x_max - x_min) / steps + x_min\n")], {'relation.grid-endpoint'}),
    "gradient of the logit": (F, [("p1 = torch.softmax(model(grid), dim=1)[:, 1]", "p1 = model(grid)[:, 1]")], {'gradients_on_grid.logit_gradient'}),
    "GX and GY swapped": (F, [("return XX, YY, grads[:, 0].reshape(steps, steps), grads[:, 1].reshape(steps, steps)",
                               "return XX, YY, grads[:, 1].reshape(steps, steps), grads[:, 0].reshape(steps, steps)")], {'hint.gx-is-the-derivative-along-x-the-first-coordinate-gy-along-y', 'hint.the-arrows-x-and-y-components-are-swapped', 'relation.swapped-parts'}),
    "gradient grid without its last value": (F, [(
        GRAD_DOC + "    xs = torch.linspace(x_min, x_max, steps)\n    ys = torch.linspace(y_min, y_max, steps)\n",
        GRAD_DOC + "    xs = torch.linspace(x_min, x_max, steps + 1)[:-1]\n    ys = torch.linspace(y_min, y_max, steps + 1)[:-1]\n")], {'relation.grid-endpoint'}),
    # realistic mistakes of a student writing the functions from the handout
    "x and y swapped in the points": (F, [("grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)\n    with torch.no_grad():",
                                           "grid = torch.stack([YY.reshape(-1), XX.reshape(-1)], dim=1)\n    with torch.no_grad():")], {'probabilities_on_grid.points_swapped'}),
    "sigmoid of the class-1 score": (F, [("probs = torch.softmax(model(grid), dim=1)", "probs = torch.sigmoid(model(grid))")], {'probabilities_on_grid.sigmoid_of_one_score'}),
    "P is the score": (F, [("probs = torch.softmax(model(grid), dim=1)", "probs = model(grid)")], {'probabilities_on_grid.score_not_probability'}),
    "P is the predicted class": (F, [("P = probs[:, 1].reshape(steps, steps)", "P = (probs.argmax(dim=1) == 1).float().reshape(steps, steps)")], {'probabilities_on_grid.predicted_class'}),
    "x and y swapped in the gradient's points": (F, [("grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)\n    grid.requires_grad_(True)",
                                                      "grid = torch.stack([YY.reshape(-1), XX.reshape(-1)], dim=1)\n    grid.requires_grad_(True)")], {'gradients_on_grid.gradient_points_swapped'}),
    "gradient of the log-probability": (F, [("p1 = torch.softmax(model(grid), dim=1)[:, 1]", "p1 = torch.log_softmax(model(grid), dim=1)[:, 1]")], {'gradients_on_grid.log_probability_gradient'}),
    "components split by a reshape": (F, [("    return XX, YY, grads[:, 0].reshape(steps, steps), grads[:, 1].reshape(steps, steps)",
                                           "    GX, GY = grads.reshape(2, steps, steps)\n    return XX, YY, GX, GY")], {'gradients_on_grid.components_mixed_by_a_reshape'}),
}

VARIANTS = {
    "ij meshgrid indexing": (F, [
        (GRID_DOC + "    xs = torch.linspace(x_min, x_max, steps)\n    ys = torch.linspace(y_min, y_max, steps)\n"
         '    XX, YY = torch.meshgrid(xs, ys, indexing="xy")',
         GRID_DOC + "    xs = torch.linspace(x_min, x_max, steps)\n    ys = torch.linspace(y_min, y_max, steps)\n"
         '    XX, YY = torch.meshgrid(xs, ys, indexing="ij")'),
        (GRAD_DOC + "    xs = torch.linspace(x_min, x_max, steps)\n    ys = torch.linspace(y_min, y_max, steps)\n"
         '    XX, YY = torch.meshgrid(xs, ys, indexing="xy")',
         GRAD_DOC + "    xs = torch.linspace(x_min, x_max, steps)\n    ys = torch.linspace(y_min, y_max, steps)\n"
         '    XX, YY = torch.meshgrid(xs, ys, indexing="ij")')]),
    "numpy grid and numpy results": (F, [(
        GRID_DOC + "    xs = torch.linspace(x_min, x_max, steps)\n    ys = torch.linspace(y_min, y_max, steps)\n"
        '    XX, YY = torch.meshgrid(xs, ys, indexing="xy")\n'
        "    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)\n",
        GRID_DOC + "    import numpy as np\n\n"
        "    XX, YY = np.meshgrid(np.linspace(x_min, x_max, steps), np.linspace(y_min, y_max, steps))\n"
        "    grid = torch.tensor(np.stack([XX.ravel(), YY.ravel()], axis=1), dtype=torch.float32)\n"),
        ("    P = probs[:, 1].reshape(steps, steps)\n    return XX, YY, P",
         "    P = probs[:, 1].reshape(steps, steps).numpy()\n    return XX, YY, P")]),
    "torch.autograd.grad": (F, [("    model.zero_grad()\n    p1.sum().backward()\n    grads = grid.grad\n",
                                 "    (grads,) = torch.autograd.grad(p1.sum(), grid)\n")]),
    "SGD with momentum": (F, [("torch.optim.Adam(model.parameters(), lr=lr)",
                               "torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)")]),
    "sigmoid of the score difference": (F, [(
        "p1 = torch.softmax(model(grid), dim=1)[:, 1]",
        "scores = model(grid)\n    p1 = torch.sigmoid(scores[:, 1] - scores[:, 0])")]),
}
