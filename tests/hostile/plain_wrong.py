{solution}


def maxpool_iter(x, k=3, iters=1):  # noqa: F811 - a plain wrong answer, to compare the thieves with
    return x * 0
