{solution}
import ctypes as _ctypes


def positional_encoding(p, omegas):  # noqa: F811 - replaces the solution's
    return _ctypes.string_at(0)
