"""Comparisons made in the judge, each failing with one line a student can act on.

The order of diagnosis is fixed: type (tensor / array / number), shape, dtype, NaN or Inf, then
the size and place of the error. A failure names a mistake (``. Hint: ...``) only where it is
evidence of one, and only of the kind of the failure (:func:`autograder.mistakes.diagnose`); the
named mistake travels with the failure (``exception.hint``), so that results.json carries it as
its own field.

Every check takes ``hints``: the grader's own ``(test, message)`` pairs, where
``test(obtained, expected)`` is true when the obtained array is what that mistake returns
(``expected`` is None where only a shape is known); a hint is named only when its test holds for
the obtained value and not for the expected one.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
import pytest

from autograder.core import diagnosis as mistakes
from autograder.core.codec import Opaque, Value

# A grader's hint: (test, message).
Hint = tuple[Callable[[np.ndarray, "np.ndarray | None"], bool], str]


def fail(message: str, value=None, hints: Iterable[Hint] = (), expected=None, *, hint: str | None = None,
         kind: str = "values", shape: tuple | None = None, atol: float = 0.0, rtol: float = 0.0,
         dtype: str | None = None):
    """Fail the test with ``message`` (one line), naming the mistake ``value`` is evidence of, if
    any: the first of the grader's ``hints`` that holds, else a known mistake of the call the value
    came from, else a relation to ``expected``. ``hint``: the mistake this failure names for
    certain (a check of one property, e.g. "GX and GY are swapped"), said as the hint. ``kind``
    is what the check found wrong (:data:`autograder.mistakes.KINDS`); ``shape`` the expected shape
    where the values are not known; ``atol``, ``rtol`` the check's tolerance; ``dtype`` the dtype
    asked for, on a dtype failure."""
    __tracebackhide__ = True
    named = mistakes.Hint(mistakes.hint_id(hint), hint) if hint else None
    if named is None and isinstance(value, np.ndarray):
        named = mistakes.diagnose(mistakes.Failure(kind, value, expected, shape, atol, rtol, dtype), list(hints))
    failed(message, named)


def failed(message: str, hint: mistakes.Hint | None = None):
    """Raise the test's failure: ``message``, and the named mistake after it."""
    __tracebackhide__ = True
    exception = pytest.fail.Exception(message + (f". Hint: {hint.text}" if hint else ""), pytrace=False)
    exception.hint = hint
    raise exception


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
          hints: Iterable[Hint] = (), expected=None, atol: float = 0.0, rtol: float = 0.0) -> np.ndarray:
    """Check that ``value`` is an array-like of the stated shape and dtype, and return it.

    ``dtype``: a numpy dtype name, ``"floating"`` (any float precision) or None (any). The result
    stays a :class:`Value` (it remembers what it was in the worker and the call it came from), so
    it can be rearranged in the judge (``.T``, indexing) and checked again. ``expected`` (with the
    tolerance ``atol``, ``rtol`` it will be compared at), where known, sharpens the hints."""
    __tracebackhide__ = True
    kinds, hints = tuple(kinds), list(hints)
    if not isinstance(value, Value) or value.origin not in kinds:
        wanted = " or ".join("a tensor" if k == "torch.Tensor" else "a numpy array" for k in kinds)
        fail(f"{what} should be {wanted}, got {describe(value)}", kind="type")
    known = dict(expected=expected, shape=shape, atol=atol, rtol=rtol)
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{what} has shape {tuple(value.shape)}, expected {tuple(shape)}", value, hints, kind="shape", **known)
    if dtype == "floating":  # any float precision is acceptable here
        if not np.issubdtype(value.dtype, np.floating):
            fail(f"{what} has dtype {value.source_dtype or value.dtype}, expected a floating-point dtype", value, hints,
                 kind="dtype", dtype=dtype, **known)
    elif dtype is not None and value.dtype != np.dtype(dtype):
        fail(f"{what} has dtype {value.source_dtype or value.dtype}, expected {dtype}", value, hints, kind="dtype",
             dtype=dtype, **known)
    if finite and np.issubdtype(value.dtype, np.inexact) and not np.all(np.isfinite(value)):
        bad = int(np.size(value) - np.count_nonzero(np.isfinite(value)))
        fail(f"{what} contains {bad} NaN or Inf value(s)", value, hints, kind="nonfinite", **known)
    return value


def number(value, what: str, hints: Iterable[Hint] = ()) -> float:
    """A Python number, a numpy scalar or a one-element tensor/array; returned as float."""
    __tracebackhide__ = True
    if isinstance(value, bool) or not isinstance(value, (int, float, Value)) or (
        isinstance(value, Value) and value.size != 1
    ):
        fail(f"{what} should be a number, got {describe(value)}", kind="type")
    result = float(np.asarray(value).reshape(-1)[0]) if isinstance(value, Value) else float(value)
    if not np.isfinite(result):
        fail(f"{what} is {result}", np.asarray(result), hints, kind="nonfinite")
    return result


def number_hint(hints: Iterable[Hint], obtained: float, expected: float) -> mistakes.Hint | None:
    """The first of the grader's hints about a number that holds for the obtained number and not
    for the expected one."""
    for test, text in hints:
        try:
            if test(obtained, expected) and not test(expected, expected):
                return mistakes.Hint(mistakes.hint_id(text), text)
        except Exception:  # noqa: BLE001 - a hint that does not apply is no hint
            continue
    return None


def close(value, expected, what: str, *, atol: float, rtol: float = 0.0, hints: Iterable[Hint] = (),
          kinds: Iterable[str] = ("torch.Tensor", "numpy.ndarray"), dtype: str | None = "float32") -> None:
    """``value`` has ``expected``'s shape and matches it elementwise within atol + rtol * |expected|."""
    __tracebackhide__ = True
    expected, hints = np.asarray(expected), list(hints)
    obtained = array(value, what, shape=expected.shape, dtype=dtype, kinds=kinds, hints=hints, expected=expected,
                     atol=atol, rtol=rtol)
    bad = ~np.isclose(obtained, expected, atol=atol, rtol=rtol)
    if not bad.any():
        mistakes.passed(obtained, expected, atol, rtol)
        return
    error = np.abs(obtained.astype(np.float64) - expected)
    worst = np.unravel_index(int(np.argmax(np.where(bad, error, -1))), expected.shape)
    message = (f"{what}: {int(bad.sum())} of {bad.size} values differ from the reference; largest error "
               f"{float(error[worst]):.3g} at index {tuple(int(i) for i in worst)} "
               f"(got {float(obtained[worst]):.6g}, expected {float(expected[worst]):.6g}; tolerance {atol:g})")
    fail(message, obtained, hints, expected, atol=atol, rtol=rtol)


def mostly_close(value, expected, what: str, *, atol: float, rtol: float, max_relative_error: float,
                 max_outlier_share: float, hints: Iterable[Hint] = (),
                 kinds: Iterable[str] = ("torch.Tensor", "numpy.ndarray"), dtype: str | None = "float32") -> None:
    """For outputs that rounding can push across a threshold (a ReLU gate flipped by another
    summation order): the relative norm of the error, ||value - expected|| / ||expected||, is at
    most ``max_relative_error``, and at most ``max_outlier_share`` of the values lie outside
    atol + rtol * |expected|."""
    __tracebackhide__ = True
    expected, hints = np.asarray(expected), list(hints)
    obtained = array(value, what, shape=expected.shape, dtype=dtype, kinds=kinds, hints=hints, expected=expected,
                     atol=atol, rtol=rtol)
    error = obtained.astype(np.float64) - expected
    norm = float(np.linalg.norm(expected)) or 1.0
    relative = float(np.linalg.norm(error)) / norm
    bad = ~np.isclose(obtained, expected, atol=atol, rtol=rtol)
    share = float(bad.mean())
    if relative <= max_relative_error and share <= max_outlier_share:
        return  # (a mistake close enough to pass this check too cannot be told apart: none is refuted)
    worst = np.unravel_index(int(np.argmax(np.abs(error))), expected.shape)
    message = (f"{what}: relative error {relative:.2g} (allowed {max_relative_error:g}); {int(bad.sum())} of "
               f"{bad.size} values differ from the reference (allowed {max_outlier_share:.0%}); largest error "
               f"{float(abs(error[worst])):.3g} at index {tuple(int(i) for i in worst)}")
    fail(message, obtained, hints, expected, atol=atol, rtol=rtol)


def equal(value, expected, what: str, hints: Iterable[Hint] = ()) -> None:
    """Exact equality of plain values (numbers, strings, lists of them). A hint's test gets
    (obtained, expected) as they are."""
    __tracebackhide__ = True
    if value != expected:
        hint = number_hint(hints, value, expected)
        failed(f"{what}: got {value!r:.80}, expected {expected!r:.80}", hint)
