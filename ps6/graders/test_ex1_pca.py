"""Exercise 1: pca gives the mean, the unit components by decreasing variance (each with its largest
entry positive) and the explained variance ratios; project gives the coordinates along them."""
import numpy as np
import pytest
from ps6_shared import correlated, parts

from autograder import checks

DATASETS = {  # name: 200 points in 3-d stretched along one direction, 60 in 5-d, 40 in 2-d far from the origin
    "stretched": correlated(),
    "uneven": correlated(60, seed=1, scales=(5.0, 3.0, 2.0, 1.0, 0.5)),
    "offset": correlated(40, seed=2, scales=(2.0, 1.5)) + 10.0,
}
# Measured: the reference's SVD and an eigendecomposition of the covariance (another LAPACK path,
# the "eigenvectors of the covariance" variant) agree to 9e-16 on these data sets (numpy 2.4.6);
# 1e-9 leaves six orders of magnitude for other numpy and BLAS builds, and is far below every
# planted mistake (the nearest, the sign, is off by 2 x the entry).
ATOL = 1e-9


def hints(X, k):
    def same_up_to_sign(c, ref):
        return ref is not None and c.shape == ref.shape and np.allclose(np.abs(c), np.abs(ref), atol=1e-6)

    return [  # known mistakes (the data not centred, shares of the singular values) are in ex1_mistakes.py
        (lambda c, ref: c.shape == (X.shape[1], k), "the components are the columns: return them as rows [k, d]"),
        (same_up_to_sign, "right up to the sign: make each component's entry of largest magnitude positive"),
    ]


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("k", [1, 2])
def test_pca_matches_the_reference(student, reference, name, k):
    X = DATASETS[name]
    mean, components, ratio = parts(student.pca(X, k), ("mean", "components", "explained_variance_ratio"),
                                    f"pca(X {name}, k={k})")
    checks.array(components, f"pca(X {name}, k={k}): components", shape=(k, X.shape[1]), dtype="floating",
                 hints=hints(X, k))
    reference.arrays({"mean": mean, "components": components, "ratio": ratio}, f"pca_{name}_k{k}",
                     what=f"pca(X {name}, k={k})", atol=ATOL, dtype="floating", hints=hints(X, k))


def test_the_components_are_orthonormal_and_the_ratios_decrease(student):
    X = DATASETS["uneven"]
    _, components, ratio = parts(student.pca(X, 4), ("mean", "components", "explained_variance_ratio"), "pca(X, k=4)")
    components = checks.array(components, "pca(X, k=4): components", shape=(4, 5), dtype="floating")
    checks.close(components @ components.T, np.eye(4), "components @ components.T", atol=1e-9, dtype=None)
    ratio = checks.array(ratio, "pca(X, k=4): explained_variance_ratio", shape=(4,), dtype="floating")
    if not (np.all(np.diff(ratio) <= 0) and 0 < ratio.sum() <= 1 + 1e-12):
        checks.fail(f"the explained variance ratios should decrease and add up to at most 1, got {np.round(ratio, 4)}")


def test_project_gives_the_coordinates_along_the_components(student, reference):
    X = DATASETS["stretched"]
    rng = np.random.default_rng(5)
    mean, components = rng.normal(size=3), np.linalg.qr(rng.normal(size=(3, 3)))[0][:2]
    # A known mistake (X not centred) is in ex1_mistakes.py.
    reference.arrays({"Y": student.project(X, mean, components)}, "project", what="project(X, mean, components)",
                     atol=1e-9, dtype="floating")
