"""Exercises 2 and 3: k-means clustering (Lloyd's algorithm) and a plot of its clusters.

Fill in the parts marked ``# TODO``. Run ``python kmeans.py`` to cluster three blobs and save the
plot as ``kmeans.png``.
"""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from helper_data import make_blobs  # noqa: E402


def assign(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The index [N] (int64) of the nearest centroid (Euclidean) of every row of ``X``; a tie goes
    to the lowest index."""
    # TODO: the squared distances [N, k] from every point to every centroid, then their argmin.
    raise NotImplementedError("assign")


def kmeans(X: np.ndarray, centroids: np.ndarray, iters: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's algorithm from the initial ``centroids`` ([k, d]): ``iters`` times, assign every
    point to its nearest centroid, then move every centroid to the mean of its points (a centroid
    with no point stays where it is). Returns (centroids [k, d], the labels [N] of the last
    assignment). Does not change its arguments."""
    # TODO: copy the centroids; repeat iters times: labels = assign(...), then update each
    # centroid that has points.
    raise NotImplementedError("kmeans")


def plot_clusters(X: np.ndarray, labels: np.ndarray, centroids: np.ndarray):
    """A figure of the clustering: the points coloured by label (colour map "tab10", labels 0 to 9
    mapped to its colours: vmin=0, vmax=9), the centroids as black "x" markers of size 100 on top,
    the title "k-means, k = <k>", axis labels "x1" and "x2". Returns the matplotlib Figure."""
    # TODO: fig, ax = plt.subplots(); ax.scatter for the points (c=labels), then for the centroids;
    # title and labels; return fig.
    raise NotImplementedError("plot_clusters")


if __name__ == "__main__":
    X = make_blobs()
    centroids, labels = kmeans(X, X[:3], iters=10)
    plot_clusters(X, labels, centroids).savefig("kmeans.png")
    print("saved kmeans.png")
