"""Provided: the data sets of problem set 6 (do not edit; the graders use their own copy)."""
import numpy as np


def make_blobs(n_per_cluster: int = 60, centers=((0.0, 0.0), (4.0, 1.0), (1.5, 4.0)), spread: float = 0.8,
               seed: int = 0) -> np.ndarray:
    """Points [n_per_cluster * len(centers), 2] around ``centers``, shuffled: a data set with visible clusters."""
    rng = np.random.default_rng(seed)
    points = np.concatenate([rng.normal(c, spread, size=(n_per_cluster, 2)) for c in centers])
    return points[rng.permutation(len(points))]


def make_correlated(n: int = 200, seed: int = 0) -> np.ndarray:
    """Points [n, 3] stretched along one direction, a little along a second, barely along a third."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 3)) * np.array([3.0, 1.0, 0.2])
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return z @ rotation.T + np.array([1.0, -2.0, 0.5])
