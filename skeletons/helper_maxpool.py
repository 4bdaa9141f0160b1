"""Provided code for exercise 7: the 2 x 5 comparison grid. You do not need to edit this file."""
import matplotlib

matplotlib.use("Agg")  # draw to files; works without a screen
import matplotlib.pyplot as plt  # noqa: E402

ITERATIONS = (1, 2, 4, 8, 16)


def experiment_panels(image, maxpool_iter, gaussian_blur_iter, tensor_to_numpy_image,
                      iterations=ITERATIONS, k=3, blur_k=5, sigma=1.0):
    """The ten pictures of the grid, as [H, W] arrays keyed "maxpool_<n>" and "blur_<n>".

    ``image`` is a [1, 1, H, W] tensor; the three functions are yours from iter_maxpool.py.
    """
    panels = {}
    for n in iterations:
        panels[f"maxpool_{n}"] = tensor_to_numpy_image(maxpool_iter(image, k=k, iters=n))
        panels[f"blur_{n}"] = tensor_to_numpy_image(gaussian_blur_iter(image, k=blur_k, sigma=sigma, iters=n))
    return panels


def draw_grid(panels, iterations=ITERATIONS):
    """Max pooling in the first row, Gaussian blur in the second, one column per iteration count."""
    fig, axes = plt.subplots(2, len(iterations), figsize=(2.2 * len(iterations), 4.8), dpi=100)
    rows = (("maxpool", "max pooling"), ("blur", "Gaussian blur"))
    for col, n in enumerate(iterations):
        for row, (key, title) in enumerate(rows):
            ax = axes[row, col]
            # A fixed grey scale: an image that is not in [0, 1] shows as such.
            ax.imshow(panels[f"{key}_{n}"], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
            ax.set_title(f"{title}, {n} iter.", fontsize=9)
            ax.axis("off")
    fig.tight_layout()
    return fig


def run_experiment(image, maxpool_iter, gaussian_blur_iter, tensor_to_numpy_image,
                   iterations=ITERATIONS, save_path=None):
    """Draw the 2 x 5 grid for ``image`` with your functions; save it if ``save_path`` is given.

    Returns the matplotlib figure.
    """
    panels = experiment_panels(image, maxpool_iter, gaussian_blur_iter, tensor_to_numpy_image, iterations)
    fig = draw_grid(panels, iterations)
    if save_path is not None:
        fig.savefig(save_path)
    return fig
