{solution}


def maxpool_iter(x, k=3, iters=1):  # noqa: F811 - replaces the solution's
    raise ValueError("wrong on purpose")
