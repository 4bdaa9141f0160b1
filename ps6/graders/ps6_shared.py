"""Shared by the graders of problem set 6: the data sets (made in the judge with numpy)."""
import numpy as np

from autograder import checks


def blobs(n_per_cluster=60, centers=((0.0, 0.0), (4.0, 1.0), (1.5, 4.0)), spread=0.8, seed=0,
          with_labels=False):
    """Points around ``centers``, shuffled; with ``with_labels``, also the blob each came from."""
    rng = np.random.default_rng(seed)
    points = np.concatenate([rng.normal(c, spread, size=(n_per_cluster, 2)) for c in centers])
    order = rng.permutation(len(points))
    labels = np.repeat(np.arange(len(centers)), n_per_cluster)[order]
    return (points[order], labels) if with_labels else points[order]


def correlated(n=200, seed=0, scales=(3.0, 1.0, 0.2)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(scales))) * np.array(scales)
    rotation, _ = np.linalg.qr(rng.normal(size=(len(scales), len(scales))))
    return z @ rotation.T + np.arange(len(scales), dtype=np.float64)


def parts(result, names: tuple[str, ...], what: str) -> tuple:
    """``result`` is a tuple (or list) of ``len(names)`` values; one line otherwise."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        checks.fail(f"{what} should return ({', '.join(names)}), got {checks.describe(result)}")
    return tuple(result)
