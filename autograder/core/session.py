"""One exercise's worker process, from its sandbox folder to its end: the worker lifecycle.

A :class:`WorkerSession` copies the submission's student files (as :mod:`autograder.core.intake`
found them) into a sandbox folder (the problem set's provided files laid over them), starts the
worker there on the first request, sends requests and receives replies in order, and stops the
worker when it raises out of the protocol, runs past its time or the exercise ends. Every failure
is one line for the student, raised as a test failure.
"""
from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from autograder.core import stack
from autograder.core.launcher import MAX_OUTPUT_BYTES, Launcher, WorkersUnavailable, signal_name
from autograder.core.codec import MAX_MESSAGE_BYTES, MalformedMessage, decode, encode
from autograder.core.intake import Submission
from autograder.core.problemset import Exercise, ProblemSet


class WorkerSession:
    def __init__(self, exercise: Exercise, target: Submission, problemset: ProblemSet, launcher: Launcher, *,
                 timeout: float, memory_bytes: int | None, threads: int = 1):
        self.exercise = exercise
        self.target = target
        self.problemset = problemset
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self.threads = threads
        self.launcher = launcher
        self.submitted = exercise.student_file in target.files
        self.deadline: float | None = None  # time.monotonic() by which this exercise must be done
        self._sandbox: Path | None = None
        self._user = None
        self._process = None
        self._conn = None
        self._timeouts: dict[str, int] = {}  # label -> calls that timed out
        self._stuck = ""  # the failure line of an import that did not finish: every later call fails with it
        self.generation = 0  # counts the workers stopped: a request sent to an earlier one gets no reply

    @property
    def running(self) -> bool:
        return self._process is not None

    def usable(self, label: str) -> bool:
        """Worth sending ``label`` now: submitted, importable so far, not timed out twice."""
        return self.submitted and not self._stuck and self._timeouts.get(label, 0) < 2

    def start(self) -> None:
        """Start the worker now (raises EOFError, OSError or WorkersUnavailable)."""
        if self._process is not None:
            return
        if self._sandbox is None:
            self._sandbox = self._prepare_sandbox()
        number = self.exercise.number
        self._process, self._conn = self.launcher.launch(
            self._sandbox, self.exercise.module, self._user, name=f"grader-ex{number}",
            grader_files=[str(p) for p in self.problemset.graders_of(number, judge_only=True)], memory_bytes=self.memory_bytes,
            threads=self.threads)

    def prestart(self) -> None:
        """Start the worker ahead of its first request, if it can be now (else that request says why)."""
        if self.submitted:
            try:
                self.start()
            except (EOFError, OSError, WorkersUnavailable):
                pass

    def send(self, message: dict, label: str, *, checked: bool = True) -> bool:
        """Send a request (``checked``: fail the test with one line where it cannot be answered).
        Unchecked, as for computing ahead: False when it was not sent."""
        __tracebackhide__ = True
        if checked:
            self.check(label)
        elif not self.usable(label):
            return False
        if self._process is None:
            try:
                self.start()
            except (EOFError, OSError, WorkersUnavailable) as exc:
                if not checked:
                    return False
                pytest.fail(f"{label}: the worker could not be started ({type(exc).__name__}: {exc})", pytrace=False)
        try:
            self._conn.send_bytes(encode(message))
        except OSError:
            return checked  # a dead worker: receive() says why
        return True

    def ready(self) -> bool:
        """A reply is waiting (never blocks)."""
        return self._conn is not None and self._conn.poll(0)

    def receive(self, label: str, probe: bool = False):
        """The reply to the oldest unanswered request, or a one-line failure (``probe``: the request
        was a grader's probe: an exception raised in the student's code is named by the student's
        function, not by the probe)."""
        __tracebackhide__ = True
        file = self.exercise.student_file
        try:
            budget = self.timeout if self.deadline is None else min(self.timeout, self.deadline - time.monotonic())
            if not self._conn.poll(max(budget, 0.0)):
                self._timed_out(label, out_of_time=budget < self.timeout)
            reply = decode(self._conn.recv_bytes(MAX_MESSAGE_BYTES))
        except (EOFError, OSError, MalformedMessage) as exc:
            reason = self._died() if not isinstance(exc, MalformedMessage) else str(exc)
            self.stop()
            pytest.fail(f"{label}: {reason} ({file})", pytrace=False)
        if not isinstance(reply, dict) or not ("ok" in reply or "error" in reply):
            self.stop()
            pytest.fail(f"{label}: malformed reply from the worker ({file})", pytrace=False)
        if "error" in reply:
            line, hint = describe_error(reply["error"], label, file, probe)
            failure = pytest.fail.Exception(line + (f". Hint: {hint.text}" if hint else ""), pytrace=False)
            failure.hint = hint
            raise failure
        return reply["ok"]

    def stop(self) -> None:
        """Kill the worker, everything in its session, and any child it left behind."""
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: no killpg
                pass
            self._process.kill()
            self._process.join(5)
            self.launcher.forget(self._process.pid)
            self._conn.close()
            self._process = self._conn = None
            self.generation += 1
        self.launcher.reap_strays()

    def close(self) -> None:
        self.stop()
        if self._sandbox is not None:
            shutil.rmtree(self._sandbox, ignore_errors=True)
            self._sandbox = None

    # -- machinery ----------------------------------------------------------------------------
    def check(self, label: str) -> None:
        """Fail at once, with one line, a request that cannot be answered."""
        __tracebackhide__ = True
        file = self.exercise.student_file
        if not self.submitted:
            pytest.fail(f"not submitted: {file} was not found in {self.target.arrived}", pytrace=False)
        if self._stuck:  # its import did not finish before: it would not now
            pytest.fail(self._stuck, pytrace=False)
        if self._timeouts.get(label, 0) >= 2:  # do not make every later test wait out the limit
            pytest.fail(f"timed out after {self.timeout:g} s in {label} (twice already; not called again)",
                        pytrace=False)
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.stop()
            pytest.fail(f"out of time: exercise {self.exercise.number} used its share of the run's time budget "
                        f"(--time-budget); {label} was not called", pytrace=False)

    def _prepare_sandbox(self) -> Path:
        """A private copy of the submission: the other plain files of the folders that held the
        student files (the student's own modules), the student files under their own names, then
        the problem set's provided files laid over them."""
        self._user = self.launcher.confinement.wait()
        root = self.launcher.folder(self._user, f"ex{self.exercise.number}")
        for folder in self.target.folders:
            for item in sorted(folder.iterdir()):
                if item.is_file() and not item.is_symlink() and item.stat().st_size < 32 * 2**20 \
                        and not (root / "work" / item.name).exists():
                    shutil.copyfile(item, root / "work" / item.name)
        for name, path in self.target.files.items():
            shutil.copyfile(path, root / "work" / name)
        for name in self.exercise.provided:
            shutil.copyfile(self.problemset.skeletons / name, root / "work" / name)
        return root

    def _died(self) -> str:
        self._process.join(5)
        code = self._process.exitcode
        self.stop()
        if code is None:
            return "the worker stopped answering"
        if code < 0:
            return f"the worker was killed by {signal_name(code)}"
        return f"the worker exited with code {code}"

    def _timed_out(self, label: str, out_of_time: bool) -> None:
        """Stop a worker that did not answer in time; fail with one line that says where it was."""
        __tracebackhide__ = True
        if out_of_time:
            self.stop()
            pytest.fail(f"out of time: exercise {self.exercise.number} used its share of the run's time "
                        f"budget (--time-budget) in {label}", pytrace=False)
        where = stack.ask(self._process.pid, self._sandbox / "scratch" / stack.FILE, str(self._sandbox / "work"))
        self.stop()
        file = self.exercise.student_file
        if where and where[3]:  # the submission's import never finished: nor would it for the next call
            name, line, function, _ = where
            self._stuck = (f"{file} did not finish importing: stopped after {self.timeout:g} s at import, "
                           + (f"line {line}" if name == file else f"{name} line {line}")
                           + (f" in {function}" if function != "<module>" else ""))
            pytest.fail(self._stuck, pytrace=False)
        self._timeouts[label] = self._timeouts.get(label, 0) + 1
        pytest.fail(f"timed out after {self.timeout:g} s in {label}"
                    + (f" (stopped at {where[0]}:{where[1]})" if where else ""), pytrace=False)


def describe_error(error: dict, label: str, file: str, probe: bool = False):
    """One line telling the student what went wrong in their code, and the mistake that usually
    causes such an exception (:func:`autograder.core.relations.of_error`), if one does."""
    from autograder.core.relations import of_error

    kind, message, where = error.get("kind"), error.get("message", ""), error.get("where", "")
    at = f" ({where})" if where else ""
    if kind == "not_implemented":
        return f"not implemented: {message or label} - fill in the # TODO in {file}", None
    if kind == "missing":
        return f"{file} has no function {message}", None
    if kind == "import":
        name, _, line = where.rpartition(":")
        at = "" if not where else f", line {line}" if name == file else f", {name} line {line}"
        return f"{file} raised {error.get('type')} at import{at}" + (f": {message}" if message else ""), None
    if kind == "memory":
        return f"{label} exceeded the memory limit of the grader ({error.get('type')}){at}", None
    if kind == "output":
        return f"{label} printed more output than the grader keeps ({MAX_OUTPUT_BYTES // 2**20} MiB){at}", None
    function = str(error.get("function") or "")
    if probe and function and function != "<module>":  # raised in the student's code: named there, not by the probe
        label = function
    return f"{label} raised {error.get('type')}: {message}{at}", of_error(str(error.get("type")), message)
