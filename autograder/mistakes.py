"""Naming the mistake: when a result is wrong, what would the common mistakes have returned?

Two kinds of diagnosis, tried in this order after a grader's own hints:

1. **Known mistakes of a function**, listed by the problem set beside its graders, in
   ``graders/ex<N>_mistakes.py``: each is the function as a student who made that mistake would
   have written it, computed in the judge (numpy, no student code) on the same arguments as the
   student's call::

       from autograder.mistakes import mistake

       @mistake("maxpool_iter", "one iteration too few: range(iters) runs iters times")
       def one_iteration_too_few(x, k=3, iters=1):
           return maxpool(x, k, iters - 1)

   A result the student's call returned remembers the call (``Student`` marks it), so a failed
   check of it tries every known mistake of that function and names the first whose result
   matches.
2. **How the result relates to the expected one** (:data:`RELATIONS`): transposed, the sign
   flipped, every value scaled or shifted by one constant (a percentage, a missing
   normalisation), the right values in the wrong places, ... These need no list: they name
   mistakes nobody planted.

A diagnosis only ever adds ``. Hint: <what>`` to a failure; it never decides a verdict.
"""
from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from autograder.codec import TensorArg


@dataclass(frozen=True)
class Mistake:
    function: str  # the student function whose result it explains
    message: str  # the hint, naming the mistake
    compute: Callable  # the function as written with the mistake: same arguments, numpy in the judge


KNOWN: dict[str, list[Mistake]] = {}


def mistake(function: str, message: str):
    """Register the decorated function as what ``function`` returns with the mistake ``message``."""
    def register(compute: Callable) -> Callable:
        KNOWN.setdefault(function, []).append(Mistake(function, message, compute))
        return compute

    return register


def load(graders: Path, numbers) -> None:
    """Import the mistake lists of these exercises (``graders/ex<N>_mistakes.py``), once."""
    for number in numbers:
        path = graders / f"ex{number}_mistakes.py"
        name = f"_mistakes_ex{number}_{abs(hash(str(graders)))}"
        if path.is_file() and name not in sys.modules:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)


@dataclass(frozen=True)
class Call:
    """The student's call a result came from: function, arguments, and which part of a tuple."""
    function: str
    args: tuple
    kwargs: dict
    part: int | None = None

    def plain(self):
        """The arguments as the judge holds them: a tensor argument is its numpy array."""
        unwrap = lambda v: v.array if isinstance(v, TensorArg) else v  # noqa: E731
        return [unwrap(a) for a in self.args], {k: unwrap(v) for k, v in self.kwargs.items()}


def _same(obtained: np.ndarray, candidate, exact: bool = False) -> bool:
    candidate = np.asarray(candidate, dtype=np.float64)
    if candidate.shape != obtained.shape or not np.all(np.isfinite(candidate)) or candidate.size == 0:
        return False
    scale = float(np.max(np.abs(candidate))) or 1.0
    tolerance = 0.0 if exact else 1e-4 * scale + 1e-6
    return bool(np.all(np.abs(obtained - candidate) <= tolerance))


def known(obtained: np.ndarray, call: Call | None) -> str | None:
    """The first known mistake of the call's function whose result is what the student returned."""
    if call is None:
        return None
    args, kwargs = call.plain()
    for m in KNOWN.get(call.function, ()):
        try:
            result = m.compute(*args, **kwargs)
            if call.part is not None:
                result = result[call.part]
            if _same(obtained, result):
                return m.message
        except Exception:  # noqa: BLE001 - a mistake that does not apply to these arguments names nothing
            continue
    return None


def _factor(obtained: np.ndarray, expected: np.ndarray) -> float | None:
    """The one constant c with obtained == c * expected, or None."""
    nonzero = np.abs(expected) > 1e-12 * (np.max(np.abs(expected)) or 1.0)
    if nonzero.sum() < 2 or not np.allclose(obtained[~nonzero], 0.0, atol=1e-6):
        return None
    ratios = obtained[nonzero] / expected[nonzero]
    c = float(np.median(ratios))
    return c if abs(c - 1.0) > 1e-3 and np.allclose(ratios, c, rtol=1e-3, atol=0) else None


def _offset(obtained: np.ndarray, expected: np.ndarray) -> float | None:
    d = obtained - expected
    c = float(np.median(d))
    scale = float(np.max(np.abs(expected))) or 1.0
    return c if abs(c) > 1e-4 * scale and np.allclose(d, c, atol=1e-5 * scale) else None


def _relations(obtained: np.ndarray, expected: np.ndarray) -> str | None:
    if obtained.shape != expected.shape:
        if obtained.ndim >= 2 and obtained.shape == expected.swapaxes(-1, -2).shape and \
                _same(obtained, expected.swapaxes(-1, -2)):
            return "these are the expected values transposed: the last two axes are swapped"
        if obtained.size == expected.size and _same(obtained.reshape(-1), expected.reshape(-1)):
            return f"the right values in shape {obtained.shape}: reshape to {expected.shape}"
        return None
    if obtained.ndim >= 2 and obtained.shape[-1] == obtained.shape[-2] and _same(obtained, expected.swapaxes(-1, -2)):
        return "these are the expected values transposed: the last two axes are swapped"
    if _same(obtained, -expected):
        return "every value has the opposite sign"
    factor = _factor(obtained, expected)
    if factor is not None:
        if abs(factor - 100) < 1e-3:
            return "every value is 100 times the expected one: a percentage instead of a fraction"
        return f"every value is {factor:.4g} times the expected one: a scaling or normalisation is missing or extra"
    offset = _offset(obtained, expected)
    if offset is not None:
        return f"every value is off by the same {offset:.4g}: a constant is added or missing"
    for axis in range(obtained.ndim):
        if obtained.shape[axis] > 1 and _same(obtained, np.flip(expected, axis)):
            return f"the right values in reverse order along axis {axis}"
    if obtained.size > 1 and np.allclose(np.sort(obtained, axis=None), np.sort(expected, axis=None),
                                         atol=1e-5 * (float(np.max(np.abs(expected))) or 1.0)):
        return "the right values, in the wrong places"
    return None


def diagnose(value, expected=None) -> str | None:
    """The mistake a wrong result looks like: a known mistake of the call it came from, else a
    relation to the expected value; None when nothing matches."""
    try:
        obtained = np.asarray(value, dtype=np.float64)
        named = known(obtained, getattr(value, "call", None))
        if named or expected is None:
            return named
        return _relations(obtained, np.asarray(expected, dtype=np.float64))
    except (TypeError, ValueError):
        return None
