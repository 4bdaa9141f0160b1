"""Exercises 2 and 3: k-means clustering (Lloyd's algorithm) and a plot of its clusters.

Fill in the parts marked ``# TODO``. Run ``python kmeans.py`` to cluster three blobs and save the
plot as ``kmeans.png``.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from helper_data import make_blobs  # noqa: E402


def assign(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The index [N] (int64) of the nearest centroid (Euclidean) of every row of ``X``; a tie goes
    to the lowest index."""
    # TODO: the squared distances [N, k] from every point to every centroid, then their argmin.
    # BEGIN SOLUTION
    distances = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1)
    return distances.argmin(axis=1).astype(np.int64)
    # END SOLUTION


def kmeans(X: np.ndarray, centroids: np.ndarray, iters: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's algorithm from the initial ``centroids`` ([k, d]): ``iters`` times, assign every
    point to its nearest centroid, then move every centroid to the mean of its points (a centroid
    with no point stays where it is). Returns (centroids [k, d], the labels [N] of the last
    assignment). Does not change its arguments."""
    # TODO: copy the centroids; repeat iters times: labels = assign(...), then update each
    # centroid that has points.
    # BEGIN SOLUTION
    centroids = np.array(centroids, dtype=np.float64)
    labels = assign(X, centroids)
    for _ in range(iters):
        labels = assign(X, centroids)
        for j in range(len(centroids)):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean(axis=0)
    return centroids, labels
    # END SOLUTION


def plot_clusters(X: np.ndarray, labels: np.ndarray, centroids: np.ndarray):
    """A figure of the clustering: the points coloured by label (colour map "tab10", labels 0 to 9
    mapped to its colours: vmin=0, vmax=9), the centroids as black "x" markers of size 100 on top,
    the title "k-means, k = <k>", axis labels "x1" and "x2". Returns the matplotlib Figure."""
    # TODO: fig, ax = plt.subplots(); ax.scatter for the points (c=labels), then for the centroids;
    # title and labels; return fig.
    # BEGIN SOLUTION
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="tab10", vmin=0, vmax=9, s=12)
    ax.scatter(centroids[:, 0], centroids[:, 1], c="black", marker="x", s=100)
    ax.set_title(f"k-means, k = {len(centroids)}")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return fig
    # END SOLUTION


if __name__ == "__main__":
    X = make_blobs()
    centroids, labels = kmeans(X, X[:3], iters=10)
    plot_clusters(X, labels, centroids).savefig("kmeans.png")
    print("saved kmeans.png")
