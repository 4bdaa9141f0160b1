"""Exercise 8.5: the plot of data, p(y=1 | x), decision boundary and gradient field, and its arrays."""
from ex8_shared import aligned, fixed_model_weights, load_fixed_model

from autograder import in_worker

BOUNDS = (-1.8, 2.8, -1.3, 1.8)


@in_worker
def draw_plot(gradients2d, weights, bounds, render):
    import io

    import helper
    import matplotlib.pyplot as plt

    model = load_fixed_model(gradients2d, weights)
    X, y = helper.make_toy_dataset()
    grid = gradients2d.evaluate_on_grid(model, *bounds, steps=60)
    grads = gradients2d.compute_input_gradients(model, *bounds, steps=15)
    if not render:
        return {"grid": grid, "gradients": grads}
    with plt.style.context("default"):
        fig = helper.plot_data_boundary_and_gradients(X, y, grid, grads)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    return buffer.getvalue()


def test_the_arrays_behind_the_plot_match_the_reference(student, reference, reference_inputs):
    out = student.run(draw_plot, fixed_model_weights(student, reference_inputs), BOUNDS, render=False)
    (P,) = aligned(out["grid"], ("XX", "YY", "P"), BOUNDS, 60, "evaluate_on_grid for the plot")
    GX, GY = aligned(out["gradients"], ("XX", "YY", "GX", "GY"), BOUNDS, 15, "compute_input_gradients for the plot")
    reference.arrays({"P": P, "GX": GX, "GY": GY}, "plot_arrays", what="the plotted arrays", atol=1e-5, rtol=1e-4,
                     dtype="floating")


def test_the_rendered_plot_matches_the_reference_picture(student, reference, reference_inputs):
    png = student.run(draw_plot, fixed_model_weights(student, reference_inputs), BOUNDS, render=True)
    reference.image(png, "plot", what="the gradient plot", max_mean_difference=0.1)
