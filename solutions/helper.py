"""Provided code for exercise 8: the toy data set and the plot. You do not need to edit this file."""
import matplotlib

matplotlib.use("Agg")  # draw to files; works without a screen
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402


def make_toy_dataset(n: int = 400, noise: float = 0.2, seed: int = 0):
    """Two interleaved half moons in R^2: no straight line separates the classes.

    Returns X, float32 [n, 2], and y, int64 [n] with values 0 and 1 (n // 2 of class 0).
    """
    rng = np.random.default_rng(seed)
    n0 = n // 2
    angles = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(angles[:n0]), np.sin(angles[:n0])], axis=1)
    lower = np.stack([1.0 - np.cos(angles[n0:]), 0.5 - np.sin(angles[n0:])], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    order = rng.permutation(n)
    return torch.tensor(X[order], dtype=torch.float32), torch.tensor(y[order], dtype=torch.int64)


def _as_numpy(a):
    return a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


def plot_data_boundary_and_gradients(X, y, grid, gradients, save_path=None):
    """Data, p(y=1 | x) as filled contours, the decision boundary p = 0.5 and the gradient field.

    ``grid`` is what evaluate_on_grid returns, (XX, YY, P); ``gradients`` what
    compute_input_gradients returns, (XX, YY, GX, GY), possibly on a coarser grid. Either
    meshgrid indexing works. Returns the matplotlib figure; saves it if ``save_path`` is given.
    """
    X, y = _as_numpy(X), _as_numpy(y)
    XX, YY, P = (_as_numpy(a) for a in grid)
    GXX, GYY, GX, GY = (_as_numpy(a) for a in gradients)
    fig, ax = plt.subplots(figsize=(6.4, 5.2), dpi=100)
    filled = ax.contourf(XX, YY, P, levels=np.linspace(0.0, 1.0, 11), cmap="RdBu_r", alpha=0.8)
    fig.colorbar(filled, ax=ax, label="p(y=1 | x)")
    ax.contour(XX, YY, P, levels=[0.5], colors="k", linewidths=2)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="bwr", edgecolors="k", linewidths=0.4, s=14)
    # Arrow lengths are to scale: the longest spans 1.5 grid cells.
    cell = max(np.ptp(GXX) / max(GXX.shape[1] - 1, 1), np.ptp(GYY) / max(GYY.shape[0] - 1, 1))
    longest = float(np.sqrt(GX**2 + GY**2).max())
    ax.quiver(GXX, GYY, GX, GY, color="k", angles="xy", scale_units="xy", pivot="mid",
              scale=longest / (1.5 * cell) if longest > 0 else 1.0, width=0.004)
    ax.set(xlim=(XX.min(), XX.max()), ylim=(YY.min(), YY.max()), xlabel="$x_1$", ylabel="$x_2$",
           title=r"$p(y=1 \mid x)$ and $\nabla_x\, p(y=1 \mid x)$")
    fig.tight_layout()
    if save_path is not None:
        fig.savefig(save_path)
    return fig
