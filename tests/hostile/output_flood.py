{solution}
_original = strided_conv_matrix


def strided_conv_matrix(w, n, stride):  # noqa: F811 - replaces the solution's
    line = "x" * 1_000_000
    for _ in range(64):  # 64 MB of output, more than the grader keeps
        print(line)
    return _original(w, n, stride)
