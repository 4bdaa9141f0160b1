"""Naming the mistake: when a result is wrong, which common mistake would have returned it?

A hint is evidence, never a guess. Three kinds of diagnosis are tried, in this order, and each
names a mistake only when it explains the failure: it holds for the value obtained, it does
not hold for the value expected (so it cannot be the right answer in disguise), and it is of the
kind of the failure (a dtype failure is never explained by a mistake about values):

1. **The grader's own hints**: ``(test, message)`` pairs, ``test(obtained, expected)``.
2. **Known mistakes of a function or probe**, listed by the problem set beside its graders, in
   ``graders/ex<N>_mistakes.py``: each is the function as a student who made that mistake would
   have written it, run on the same arguments as the student's call, in the judge (numpy) or,
   marked ``in_worker=True``, in the exercise's worker (torch), like a probe::

       from autograder.mistakes import mistake

       @mistake("maxpool_iter", "one iteration too few: range(iters) runs iters times")
       def one_iteration_too_few(x, k=3, iters=1):
           return maxpool(x, k, iters - 1)

   A result of ``student.f(...)`` or ``student.run(probe, ...)`` remembers its call, its place in
   the result (a tuple's part, a dict's entry) and the rearrangements the grader made of it since
   (:class:`autograder.core.codec.Value`); the mistake's result is taken apart and rearranged the same
   way before it is compared. Known mistakes are the judge's only: the student package holds
   their results on the public tests' calls as data (:class:`Recorded`), never their code.
3. **How the result relates to the expected one** (:mod:`autograder.core.relations`), for any
   exercise of any problem set: mistakes nobody planted.

Each diagnosis has a stable name (:attr:`Hint.id`): the class page counts mistakes by it.
A diagnosis only ever adds ``. Hint: <text>`` to a failure; it never decides a verdict.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from autograder.core.codec import TensorArg, rearrange

KINDS = ("type", "shape", "dtype", "nonfinite", "values")  # what a failed check found wrong, in checking order
RECORDED = "known_mistakes.npz"  # in fixtures/ex<N>/ of the student package: known mistakes' results as data


@dataclass(frozen=True)
class Hint:
    """A named mistake: ``id`` is stable (the class page groups by it), ``text`` is for the student."""
    id: str
    text: str


@dataclass(frozen=True)
class Mistake:
    function: str  # the student function, or the probe, whose result it explains
    message: str  # the hint, naming the mistake
    compute: Callable | None  # the function with the mistake, on the call's arguments (None: recorded only)
    name: str  # the mistake's own name (its function's name in ex<N>_mistakes.py)
    in_worker: bool = False  # computed in the worker, next to the student's code (torch)
    atol: float | None = None  # how far the student's result may be from it (None: 1e-4 of its scale)

    @property
    def id(self) -> str:
        return f"{self.function}.{self.name}"


def mistake(function: str, message: str, *, in_worker: bool = False, atol: float | None = None):
    """Declare the decorated function as what ``function`` (a student function or a probe) returns
    with the mistake ``message``. ``in_worker``: it runs in the worker, as a probe does
    (``compute(module, *args, **kwargs)``); ``atol``: the student's result may differ from it by
    that much (another library's way of making the same mistake), else by 1e-4 of its scale."""
    def declare(compute: Callable) -> Callable:
        compute.mistake = Mistake(function, message, None, compute.__name__, in_worker, atol)
        if in_worker:
            compute.in_worker = True  # the worker runs it as it runs a probe
        return compute

    return declare


def hint_id(text: str) -> str:
    """A grader hint's stable name: its words, numbers left out (one mistake, whatever the case)."""
    return "hint." + "-".join(re.findall(r"[a-z]+", text.lower()))[:80]


# -- the call a result came from ---------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    """The student's call (or the grader's probe) a result came from."""
    function: str
    args: tuple
    kwargs: dict
    exercise: int = 0
    path: tuple = ()  # where in the result a part sits: a tuple's index, a dict's key, ...
    source: object = field(default=None, compare=False, repr=False)  # what computes its known mistakes
    whole: object = field(default=None, compare=False, repr=False)  # the whole result (its other parts)

    def at(self, path: tuple, whole=None) -> Call:
        return Call(self.function, self.args, self.kwargs, self.exercise, path, self.source,
                    self.whole if whole is None else whole)

    def plain(self):
        """The arguments as the judge holds them: a tensor argument is its numpy array."""
        unwrap = lambda v: v.array if isinstance(v, TensorArg) else v  # noqa: E731
        return [unwrap(a) for a in self.args], {k: unwrap(v) for k, v in self.kwargs.items()}

    @property
    def key(self) -> str:
        """The call's fingerprint: its function and the exact content of its arguments."""
        h = hashlib.sha256(self.function.encode())
        _fingerprint(h, (tuple(self.args), dict(self.kwargs)))
        return h.hexdigest()[:24]


def _fingerprint(h, value) -> None:
    if isinstance(value, TensorArg):
        h.update(b"T" + str(value.requires_grad).encode())
        value = value.array
    if isinstance(value, np.ndarray):
        h.update(f"A{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (bytes, bytearray)):
        h.update(b"B%d:" % len(value) + bytes(value))
    elif isinstance(value, (list, tuple)):
        h.update(b"L%d[" % len(value))
        for item in value:
            _fingerprint(h, item)
        h.update(b"]")
    elif isinstance(value, dict):
        h.update(b"D%d{" % len(value))
        for k in sorted(value, key=str):
            h.update(str(k).encode() + b"=")
            _fingerprint(h, value[k])
        h.update(b"}")
    else:
        h.update(f"{type(value).__name__}:{value!r};".encode())


def part_of(result, path: tuple):
    """The part of a (nested) result at ``path``; None when the result has no such part."""
    for step in path:
        try:
            result = result[step]
        except (KeyError, IndexError, TypeError):
            return None
    return result


def flatten(result, path: tuple = ()) -> dict[tuple, np.ndarray]:
    """Every array or number in a nested result, by its path."""
    if result is None or isinstance(result, (str, bytes)):
        return {}
    if isinstance(result, dict):
        return {p: a for k, v in result.items() for p, a in flatten(v, (*path, k)).items()}
    if isinstance(result, (tuple, list)):
        return {p: a for i, v in enumerate(result) for p, a in flatten(v, (*path, i)).items()}
    try:
        array = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        return {}
    return {path: array}


# -- the known mistakes of a problem set --------------------------------------------------------
class Catalogue:
    """The known mistakes of a problem set's exercises: their code where the judge has it
    (``graders/ex<N>_mistakes.py``), else their results on the public calls, recorded as data
    (``fixtures/ex<N>/known_mistakes.npz``, in the student package). Results are computed once
    per call; in-worker mistakes run through ``runner(compute, call)`` (the exercise's worker)."""

    def __init__(self, graders: Path, fixtures: Path):
        self.graders, self.fixtures = graders, fixtures
        self._code: dict[int, list[Mistake]] = {}
        self._recorded: dict[int, dict[str, np.ndarray]] = {}
        self._results: dict[tuple, object] = {}
        self.refuted: set[str] = set()  # mistakes the submission's results showed it did not make

    def load(self, exercise: int) -> None:
        """Import ``graders/ex<N>_mistakes.py`` (once), else read the recorded results."""
        if exercise in self._code:
            return
        path = self.graders / f"ex{exercise}_mistakes.py"
        found = []
        if path.is_file():
            name = f"_mistakes_ex{exercise}_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
            module = sys.modules.get(name)
            if module is None:
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
            for compute in vars(module).values():
                declared = getattr(compute, "mistake", None)
                if isinstance(declared, Mistake) and getattr(compute, "__module__", None) == name:
                    found.append(Mistake(declared.function, declared.message, compute, declared.name,
                                         declared.in_worker, declared.atol))
        self._code[exercise] = found
        recorded = self.fixtures / f"ex{exercise}" / RECORDED
        if not found and recorded.is_file():
            from autograder.core import manifest

            with np.load(manifest.verified(recorded, self.fixtures), allow_pickle=False) as data:
                self._recorded[exercise] = {k: data[k] for k in data.files}

    def of(self, call: Call) -> list[Mistake]:
        """The known mistakes of the call's function, in the order they are declared."""
        self.load(call.exercise)
        code = [m for m in self._code[call.exercise] if m.function == call.function]
        if code or call.exercise not in self._recorded:
            return code
        table, prefix = self._recorded[call.exercise], f"message|{call.function}|"
        found = []
        for key, text in table.items():
            if key.startswith(prefix):
                name = key[len(prefix):]
                atol = table.get(f"atol|{call.function}|{name}")
                found.append(Mistake(call.function, str(text), None, name, atol=None if atol is None else float(atol)))
        return found

    def computed(self, m: Mistake, call: Call) -> bool:
        return (m.id, call.exercise, call.key) in self._results

    def result(self, m: Mistake, call: Call, runner=None):
        """What the call returns with mistake ``m`` (the whole result; None where it does not apply)."""
        key = (m.id, call.exercise, call.key)
        if key not in self._results:
            self._results[key] = self._compute(m, call, runner)
        return self._results[key]

    def _compute(self, m: Mistake, call: Call, runner):
        if m.compute is None:  # recorded: the parts stored under the call's fingerprint
            table = self._recorded.get(call.exercise, {})
            prefix = f"{call.function}|{call.key}|{m.name}|"
            parts = {k[len(prefix):]: v for k, v in table.items() if k.startswith(prefix)}
            return _Parts(parts) if parts else None
        try:
            if m.in_worker:
                return None if runner is None else runner(m.compute, call)
            args, kwargs = call.plain()
            return m.compute(*args, **kwargs)
        except BaseException:  # noqa: BLE001 - a mistake that does not apply to these arguments names nothing
            return None

    def refute(self, m: Mistake) -> None:
        """The submission does not make mistake ``m``: one of its results (a right one, or another
        wrong one) is not what ``m`` returns there. Hints that named it are withdrawn at the end."""
        self.refuted.add(m.id)

    def record(self, call: Call, runner=None) -> dict[str, np.ndarray]:
        """Every known mistake's result on ``call``, flattened, as the student package stores them."""
        out = {}
        for m in self.of(call):
            out[f"message|{call.function}|{m.name}"] = np.asarray(m.message)
            if m.atol is not None:
                out[f"atol|{call.function}|{m.name}"] = np.asarray(m.atol)
            for path, array in flatten(self.result(m, call, runner)).items():  # float32 is precise enough here
                out[f"{call.function}|{call.key}|{m.name}|{_path_key(path)}"] = array.astype(np.float32)
        return out


class _Parts(dict):
    """A recorded result: its parts by path key; indexing with a whole path."""

    def at(self, path: tuple):
        return self.get(_path_key(path))


def _path_key(path: tuple) -> str:
    return "/".join(str(p) for p in path)


def _select(result, path: tuple):
    return result.at(path) if isinstance(result, _Parts) else part_of(result, path)


# -- the evidence ---------------------------------------------------------------------------------
def same(obtained: np.ndarray, candidate, exact: bool = False, atol: float | None = None) -> bool:
    """``candidate`` is what was obtained: the same shape, NaN and Inf in the same places, and
    the finite values equal to 1e-4 of their scale (within ``atol``; exactly, with ``exact``)."""
    try:
        candidate = np.asarray(candidate, dtype=np.float64)
        obtained = np.asarray(obtained, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if candidate.shape != obtained.shape or candidate.size == 0:
        return False
    finite = np.isfinite(candidate)
    if not np.array_equal(finite, np.isfinite(obtained)) or not np.array_equal(candidate[~finite], obtained[~finite],
                                                                                  equal_nan=True):
        return False
    if not finite.any():
        return True
    scale = max(float(np.max(np.abs(candidate[finite]))), float(np.max(np.abs(obtained[finite]))))
    tolerance = 0.0 if exact else atol if atol is not None else 1e-4 * scale  # of their own size: 1e-12 is not 0
    return bool(np.all(np.abs(obtained[finite] - candidate[finite]) <= tolerance))


def differs(candidate, expected, atol: float, rtol: float) -> bool:
    """``candidate`` would fail the same check: another shape, or values outside its tolerance."""
    candidate, expected = np.asarray(candidate, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if candidate.shape != expected.shape:
        return True
    return not bool(np.all(np.isclose(candidate, expected, atol=atol, rtol=rtol, equal_nan=True)))


@dataclass
class Failure:
    """What a failed check knows: the kind of failure, the obtained value (a :class:`Value`), the
    expected value or at least its shape, and the check's tolerance."""
    kind: str
    obtained: object
    expected: object = None
    shape: tuple | None = None
    atol: float = 0.0
    rtol: float = 0.0
    dtype: str | None = None  # the dtype asked for, on a dtype failure ("floating": any float precision)

    @property
    def stand_in(self):
        """The expected value, or where only its shape is known, an array of that shape."""
        if self.expected is not None:
            return np.asarray(self.expected)
        return None if self.shape is None else np.zeros(self.shape)


def diagnose(failure: Failure, hints=()) -> Hint | None:
    """The mistake the failure is evidence of: the grader's ``hints`` first, then the known
    mistakes of the call the value came from, then relations; None when nothing explains it."""
    value = failure.obtained
    try:
        obtained = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if failure.kind in ("type", "dtype"):
        from autograder.core.relations import of_dtype

        return of_dtype(value, failure) if failure.kind == "dtype" else None
    for test, text in hints:
        if _holds(test, obtained, failure):
            return Hint(hint_id(text), text)
    named = known(obtained, failure, getattr(value, "call", None), getattr(value, "steps", ()))
    if named is not None:
        return named
    if failure.expected is not None:
        from autograder.core.relations import relate

        return relate(obtained, failure)
    return None


def _holds(test, obtained, failure: Failure) -> bool:
    """A grader's hint holds for what was obtained and not for what was expected."""
    stand_in = failure.stand_in
    try:
        if not test(obtained, failure.expected):
            return False
        return stand_in is None or not test(stand_in, failure.expected)
    except Exception:  # noqa: BLE001 - a hint that does not apply is no hint
        return False


def known(obtained: np.ndarray, failure: Failure, call: Call | None, steps: tuple = ()) -> Hint | None:
    """The first known mistake of ``call`` whose result, taken apart and rearranged as the
    obtained value was, is what was obtained, and would itself fail the check."""
    if call is None or call.source is None:
        return None
    matched = {}
    for m in call.source.of(call):
        part = _prediction(m, call, steps)
        if part is None:
            continue
        if not same(obtained, part, atol=m.atol):
            call.source.refute(m)  # this result is not what the mistake gives: the submission does not make it
            continue
        if _an_argument(part, call):
            continue  # (a mistake that gives an argument back is no evidence: every skipped step does that)
        stand_in = failure.stand_in  # where only the shape is known, a shape failure differs by its shape
        if stand_in is None or differs(part, stand_in, failure.atol, failure.rtol):
            matched.setdefault(m.message, m)
    if len(matched) == 1:
        m = next(iter(matched.values()))
        return Hint(m.id, m.message)
    return None  # none, or two mistakes that return the same here: which one was made cannot be told


def _an_argument(value: np.ndarray, call: Call) -> bool:
    """``value`` is one of the call's array arguments, unchanged."""
    args, kwargs = call.plain()
    for argument in [*args, *kwargs.values()]:
        if isinstance(argument, np.ndarray) and argument.shape == np.shape(value) and same(value, argument, exact=True):
            return True
    return False


def _prediction(m: Mistake, call: Call, steps: tuple, computed_only: bool = False):
    """What mistake ``m`` returns for the part of ``call``'s result the steps lead to (None where it
    does not apply). ``computed_only``: an in-worker mistake only if it was computed already."""
    if computed_only and m.in_worker and not call.source.known(m, call):
        return None
    result = call.source.result(m, call)
    part = _select(result, call.path) if result is not None else None
    if part is None:
        return None
    try:
        return rearrange(part, steps)
    except (IndexError, ValueError, TypeError):
        return None


def passed(value, expected, atol: float, rtol: float) -> None:
    """A check of ``value`` passed: every known mistake of its call that would have failed the same
    check is one the submission did not make (judge-side mistakes, and in-worker ones already
    computed; nothing is computed in a worker for a check that passed)."""
    call = getattr(value, "call", None)
    if call is None or call.source is None:
        return
    with np.errstate(all="ignore"):
        for m in call.source.of(call):
            part = _prediction(m, call, getattr(value, "steps", ()), computed_only=True)
            if part is not None and differs(part, expected, atol, rtol):
                call.source.refute(m)
