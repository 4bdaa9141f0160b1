"""Exercise 3: plot_clusters draws the points coloured by label, the centroids as black crosses,
the title and the axis labels, and returns the Figure; graded from the rendered figure."""
import numpy as np
from ps6_shared import blobs

from autograder import checks, in_worker
from autograder.figures import rendered

X, LABELS = blobs(40, seed=4, with_labels=True)  # the blob each point came from: the plot is graded on its own
CENTROIDS = np.array([[0.2, 0.1], [3.9, 1.1], [1.4, 3.8]])


@in_worker
def draw(kmeans, points, labels, centroids):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    with plt.style.context("default"):
        fig = kmeans.plot_clusters(points, labels, centroids)
        if not isinstance(fig, Figure):
            return {"not a figure": type(fig).__name__}
        return rendered(fig)


def test_the_cluster_plot_matches_the_reference_picture(student, reference):
    out = student.run(draw, X, LABELS, CENTROIDS)
    if isinstance(out, dict) and "not a figure" in out:
        checks.fail(f"plot_clusters should return the matplotlib Figure, got a {out['not a figure']}")
    # What the plot shows (title, axis labels, the points and their colours, the crosses) must be the
    # reference's; the picture may differ in at most 3 % of its 8 px blocks (antialiasing and fonts).
    reference.figure(out, "clusters", what="the cluster plot", max_changed_share=0.03)
