"""Planted bugs and correct variants of problem set 6: small edits of the solutions, graded by
the framework's tests (tests/test_problemsets.py of the repository). Each entry is
``name: (exercise, file, [(old, new), ...])``; a bug must lose points in its exercise and no
other, a variant must get full marks."""

BUGS = {
    "data not centred": (1, "pca.py", [("np.linalg.svd(X - mean, full_matrices=False)",
                                        "np.linalg.svd(X, full_matrices=False)")], {'pca.not_centred'}),
    "components as columns": (1, "pca.py", [("components = vt[:k]", "components = vt[:k].T")], {'hint.the-components-are-the-columns-return-them-as-rows-k-d', 'pca.columns_of_vt', 'relation.axes'}),
    "shares of the singular values": (1, "pca.py", [("variance = s**2", "variance = s")], {'pca.shares_of_singular_values'}),
    "signs not fixed": (1, "pca.py", [("return mean, components * signs[:, None],", "return mean, components,")], {'hint.right-up-to-the-sign-make-each-component-s-entry-of-largest-magnitude-positive', 'relation.sign'}),
    "project without centring": (1, "pca.py", [("return (X - mean) @ components.T", "return X @ components.T")], {'project.project_not_centred'}),
    "farthest centroid": (2, "kmeans.py", [("distances.argmin(axis=1)", "distances.argmax(axis=1)")], {'assign.farthest'}),
    "one iteration too many": (2, "kmeans.py", [("for _ in range(iters):", "for _ in range(iters + 1):")], {'kmeans.one_iteration_too_many'}),
    "empty cluster moves to NaN": (2, "kmeans.py", [("if np.any(labels == j):", "if True:")], {'hint.a-centroid-without-points-must-stay-where-it-is'}),
    "centroids changed in place": (2, "kmeans.py", [("centroids = np.array(centroids, dtype=np.float64)",
                                                     "centroids = np.asarray(centroids, dtype=np.float64)")], {'hint.work-on-a-copy-np-array-centroids-dtype-float'}),
    # realistic mistakes of a student writing the functions from the handout
    "components from the columns of Vt": (1, "pca.py", [("components = vt[:k]", "components = vt.T[:k]")], {'pca.columns_of_vt'}),
    "eigh's smallest eigenvalues": (1, "pca.py", [(
        "    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)\n    components = vt[:k]\n",
        "    values, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False, bias=True))\n"
        "    s, vt = np.sqrt(np.clip(values, 0, None)), vectors.T\n"
        "    components = vt[:k]\n")], {'pca.least_variance_components'}),
    "eigh's order kept": (1, "pca.py", [(
        "    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)\n    components = vt[:k]\n",
        "    values, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False, bias=True))\n"
        "    s, vt = np.sqrt(np.clip(values, 0, None)), vectors.T\n"
        "    components = vt[-k:]\n"),
        ("variance[:k] / variance.sum()", "variance[-k:] / variance.sum()")], {'pca.increasing_order'}),
    "ratio over the kept components": (1, "pca.py", [("variance[:k] / variance.sum()", "variance[:k] / variance[:k].sum()")], {'pca.ratio_of_the_kept_components'}),
    "mean over all entries": (1, "pca.py", [("mean = X.mean(axis=0)", "mean = X.mean()")], {'pca.mean_of_all_entries'}),
    "components from U": (1, "pca.py", [("    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)\n    components = vt[:k]\n",
                                         "    u, s, vt = np.linalg.svd(X - mean, full_matrices=False)\n    components = u[:, :k].T\n")], {'pca.left_singular_vectors'}),
    "project reconstructs": (1, "pca.py", [("return (X - mean) @ components.T", "return (X - mean) @ components.T @ components")], {'project.project_reconstruction'}),
    "project centres with X's own mean": (1, "pca.py", [("return (X - mean) @ components.T", "return (X - X.mean(axis=0)) @ components.T")], {'project.project_own_mean'}),
    "Manhattan distance": (2, "kmeans.py", [("distances = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1)",
                                            "distances = np.abs(X[:, None, :] - centroids[None, :, :]).sum(axis=-1)")], {'assign.manhattan_distance', 'kmeans.kmeans_manhattan'}),
    "argmin over the points": (2, "kmeans.py", [("distances.argmin(axis=1)", "distances.argmin(axis=0)")], {'assign.nearest_point_of_each_centroid', 'error.mask-length'}),
    "centroid as the mean of all coordinates": (2, "kmeans.py", [("centroids[j] = X[labels == j].mean(axis=0)", "centroids[j] = X[labels == j].mean()")], {'kmeans.mean_of_all_coordinates'}),
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
