"""Judge side of the boundary: one worker process per exercise, driven through plain messages.

``Student`` is what a grader test sees: ``student.maxpool_iter(tensor(x), k=3)`` sends the call to
the exercise's worker and returns the result as numpy values. A call that raises, times out or
kills the worker fails the calling test with one line; the next call gets a fresh worker.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder import sandbox, stack
from autograder.codec import MAX_MESSAGE_BYTES, MalformedMessage, decode, encode
from autograder.exercises import GRADERS, SKELETONS, Exercise

PRELOAD = ["autograder.preload"]  # torch, torchvision, ...: imported by the forkserver, errors kept
_context = None
_workers: set[int] = set()  # pids of the workers alive now (children of ours under spawn)
_run_end: float | None = None  # time.monotonic() by which the run must be done (--time-budget)
_unavailable = ""  # why no worker can start on this machine ('' while they can)


class WorkersUnavailable(Exception):
    """No worker can start on this machine (its libraries or processes are broken): nothing
    can be graded, and nothing is the submission's fault."""


def workers_unavailable() -> str:
    """Why the workers cannot start, as found by the audit worker or a failed launch ('' if they can)."""
    return _unavailable


def _give_up(reason: str, whose: str | None = None) -> str:
    """Remember (once) that no worker can start, and why: the run ends as not graded. ``whose``
    is said only where it was measured: the audit worker runs before any student code."""
    global _unavailable
    blame = f"; this is a problem of {whose}, not of the submission" if whose else (
        "; nothing is graded: the cause may be the machine, or a submission that stops its workers")
    _unavailable = _unavailable or f"the grading workers could not start: {reason}{blame}"
    return _unavailable


def _become_subreaper() -> None:
    """Orphaned descendants of a worker (a detached daemon) become our children, so that
    reap_strays can find and kill them. Linux only; elsewhere strays are not hunted."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError, TypeError):
        pass


def reap_strays() -> None:
    """Kill every child of ours that is not multiprocessing's own helper: what is left of a
    worker's children after the worker was killed or returned."""
    from multiprocessing import forkserver, resource_tracker

    keep = {getattr(forkserver._forkserver, "_forkserver_pid", None),
            getattr(resource_tracker._resource_tracker, "_pid", None), *_workers}  # spawned workers are ours
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if not entry.name.isdigit() or int(entry.name) in keep:
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():  # the parent pid
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                os.waitpid(int(entry.name), 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass


def start_method() -> str:
    """forkserver where the platform has it (one torch import per run), else spawn (one per
    worker: slower, correct). PS5_START_METHOD=spawn forces spawn (the tests use it)."""
    wanted = os.environ.get("PS5_START_METHOD", "")
    available = multiprocessing.get_all_start_methods()
    if wanted:
        if wanted not in available:
            raise pytest.UsageError(f"PS5_START_METHOD={wanted}: this platform offers {', '.join(available)}")
        return wanted
    return "forkserver" if "forkserver" in available else "spawn"


def _start_context():
    global _context
    if _context is None:
        _become_subreaper()
        os.environ.setdefault("MPLBACKEND", "Agg")
        _context = multiprocessing.get_context(start_method())
        if _context.get_start_method() == "forkserver":  # the forkserver pays the torch import once
            _context.set_forkserver_preload(PRELOAD)
    return _context


def warm_up(run_end: float | None = None) -> None:
    """Start the forkserver now, so that its torch import overlaps pytest's collection, and
    decide (by trying it, in the background) which user the workers run as and whether they can
    start at all. No launch waits past ``run_end`` (time.monotonic())."""
    global _run_end
    _run_end = run_end
    ctx = _start_context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
    confinement.start()


def _sandbox_folder(user: tuple[int, int] | None, label: str) -> Path:
    """A fresh folder with ``work`` (the submission's copy) and ``scratch`` (owned by ``user``)."""
    root = Path(tempfile.mkdtemp(prefix=f"ps5-{label}-"))
    os.chmod(root, 0o755)
    (root / "work").mkdir()
    (root / "scratch").mkdir()
    if user:
        os.chown(root / "scratch", *user)
    return root


def _forkserver_pid() -> int | None:
    from multiprocessing import forkserver

    return getattr(forkserver._forkserver, "_forkserver_pid", None)


def end_forkserver() -> str:
    """End the forkserver now and forget it (the next launch starts a new one). At the end of a
    run: left to itself it finalises a Python process that imported torch (about a second),
    holding the run's output open, which a caller reading that output (the batch grader) waits
    for. After a failed launch: a worker may have killed it, and it may not be dead yet.
    Returns how it had ended when it was dead already ('' otherwise)."""
    if _context is None or _context.get_start_method() != "forkserver":
        return ""
    from multiprocessing import forkserver

    pid, ended = _forkserver_pid(), ""
    try:
        dead = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)  # look, do not reap
        if dead is not None:
            ended = (f"exited with code {dead.si_status}" if dead.si_code == os.CLD_EXITED
                     else f"was killed by {_signal_name(-dead.si_status)}")
        os.kill(pid, signal.SIGKILL)
        forkserver._forkserver._stop()  # reaps it, closes our end, removes its socket file
    except (TypeError, ProcessLookupError, ChildProcessError, AttributeError, OSError):
        pass
    return ended


def _start_within_budget(process) -> None:
    """``process.start()``, given up at the end of the run: a forkserver that hangs (in a
    library's import, say) would otherwise hold the launch, and the run, for ever."""
    left = None if _run_end is None else max(_run_end - time.monotonic(), 1.0)  # 1 s: the forkserver has a pid
    fired = threading.Event()

    def kill_forkserver():
        fired.set()
        try:
            os.kill(_forkserver_pid(), signal.SIGKILL)  # the blocked launch then reads EOF
        except (TypeError, OSError):
            pass

    forking = _context.get_start_method() == "forkserver"  # spawn's start does not wait for the child
    timer = threading.Timer(left, kill_forkserver) if left is not None and forking else None
    if timer:
        timer.daemon = True
        timer.start()
    try:
        process.start()
    except (EOFError, OSError):
        if fired.is_set():
            raise TimeoutError(f"no worker started in {left:.0f} s, what was left of the run's time budget") from None
        raise
    finally:
        if timer:
            timer.cancel()


def _launch(folder: Path, module: str | None, user, *, name: str, audit: list[str] | None = None,
            grader_files: list[str] = (), memory_bytes: int | None = None, threads: int = 1,
            max_output_bytes: int = 16 * 2**20):
    """Start a worker in ``folder``; returns (process, connection)."""
    ctx = _start_context()
    spec = {
        "workdir": str(folder / "work"), "scratch": str(folder / "scratch"), "module": module,
        "graders": str(GRADERS), "grader_files": list(grader_files), "memory_bytes": memory_bytes,
        "torch_home": _torch_home(), "threads": threads, "user": user, "max_output_bytes": max_output_bytes,
        "audit": audit, "stack_file": str(folder / "scratch" / stack.FILE),
    }
    if _unavailable:
        raise WorkersUnavailable(_unavailable)
    if _run_end is not None and _run_end - time.monotonic() < 1:
        raise TimeoutError("the run's time budget is spent")
    for attempt in range(2):  # a forkserver killed (by a worker) while it forks is started again
        conn, child = ctx.Pipe()  # a fresh pipe: a half-started worker keeps nothing of the next
        process = ctx.Process(target=_serve, args=(child, spec), daemon=True, name=name)
        try:
            _start_within_budget(process)
            break
        except (EOFError, OSError) as exc:
            conn.close()
            child.close()
            ended = end_forkserver()
            if isinstance(exc, TimeoutError):  # the run is over: no second try
                raise
            if attempt:  # a fresh forkserver could not start a worker either: nor will the next one
                why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                raise WorkersUnavailable(_give_up(f"the forkserver {ended} ({why})" if ended else why)) from None
    _workers.add(process.pid)
    child.close()
    return process, conn


class Confinement:
    """Which user the workers run as, decided once per run by trying it: a worker isolated like
    the student's, but running no student code, reports what it can reach (see sandbox.audit).
    As root, ``nobody`` is tried first; if ``nobody`` cannot load Python (an interpreter under a
    0700 folder), the workers stay root, confined by whatever else took."""

    def __init__(self):
        self._thread: threading.Thread | None = None
        self.user: tuple[int, int] | None = None
        self.report: dict | None = None
        self.tried: list[dict] = []

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._decide, name="ps5-audit", daemon=True)
            self._thread.start()

    def wait(self) -> tuple[int, int] | None:
        self.start()
        self._thread.join()
        return self.user

    def _decide(self) -> None:
        candidates = [None]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            try:
                import pwd

                nobody = pwd.getpwnam("nobody")
                candidates.insert(0, (nobody.pw_uid, nobody.pw_gid))
            except (ImportError, KeyError):
                pass
        for user in candidates:
            report = self._measure(user)
            self.tried.append(report)
            if not report.get("python") or report.get("final"):
                self.user, self.report = user, report
                break
        else:
            self.user, self.report = candidates[-1], self.tried[-1]
        if self.report.get("libraries"):  # e.g. a torchvision built for another torch
            _give_up(self.report["libraries"], "the grading machine's libraries")
        elif self.report.get("failure"):
            _give_up(self.report["failure"], "the grading machine")  # no student code had run

    @staticmethod
    def _measure(user) -> dict:
        """The audit worker's report; with ``failure`` when it did not start or answer."""
        def failed(why: str, final: bool = False) -> dict:  # final: another user would fare no better
            return {"python": why, "failure": why, "final": final, "readable": [], "checked": 0, "user": "?"}

        folder = _sandbox_folder(user, "audit")
        try:
            process, conn = _launch(folder, None, user, name="ps5-audit", audit=sandbox.protected_files())
        except (EOFError, OSError, WorkersUnavailable) as exc:  # two forkservers failed, or the time ran out
            shutil.rmtree(folder, ignore_errors=True)
            return failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, final=True)
        try:
            wait = 300 if _run_end is None else min(300.0, max(_run_end - time.monotonic(), 0.0))
            if not conn.poll(wait):
                return failed(f"the audit worker did not answer within {wait:.0f} s", final=True)
            report = decode(conn.recv_bytes(MAX_MESSAGE_BYTES))
            return report if isinstance(report, dict) else failed("malformed audit")
        except (EOFError, OSError, MalformedMessage) as exc:
            return failed(f"the audit worker died ({exc or type(exc).__name__})")
        finally:
            process.kill()
            process.join(5)
            _workers.discard(process.pid)
            conn.close()
            shutil.rmtree(folder, ignore_errors=True)

    def describe(self) -> str:
        self.wait()
        line = sandbox.describe(self.report, hasattr(os, "geteuid") and os.geteuid() == 0)
        if len(self.tried) > 1 and self.tried[0].get("python"):
            line += f" (nobody could not load Python: {self.tried[0]['python']})"
        return line


confinement = Confinement()


def sandbox_description() -> str:
    """How student code was confined in this run, as measured, for the end of the output."""
    return confinement.describe()


def _torch_home() -> str:
    """Where torch keeps downloaded weights for the judge's user; the worker reads them there."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "torch"
    return os.environ.get("TORCH_HOME", str(default))


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


class Student:
    """The student's module for one exercise, living in its own worker process."""

    def __init__(self, exercise: Exercise, target: Path, *, timeout: float, threads: int = 1,
                 max_output_bytes: int = 16 * 2**20, memory_bytes: int | None = 8 * 2**30):
        self.exercise = exercise
        self.target = target
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self.threads = threads
        self.max_output_bytes = max_output_bytes
        self.submitted = (target / exercise.student_file).is_file()
        self._sandbox: Path | None = None
        self._shared: dict = {}
        self._timeouts: dict[str, int] = {}  # label -> calls that timed out
        self._stuck = ""  # the failure line of an import that did not finish: every later call fails with it
        self._pending: list[tuple[tuple, str]] = []  # prefetched requests whose reply is unread
        self._process = None
        self._conn = None
        self.deadline: float | None = None  # time.monotonic() by which this exercise must be done

    # -- what graders use -------------------------------------------------------------------
    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, seed: int = 0, **kwargs):
            return self._request({"op": "call", "name": name, "args": list(args), "kwargs": kwargs,
                                  "seed": seed}, label=name)

        call.__name__ = name
        return call

    def run(self, probe, *args, seed: int = 0, **kwargs):
        """Run ``probe(student_module, *args, **kwargs)`` (a grader function) in the worker."""
        return self._request(*self._probe_message(probe, args, kwargs, seed))

    @staticmethod
    def _probe_message(probe, args, kwargs, seed: int = 0) -> tuple[dict, str]:
        code = probe.__code__
        if not getattr(probe, "in_worker", False) or GRADERS not in Path(code.co_filename).parents:
            raise TypeError(f"{probe.__name__} must be an @in_worker function of a file in graders/")
        return ({"op": "probe", "file": code.co_filename, "name": probe.__name__, "args": list(args),
                 "kwargs": kwargs, "seed": seed}, getattr(probe, "label", probe.__name__))

    @staticmethod
    def _key(probe, args, kwargs) -> tuple:
        return probe.__code__.co_filename, probe.__name__, repr(args), repr(sorted(kwargs.items()))

    def prestart(self) -> None:
        """Start the worker now, so that it is ready when the exercise's first test needs it
        (if it cannot be started now, the first request tries again and says why)."""
        if self.submitted and self._process is None:
            try:
                self._start()
            except (EOFError, OSError, WorkersUnavailable):
                pass

    def prefetch(self, probe, *args, **kwargs) -> None:
        """Ask for a ``run_once`` result now, without waiting: the worker computes it on another
        core while the judge is busy elsewhere; the reply is read when a test asks for it."""
        key = self._key(probe, args, kwargs)
        if not self.submitted or self._stuck or key in self._shared or any(key == k for k, _ in self._pending):
            return
        message, label = self._probe_message(probe, args, kwargs)
        if self._timeouts.get(label, 0) >= 2:
            return
        self.prestart()
        if self._conn is None:  # it could not be started: the exercise's first request says why
            return
        try:
            self._conn.send_bytes(encode(message))
        except OSError:
            return
        self._pending.append((key, label))

    def compute_ahead(self, requests) -> bool:
        """Before this exercise starts: send ``requests`` [(probe, args, kwargs)] that are neither
        answered nor pending, and read the replies that have arrived, without waiting. True when
        all are answered; the worker is then stopped (the results stay) to free its memory."""
        if not self.submitted or not requests:
            return True
        for probe, args, kwargs in requests:
            self.prefetch(probe, *args, **kwargs)
        while self._pending and self._conn is not None and self._conn.poll(0):
            self._drain(until=self._pending[0][0])
        if self._pending:
            return False
        if self._process is not None:
            self.stop()
        return True

    def _drain(self, until: tuple | None = None) -> None:
        """Read the replies to prefetched requests, in the order they were sent."""
        while self._pending:
            key, label = self._pending.pop(0)
            try:
                self._shared[key] = ("ok", self._receive(label))
            except pytest.fail.Exception as exc:
                self._shared[key] = ("failed", str(exc))
            if key == until:
                return

    def run_once(self, probe, *args, **kwargs):
        """``run``, computed once per exercise and shared by the tests that ask for the same thing.

        A failure is remembered too: every test that needs the result fails with the same line,
        inside the test (not as a fixture error)."""
        __tracebackhide__ = True
        key = self._key(probe, args, kwargs)
        if any(key == k for k, _ in self._pending):
            self._drain(until=key)
        if key not in self._shared:
            try:
                self._shared[key] = ("ok", self.run(probe, *args, **kwargs))
            except pytest.fail.Exception as exc:
                self._shared[key] = ("failed", str(exc))
        status, value = self._shared[key]
        if status == "failed":
            pytest.fail(value, pytrace=False)
        return value

    def stop(self) -> None:
        """Kill the worker, everything in its session, and any child it left behind."""
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, AttributeError):  # AttributeError: no killpg
                pass
            self._process.kill()
            self._process.join(5)
            _workers.discard(self._process.pid)
            self._conn.close()
            self._process = self._conn = None
        self._pending.clear()  # unanswered prefetches are computed afresh when asked for
        reap_strays()

    def finish(self) -> None:
        """The exercise's last test is done: stop the worker and forget its shared results."""
        self.stop()
        self._shared.clear()
        sandbox.give_back_memory()

    def close(self) -> None:
        self.stop()
        if self._sandbox is not None:
            shutil.rmtree(self._sandbox, ignore_errors=True)
            self._sandbox = None

    # -- machinery ----------------------------------------------------------------------------
    def _prepare_sandbox(self) -> Path:
        """A private copy of the submission with the framework's provided files laid over it."""
        self._user = confinement.wait()
        root = _sandbox_folder(self._user, f"ex{self.exercise.number}")
        for item in self.target.iterdir():
            if item.is_file() and not item.is_symlink() and item.stat().st_size < 32 * 2**20:
                shutil.copyfile(item, root / "work" / item.name)
        for name in self.exercise.provided:
            shutil.copyfile(SKELETONS / name, root / "work" / name)
        return root

    def _start(self) -> None:
        if self._sandbox is None:
            self._sandbox = self._prepare_sandbox()
        self._process, self._conn = _launch(
            self._sandbox, self.exercise.module, self._user, name=f"ps5-ex{self.exercise.number}",
            grader_files=[str(p) for p in sorted(GRADERS.glob(f"test_ex{self.exercise.number}_*.py"))],
            memory_bytes=self.memory_bytes, threads=self.threads, max_output_bytes=self.max_output_bytes)

    def _died(self) -> str:
        self._process.join(5)
        code = self._process.exitcode
        self.stop()
        if code is None:
            return "the worker stopped answering"
        if code < 0:
            return f"the worker was killed by {_signal_name(code)}"
        return f"the worker exited with code {code}"

    def _request(self, message: dict, label: str):
        __tracebackhide__ = True
        file = self.exercise.student_file
        if not self.submitted:
            pytest.fail(f"not submitted: {file} was not found in {self.target}", pytrace=False)
        if self._stuck:  # its import did not finish before: it would not now
            pytest.fail(self._stuck, pytrace=False)
        if self._timeouts.get(label, 0) >= 2:  # do not make every later test wait out the limit
            pytest.fail(f"timed out after {self.timeout:g} s in {label} (twice already; not called again)",
                        pytrace=False)
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.stop()
            pytest.fail(f"out of time: exercise {self.exercise.number} used its share of the run's time budget "
                        f"(--time-budget); {label} was not called", pytrace=False)
        self._drain()
        if self._process is None:
            try:
                self._start()
            except (EOFError, OSError, WorkersUnavailable) as exc:
                pytest.fail(f"{label}: the worker could not be started ({type(exc).__name__}: {exc})", pytrace=False)
        try:
            self._conn.send_bytes(encode(message))
        except OSError:
            pass  # a dead worker: _receive says why
        return self._receive(label)

    def _receive(self, label: str):
        """The reply to the oldest unanswered request, or a one-line failure."""
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
            pytest.fail(describe_error(reply["error"], label, file), pytrace=False)
        return reply["ok"]

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


def describe_error(error: dict, label: str, file: str) -> str:
    """One line telling the student what went wrong in their code."""
    kind, message, where = error.get("kind"), error.get("message", ""), error.get("where", "")
    at = f" ({where})" if where else ""
    if kind == "not_implemented":
        return f"not implemented: {message or label} - fill in the # TODO in {file}"
    if kind == "missing":
        return f"{file} has no function {message}"
    if kind == "import":
        name, _, line = where.rpartition(":")
        at = "" if not where else f", line {line}" if name == file else f", {name} line {line}"
        return f"{file} raised {error.get('type')} at import{at}" + (f": {message}" if message else "")
    if kind == "memory":
        return f"{label} exceeded the memory limit of the grader ({error.get('type')}){at}"
    if kind == "output":
        return f"{label} printed more output than the grader keeps (16 MiB){at}"
    return f"{label} raised {error.get('type')}: {message}{at}"


def _serve(conn, spec):  # module-level so the forkserver child can find it by name
    from autograder.worker import serve

    serve(conn, spec)
