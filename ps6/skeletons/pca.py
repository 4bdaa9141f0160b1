"""Exercise 1: principal component analysis with the singular value decomposition.

Fill in the parts marked ``# TODO``. Run ``python pca.py`` to print the explained variance of a
data set stretched along one direction.
"""
import numpy as np

from helper_data import make_correlated


def pca(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first ``k`` principal components of the rows of ``X`` ([N, d]).

    Returns (mean [d], components [k, d], explained_variance_ratio [k]): the rows of
    ``components`` are unit vectors, by decreasing variance, each with the sign that makes its
    entry of largest magnitude positive; ``explained_variance_ratio[i]`` is the share of the total
    variance along component i.
    """
    # TODO: centre X; take the SVD of the centred data (np.linalg.svd, full_matrices=False); the
    # rows of Vt are the components; the variances are the squared singular values; fix the signs.
    raise NotImplementedError("pca")


def project(X: np.ndarray, mean: np.ndarray, components: np.ndarray) -> np.ndarray:
    """The coordinates [N, k] of the rows of ``X`` along ``components``, relative to ``mean``."""
    # TODO: centre X with mean and multiply by the transposed components.
    raise NotImplementedError("project")


if __name__ == "__main__":
    mean, components, ratio = pca(make_correlated(), 3)
    print("explained variance ratio:", np.round(ratio, 3))
