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


def decomposed(X, *, mean_of_all=False):
    """(mean, singular values, Vt, U) of the centred data, as the student's pca computes them."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean() if mean_of_all else X.mean(axis=0)
    u, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    return mean, s, vt, u


def signed(components):
    """Each row with the sign that makes its entry of largest magnitude positive."""
    rows = np.arange(len(components))
    return components * np.sign(components[rows, np.abs(components).argmax(axis=1)])[:, None]


@mistake("pca", "these are the columns of Vt: the components are its rows, vt[:k]")
def columns_of_vt(X, k):
    mean, s, vt, _ = decomposed(X)
    return mean, signed(vt.T[:k]), s[:k] ** 2 / (s**2).sum()


@mistake("pca", "these are the components of least variance: np.linalg.eigh sorts the eigenvalues in increasing "
                "order; take the k largest, by decreasing variance")
def least_variance_components(X, k):
    mean, s, vt, _ = decomposed(X)
    return mean, signed(vt[::-1][:k]), s[::-1][:k] ** 2 / (s**2).sum()


@mistake("pca", "the components are in increasing order of variance (np.linalg.eigh's order): put them by "
                "decreasing variance")
def increasing_order(X, k):
    mean, s, vt, _ = decomposed(X)
    return (mean, signed(vt[:k][::-1]), s[:k][::-1] ** 2 / (s**2).sum()) if k > 1 else None


@mistake("pca", "the ratios are shares of the k kept components' variance; divide by the total variance of all "
                "components")
def ratio_of_the_kept_components(X, k):
    mean, s, vt, _ = decomposed(X)
    return mean, signed(vt[:k]), s[:k] ** 2 / (s[:k] ** 2).sum()


@mistake("pca", "the mean was taken over all entries (one number): take the mean of every column, X.mean(axis=0)")
def mean_of_all_entries(X, k):
    mean, s, vt, _ = decomposed(X, mean_of_all=True)
    return np.asarray(mean), signed(vt[:k]), s[:k] ** 2 / (s**2).sum()


@mistake("pca", "these are columns of U (one value per data point): the components are the rows of Vt")
def left_singular_vectors(X, k):
    mean, s, _, u = decomposed(X)
    return mean, signed(u[:, :k].T), s[:k] ** 2 / (s**2).sum()


@mistake("project", "this is the reconstruction in the data space, ((X - mean) C^T) C: project returns the "
                    "coordinates (X - mean) C^T, [N, k]")
def project_reconstruction(X, mean, components):
    C = np.asarray(components, dtype=np.float64)
    return (np.asarray(X, dtype=np.float64) - mean) @ C.T @ C


@mistake("project", "X was centred with its own mean: centre it with the mean passed in")
def project_own_mean(X, mean, components):
    X = np.asarray(X, dtype=np.float64)
    return (X - X.mean(axis=0)) @ np.asarray(components, dtype=np.float64).T
