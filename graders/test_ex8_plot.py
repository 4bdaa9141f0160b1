"""Exercise 8.5: the plot of data, p(y=1 | x), decision boundary and gradient field, and its arrays."""
from ex8_shared import aligned, fixed_model_weights, load_fixed_model

from autograder import in_worker
from autograder.figures import rendered

BOUNDS = (-1.8, 2.8, -1.3, 1.8)


@in_worker
def draw_plot(gradients2d, weights, bounds, render):
    import helper
    import matplotlib.pyplot as plt

    model = load_fixed_model(gradients2d, weights)
    X, y = helper.make_toy_dataset()
    grid = gradients2d.evaluate_on_grid(model, *bounds, steps=60)
    grads = gradients2d.compute_input_gradients(model, *bounds, steps=15)
    if not render:
        return {"grid": grid, "gradients": grads}
    with plt.style.context("default"):
        return rendered(helper.plot_data_boundary_and_gradients(X, y, grid, grads))


def test_the_arrays_behind_the_plot_match_the_reference(student, reference, reference_inputs):
    out = student.run(draw_plot, fixed_model_weights(student, reference_inputs), BOUNDS, render=False)
    (P,) = aligned(out["grid"], ("XX", "YY", "P"), BOUNDS, 60, "evaluate_on_grid for the plot")
    GX, GY = aligned(out["gradients"], ("XX", "YY", "GX", "GY"), BOUNDS, 15, "compute_input_gradients for the plot")
    reference.arrays({"P": P, "GX": GX, "GY": GY}, "plot_arrays", what="the plotted arrays", atol=1e-5, rtol=1e-4,
                     dtype="floating")


def test_the_rendered_plot_matches_the_reference_picture(student, reference, reference_inputs):
    png = student.run(draw_plot, fixed_model_weights(student, reference_inputs), BOUNDS, render=True)
    # What the plot shows (axes, labels, points and their classes, arrows, colour scale) must equal
    # the reference's; the picture itself may differ in at most 3 % of its 8 px blocks. Measured
    # (python scripts/spread.py pictures): matplotlib 3.7.0 against the fixture (3.11.2) 1.15 % (contour
    # bands drawn otherwise); planted bugs: p(y=0 | x) 55 %, P transposed 46 %, softmax over the
    # points 32 % (the subtler ones, GX and GY swapped 0.2 %, are caught by the scene).
    reference.figure(png, "plot", what="the gradient plot", max_changed_share=0.03)
