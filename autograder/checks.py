"""Comparisons made in the judge, each failing with one line a student can act on.

The order of diagnosis is fixed: type (tensor / array / number), shape, dtype, NaN or Inf, then
the size and place of the error. Hints name a likely mistake when the obtained value matches a
known wrong answer.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
import pytest

from autograder import mistakes
from autograder.codec import Opaque, Value

# A hint: (test, message). test(obtained, expected) is True when the obtained array looks like a
# known mistake; expected is None where no reference value is at hand (e.g. a shape check).
Hint = tuple[Callable[[np.ndarray, "np.ndarray | None"], bool], str]


def fail(message: str, value=None, hints: Iterable[Hint] = (), expected=None):
    """Fail the test with one line, naming the mistake ``value`` looks like: the first of the
    grader's ``hints`` that matches, else what :func:`autograder.mistakes.diagnose` finds."""
    __tracebackhide__ = True
    hint = None
    if isinstance(value, np.ndarray):
        for matches, text in hints:
            try:
                if matches(np.asarray(value), expected):
                    hint = text
                    break
            except Exception:  # noqa: BLE001 - a hint that does not apply is no hint
                pass
        hint = hint or mistakes.diagnose(value, expected)
    pytest.fail(message + (f". Hint: {hint}" if hint else ""), pytrace=False)


def describe(value) -> str:
    if isinstance(value, Value):
        kind = "tensor" if value.origin == "torch.Tensor" else "numpy array"
        return f"a {kind} of shape {tuple(value.shape)} ({value.source_dtype or value.dtype})"
    if isinstance(value, Opaque):
        return f"a {value.type_name}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__} ({value!r:.40})"


def array(value, what: str, *, shape: tuple | None = None, dtype: str | None = "float32",
          kinds: Iterable[str] = ("torch.Tensor", "numpy.ndarray"), finite: bool = True,
          hints: Iterable[Hint] = ()) -> np.ndarray:
    """Check that ``value`` is an array-like of the stated shape and dtype, and return it.

    The result stays a :class:`Value` (it remembers what it was in the worker), so it can be
    rearranged in the judge (``.T``, indexing) and checked again."""
    __tracebackhide__ = True
    kinds = tuple(kinds)
    if not isinstance(value, Value) or value.origin not in kinds:
        wanted = " or ".join("a tensor" if k == "torch.Tensor" else "a numpy array" for k in kinds)
        fail(f"{what} should be {wanted}, got {describe(value)}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{what} has shape {tuple(value.shape)}, expected {tuple(shape)}", value, hints)
    if dtype == "floating":  # any float precision is acceptable here
        if not np.issubdtype(value.dtype, np.floating):
            fail(f"{what} has dtype {value.source_dtype or value.dtype}, expected a floating-point dtype", value, hints)
    elif dtype is not None and value.dtype != np.dtype(dtype):
        fail(f"{what} has dtype {value.source_dtype or value.dtype}, expected {dtype}", value, hints)
    if finite and np.issubdtype(value.dtype, np.inexact) and not np.all(np.isfinite(value)):
        bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
        fail(f"{what} contains {bad} NaN or Inf value(s)", value, hints)
    return value


def number(value, what: str) -> float:
    """A Python number, a numpy scalar or a one-element tensor/array; returned as float."""
    __tracebackhide__ = True
    if isinstance(value, bool) or not isinstance(value, (int, float, Value)) or (
        isinstance(value, Value) and value.size != 1
    ):
        fail(f"{what} should be a number, got {describe(value)}")
    result = float(np.asarray(value).reshape(-1)[0]) if isinstance(value, Value) else float(value)
    if not np.isfinite(result):
        fail(f"{what} is {result}")
    return result


def close(value, expected, what: str, *, atol: float, rtol: float = 0.0, hints: Iterable[Hint] = (),
          kinds: Iterable[str] = ("torch.Tensor", "numpy.ndarray"), dtype: str | None = "float32") -> None:
    """``value`` has ``expected``'s shape and matches it elementwise within atol + rtol * |expected|."""
    __tracebackhide__ = True
    expected = np.asarray(expected)
    obtained = array(value, what, shape=expected.shape, dtype=dtype, kinds=kinds, hints=hints)
    bad = ~np.isclose(obtained, expected, atol=atol, rtol=rtol)
    if not bad.any():
        return
    error = np.abs(obtained.astype(np.float64) - expected)
    worst = np.unravel_index(int(np.argmax(np.where(bad, error, -1))), expected.shape)
    message = (f"{what}: {int(bad.sum())} of {bad.size} values differ from the reference; largest error "
               f"{float(error[worst]):.3g} at index {tuple(int(i) for i in worst)} "
               f"(got {float(obtained[worst]):.6g}, expected {float(expected[worst]):.6g}; tolerance {atol:g})")
    fail(message, obtained, hints, expected)


def mostly_close(value, expected, what: str, *, atol: float, rtol: float, max_relative_error: float,
                 max_outlier_share: float, hints: Iterable[Hint] = (),
                 kinds: Iterable[str] = ("torch.Tensor", "numpy.ndarray"), dtype: str | None = "float32") -> None:
    """For outputs that rounding can push across a threshold (a ReLU gate flipped by another
    summation order): the relative norm of the error, ||value - expected|| / ||expected||, is at
    most ``max_relative_error``, and at most ``max_outlier_share`` of the values lie outside
    atol + rtol * |expected|."""
    __tracebackhide__ = True
    expected = np.asarray(expected)
    obtained = array(value, what, shape=expected.shape, dtype=dtype, kinds=kinds, hints=hints)
    error = obtained.astype(np.float64) - expected
    norm = float(np.linalg.norm(expected)) or 1.0
    relative = float(np.linalg.norm(error)) / norm
    bad = ~np.isclose(obtained, expected, atol=atol, rtol=rtol)
    share = float(bad.mean())
    if relative <= max_relative_error and share <= max_outlier_share:
        return
    worst = np.unravel_index(int(np.argmax(np.abs(error))), expected.shape)
    message = (f"{what}: relative error {relative:.2g} (allowed {max_relative_error:g}); {int(bad.sum())} of "
               f"{bad.size} values differ from the reference (allowed {max_outlier_share:.0%}); largest error "
               f"{float(abs(error[worst])):.3g} at index {tuple(int(i) for i in worst)}")
    fail(message, obtained, hints, expected)


def equal(value, expected, what: str) -> None:
    """Exact equality of plain values (numbers, strings, lists of them)."""
    __tracebackhide__ = True
    if value != expected:
        fail(f"{what}: got {value!r:.80}, expected {expected!r:.80}")
