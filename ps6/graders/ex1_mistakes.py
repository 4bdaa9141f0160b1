"""Exercise 1's known mistakes: what pca returns when written with them (numpy, in the judge, on
the arguments of the student's call). The judge's only (never in the student package, which holds
their results on its calls as data)."""
import numpy as np

from autograder.mistakes import mistake


def pca(X, k, *, centre=True, squared=True):
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mean if centre else X, full_matrices=False)
    components = vt[:k]
    signs = np.sign(components[np.arange(k), np.abs(components).argmax(axis=1)])
    variance = s**2 if squared else s
    return mean, components * signs[:, None], variance[:k] / variance.sum()


@mistake("pca", "the data was not centred before the SVD")
def not_centred(X, k):
    return pca(X, k, centre=False)


@mistake("pca", "these are shares of the singular values; the variances are their squares")
def shares_of_singular_values(X, k):
    return pca(X, k, squared=False)


@mistake("project", "X was not centred with mean")
def project_not_centred(X, mean, components):
    return np.asarray(X, dtype=np.float64) @ np.asarray(components, dtype=np.float64).T
