"""Exercise 2's known mistakes: what kmeans.py's functions return when written with them (numpy,
in the judge, on the arguments of the student's call). The judge's only (never in the student
package, which holds their results on its calls as data)."""
import numpy as np

from autograder.mistakes import mistake


def nearest(X, centroids):
    return ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1).argmin(axis=1)


def lloyd(X, centroids, iters):
    """k-means as the handout states it, for the mistakes below."""
    centroids = np.array(centroids, dtype=np.float64)
    labels = nearest(X, centroids)
    for _ in range(iters):
        labels = nearest(X, centroids)
        for j in range(len(centroids)):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean(axis=0)
    return centroids, labels


@mistake("assign", "these are the farthest centroids: argmin, not argmax")
def farthest(X, centroids):
    return ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1).argmax(axis=1)


@mistake("kmeans", "one iteration too many: range(iters) runs the loop iters times")
def one_iteration_too_many(X, centroids, iters=10):
    return lloyd(X, centroids, iters + 1)


@mistake("kmeans", "one iteration too few: range(iters) runs the loop iters times")
def one_iteration_too_few(X, centroids, iters=10):
    return lloyd(X, centroids, iters - 1) if iters > 0 else None


@mistake("kmeans", "the labels come from an assignment after the last update (the centroids moved before the "
                   "points were assigned, or the points were assigned again after the loop): assign first, then "
                   "update, and return the labels the centroids were last updated from")
def update_first(X, centroids, iters=10):
    """Each iteration updates from the previous assignment, then assigns: one update behind."""
    centroids = np.array(centroids, dtype=np.float64)
    labels = ((X[:, None] - centroids[None]) ** 2).sum(-1).argmin(1)
    for _ in range(iters):
        for j in range(len(centroids)):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean(axis=0)
        labels = ((X[:, None] - centroids[None]) ** 2).sum(-1).argmin(1)
    return centroids, labels


def manhattan(X, centroids):
    return np.abs(X[:, None, :] - centroids[None, :, :]).sum(axis=-1).argmin(axis=1)


@mistake("assign", "these are the nearest centroids by the Manhattan (L1) distance: use the Euclidean one, the sum "
                   "of the squared differences")
def manhattan_distance(X, centroids):
    return manhattan(np.asarray(X, dtype=np.float64), np.asarray(centroids, dtype=np.float64))


@mistake("assign", "argmin over axis 0 gives each centroid's nearest point: take the argmin over the centroids "
                   "(axis=1), one label per point")
def nearest_point_of_each_centroid(X, centroids):
    return ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1).argmin(axis=0)


@mistake("kmeans", "the points were assigned by the Manhattan (L1) distance: use the Euclidean one")
def kmeans_manhattan(X, centroids, iters=10):
    X, centroids = np.asarray(X, dtype=np.float64), np.array(centroids, dtype=np.float64)
    labels = manhattan(X, centroids)
    for _ in range(iters):
        labels = manhattan(X, centroids)
        for j in range(len(centroids)):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean(axis=0)
    return centroids, labels


@mistake("kmeans", "X[labels == j].mean() averages all the coordinates into one number: take the mean over the "
                   "points, mean(axis=0)")
def mean_of_all_coordinates(X, centroids, iters=10):
    X, centroids = np.asarray(X, dtype=np.float64), np.array(centroids, dtype=np.float64)
    labels = nearest(X, centroids)
    for _ in range(iters):
        labels = nearest(X, centroids)
        for j in range(len(centroids)):
            if np.any(labels == j):
                centroids[j] = X[labels == j].mean()
    return centroids, labels

