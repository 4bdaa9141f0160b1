"""Exercise 2: assign picks the nearest centroid (the lowest index on a tie); kmeans runs Lloyd's
algorithm from the given centroids for `iters` iterations, keeps an empty cluster's centroid in
place, and does not change its arguments."""
import numpy as np
import pytest
from ps6_shared import blobs, parts

from autograder import checks, in_worker

X = blobs()
CASES = {  # name: (points, initial centroids, iterations)
    "three blobs": (X, X[:3], 10),
    "five centroids, two far away": (X, np.array([[0.0, 0.0], [4.0, 1.0], [1.5, 4.0], [40.0, 40.0], [-30.0, 5.0]]), 4),
    "no iteration": (X, X[:3], 0),
    "one iteration from far away": (X, np.array([[8.0, 8.0], [9.0, -3.0], [-4.0, 6.0]]), 1),
    "two iterations from far away": (X, np.array([[8.0, 8.0], [9.0, -3.0], [-4.0, 6.0]]), 2),
}


# Known mistakes (one iteration too many or too few, argmax, ...) are in ex2_mistakes.py: every failed
# check of assign's or kmeans's result tries them on the same arguments.
NAN = [(lambda c, ref: not np.all(np.isfinite(c)), "a centroid without points must stay where it is")]


def test_assign_picks_the_nearest_centroid(student, reference):
    rng = np.random.default_rng(3)
    points, centroids = rng.normal(size=(50, 2)), rng.normal(size=(4, 2))
    labels = checks.array(student.assign(points, centroids), "assign(X [50, 2], centroids [4, 2])", shape=(50,),
                          dtype="int64")  # as the docstring says (argmin gives int32 on some platforms)
    reference.arrays({"labels": labels}, "assign", what="assign(X, centroids)", atol=0, dtype=None)


def test_a_tie_goes_to_the_lowest_index(student):
    points, centroids = np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[-1.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    labels = checks.array(student.assign(points, centroids), "assign(a point halfway between two centroids)",
                          shape=(2,), dtype=None)
    checks.equal([int(v) for v in labels], [0, 1], "assign(a point halfway between two centroids)")


@pytest.mark.parametrize("name", CASES)
def test_kmeans_matches_the_reference(student, reference, name):
    points, init, iters = CASES[name]
    centroids, labels = parts(student.kmeans(points, init, iters=iters), ("centroids", "labels"),
                              f"kmeans({name}, iters={iters})")
    # Centroids are float64 means of the same points, whatever way the distances are computed
    # (measured: the np.linalg.norm variant gives them bit for bit); 1e-9 allows another summation order.
    reference.arrays({"centroids": centroids}, f"kmeans_{name.replace(' ', '_').replace(',', '')}_centroids",
                     what=f"kmeans({name}, iters={iters}): centroids", atol=1e-9, dtype="floating", hints=NAN)
    checks.array(labels, f"kmeans({name}): labels", shape=(len(points),), dtype="int64")
    reference.arrays({"labels": labels}, f"kmeans_{name.replace(' ', '_').replace(',', '')}_labels",
                     what=f"kmeans({name}, iters={iters}): labels", atol=0, dtype=None)


@in_worker
def changes_its_arguments(kmeans, points, init):
    import numpy as np

    before = (points.copy(), init.copy())
    kmeans.kmeans(points, init, iters=3)
    return {"points": bool(np.array_equal(points, before[0])), "centroids": bool(np.array_equal(init, before[1]))}


def test_kmeans_does_not_change_its_arguments(student):
    kept = student.run(changes_its_arguments, X, X[:3].copy())
    for name, same in kept.items():
        if not same:
            checks.fail(f"kmeans changed its {name} argument", hint="work on a copy (np.array(centroids, dtype=float))")
