{solution}
import os as _os


def strided_conv_matrix(w, n, stride):  # noqa: F811 - replaces the solution's
    _os._exit(7)
