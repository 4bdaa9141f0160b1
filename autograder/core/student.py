"""What a grader test sees of the submission: ``student.maxpool_iter(tensor(x), k=3)``.

:class:`Student` turns attribute calls and ``run(probe, ...)`` into requests to the exercise's
worker (:mod:`autograder.core.session`) and returns the replies as plain values (numpy arrays that
remember what they were, see :mod:`autograder.core.codec`). ``run_once`` shares a result between the
tests of an exercise and ``compute_ahead`` prepares it early (:mod:`autograder.core.shared`). A call
that raises, times out or kills the worker fails the calling test with one line; the next call
gets a fresh worker.
"""
from __future__ import annotations

from pathlib import Path

from autograder.core import sandbox
from autograder.core.codec import Value
from autograder.core.intake import Submission
from autograder.core.launcher import Launcher
from autograder.core.diagnosis import Call, Catalogue, Mistake
from autograder.core.problemset import Exercise, ProblemSet
from autograder.core.session import WorkerSession
from autograder.core.shared import SharedResults


class Student:
    """The ``student`` fixture of one exercise's graders: the submission's module in its worker."""

    def __init__(self, exercise: Exercise, target: Submission, problemset: ProblemSet, launcher: Launcher,
                 catalogue: Catalogue, *, recorder=None, **limits):
        self.exercise = exercise
        self.problemset = problemset
        self.session = WorkerSession(exercise, target, problemset, launcher, **limits)
        self.shared = SharedResults(self.session)
        self.catalogue = catalogue
        self.recorder = recorder  # release's recording run: every call's known mistakes, as data
        self.ahead_done = False  # compute_ahead answered everything (see there)

    # -- what graders use -------------------------------------------------------------------
    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, seed: int = 0, **kwargs):
            result = self._request({"op": "call", "name": name, "args": list(args), "kwargs": kwargs,
                                    "seed": seed}, label=name)
            return self._remember(result, name, args, kwargs)

        call.__name__ = name
        return call

    def run(self, probe, *args, seed: int = 0, **kwargs):
        """Run ``probe(student_module, *args, **kwargs)`` (an @in_worker grader function) in the worker."""
        result = self._request(*self._probe_message(probe, args, kwargs, seed))
        return self._remember(result, probe.__name__, args, kwargs)

    def _in_worker(self, compute, call: Call):
        """An in-worker mistake's result on ``call``, computed in this exercise's worker, once."""
        return self.shared.get(self._key(compute, call.args, call.kwargs),
                               lambda: self._request(*self._probe_message(compute, call.args, call.kwargs)))

    def run_once(self, probe, *args, **kwargs):
        """``run``, computed once per exercise and shared by the tests that ask for the same thing.
        A failure is remembered too: every test that needs the result fails with the same line,
        inside the test (not as a fixture error)."""
        __tracebackhide__ = True
        return self.shared.get(self._key(probe, args, kwargs), lambda: self.run(probe, *args, **kwargs))

    # -- what the plugin uses -----------------------------------------------------------------
    @property
    def deadline(self) -> float | None:
        return self.session.deadline

    @deadline.setter
    def deadline(self, value: float | None) -> None:
        self.session.deadline = value

    def prestart(self) -> None:
        self.session.prestart()

    def prefetch(self, probe, *args, **kwargs) -> None:
        """Ask for a ``run_once`` result now, without waiting: the worker computes it on another
        core while the judge is busy elsewhere; the reply is read when a test asks for it."""
        message, label = self._probe_message(probe, args, kwargs)
        self.shared.send_ahead(self._key(probe, args, kwargs), message, label,
                               finish=lambda result: self._remember(result, probe.__name__, args, kwargs))

    def compute_ahead(self, requests) -> bool:
        """Before this exercise starts: send ``requests`` [(probe, args, kwargs)] not asked for yet
        and read what has arrived, without waiting. True when all are answered; the worker is then
        stopped (the results stay) to give its memory back."""
        if self.ahead_done or not self.session.submitted or not requests:
            return True
        for probe, args, kwargs in requests:
            self.prefetch(probe, *args, **kwargs)
        if not self.shared.all_answered():
            return False
        if self.session.running:
            self.session.stop()
        self.ahead_done = True  # once: a worker started afterwards (for the exercise's tests) is kept
        return True

    def finish(self) -> None:
        """The exercise's last test is done: stop the worker and forget its shared results."""
        self.session.stop()
        self.shared.clear()
        sandbox.give_back_memory()

    def close(self) -> None:
        self.session.close()

    # -- machinery ----------------------------------------------------------------------------
    def _request(self, message: dict, label: str):
        __tracebackhide__ = True
        self.session.check(label)  # a request that cannot be answered fails at once
        self.shared.drain()  # the replies to what was sent ahead come first
        self.session.send(message, label)
        return self.session.receive(label, probe=message["op"] == "probe")

    def _probe_message(self, probe, args, kwargs, seed: int = 0) -> tuple[dict, str]:
        code = probe.__code__
        if not getattr(probe, "in_worker", False) or self.problemset.graders not in Path(code.co_filename).parents:
            raise TypeError(f"{probe.__name__} must be an @in_worker function of a file in graders/")
        return ({"op": "probe", "file": code.co_filename, "name": probe.__name__, "args": list(args),
                 "kwargs": kwargs, "seed": seed}, getattr(probe, "label", probe.__name__))

    @staticmethod
    def _key(probe, args, kwargs) -> tuple:
        return probe.__code__.co_filename, probe.__name__, repr(args), repr(sorted(kwargs.items()))


    def _remember(self, result, function: str, args, kwargs):
        """Mark the arrays of a call's (or probe's) result with the call and their place in it, so
        that a failed check can ask what the known mistakes of the function would have returned.
        When recording (release), store what every known mistake returns on this call."""
        call = Call(function, tuple(args), dict(kwargs), self.exercise.number, source=_Mistakes(self))
        result = remember(result, call)
        if self.recorder is not None:
            self.recorder(self.exercise.number, call, result, self.catalogue.record(call, self._in_worker))
        return result


class _Mistakes:
    """What a result's call asks about its known mistakes (``Call.source``): this exercise's."""

    def __init__(self, student: Student):
        self._student = student

    def of(self, call: Call) -> list[Mistake]:
        return self._student.catalogue.of(call)

    def result(self, m: Mistake, call: Call):
        return self._student.catalogue.result(m, call, self._student._in_worker)

    def known(self, m: Mistake, call: Call) -> bool:
        return self._student.catalogue.computed(m, call)

    def refute(self, m: Mistake) -> None:
        self._student.catalogue.refute(m)


class Int(int):
    """A whole number a call returned, remembering the call (see :func:`remember`)."""
    call = None


class Float(float):
    """A number a call returned, remembering the call (see :func:`remember`)."""
    call = None


def remember(result, call: Call, path: tuple = (), whole=None):
    """Mark every array and number inside ``result`` (tuples, lists, dicts, at any depth) with
    ``call``, its path in the whole result, and the whole result (so that a part can be compared
    with its siblings). Returns the result: a number becomes an equal :class:`Int` or
    :class:`Float` that remembers, a tuple holding one a new tuple."""
    whole = result if whole is None else whole
    if isinstance(result, Value):
        result.call, result.steps = call.at(path, whole), ()
    elif isinstance(result, (int, float)) and not isinstance(result, bool):
        number = (Int if isinstance(result, int) else Float)(result)
        number.call = call.at(path, whole)
        return number
    elif isinstance(result, tuple):
        return tuple(remember(part, call, (*path, i), whole) for i, part in enumerate(result))
    elif isinstance(result, list):
        result[:] = [remember(part, call, (*path, i), whole) for i, part in enumerate(result)]
    elif isinstance(result, dict):
        for key, part in result.items():
            result[key] = remember(part, call, (*path, key), whole)
    return result
