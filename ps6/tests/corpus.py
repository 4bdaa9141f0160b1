"""Planted bugs and correct variants of problem set 6: small edits of the solutions, graded by
the framework's tests (tests/test_problemsets.py of the repository). Each entry is
``name: (exercise, file, [(old, new), ...])``; a bug must lose points in its exercise and no
other, a variant must get full marks."""

BUGS = {
    "data not centred": (1, "pca.py", [("np.linalg.svd(X - mean, full_matrices=False)",
                                        "np.linalg.svd(X, full_matrices=False)")], {'pca.not_centred'}),
    "components as columns": (1, "pca.py", [("components = vt[:k]", "components = vt[:k].T")], {'hint.the-components-are-the-columns-return-them-as-rows-k-d', 'relation.axes'}),
    "shares of the singular values": (1, "pca.py", [("variance = s**2", "variance = s")], {'pca.shares_of_singular_values'}),
    "signs not fixed": (1, "pca.py", [("return mean, components * signs[:, None],", "return mean, components,")], {'hint.right-up-to-the-sign-make-each-component-s-entry-of-largest-magnitude-positive', 'relation.sign'}),
    "project without centring": (1, "pca.py", [("return (X - mean) @ components.T", "return X @ components.T")], {'project.project_not_centred'}),
    "farthest centroid": (2, "kmeans.py", [("distances.argmin(axis=1)", "distances.argmax(axis=1)")], {'assign.farthest'}),
    "one iteration too many": (2, "kmeans.py", [("for _ in range(iters):", "for _ in range(iters + 1):")], {'kmeans.one_iteration_too_many'}),
    "empty cluster moves to NaN": (2, "kmeans.py", [("if np.any(labels == j):", "if True:")], {'hint.a-centroid-without-points-must-stay-where-it-is'}),
    "centroids changed in place": (2, "kmeans.py", [("centroids = np.array(centroids, dtype=np.float64)",
                                                     "centroids = np.asarray(centroids, dtype=np.float64)")], {'hint.work-on-a-copy-np-array-centroids-dtype-float'}),
    "another colour map": (3, "kmeans.py", [('cmap="tab10"', 'cmap="viridis"')], set()),
    "centroids not drawn": (3, "kmeans.py", [('    ax.scatter(centroids[:, 0], centroids[:, 1], c="black", marker="x", s=100)\n',
                                              "")], set()),
    "axis labels swapped": (3, "kmeans.py", [('ax.set_xlabel("x1")\n    ax.set_ylabel("x2")',
                                              'ax.set_xlabel("x2")\n    ax.set_ylabel("x1")')], set()),
}

VARIANTS = {
    "eigenvectors of the covariance": (1, "pca.py", [(
        "    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)\n    components = vt[:k]\n",
        "    values, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False, bias=True))\n"
        "    order = np.argsort(values)[::-1]\n"
        "    s, vt = np.sqrt(np.clip(values[order], 0, None)), vectors[:, order].T\n"
        "    components = vt[:k]\n")]),
    "distances with np.linalg.norm": (2, "kmeans.py", [(
        "distances = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1)",
        "distances = np.linalg.norm(X[:, None, :] - centroids[None, :, :], axis=-1)")]),
    "plt.figure and add_subplot": (3, "kmeans.py", [("fig, ax = plt.subplots(figsize=(5, 4))",
                                                     "fig = plt.figure(figsize=(5, 4))\n    ax = fig.add_subplot()")]),
}
