"""Judge side of the boundary: how a run starts its worker processes, and who they run as.

Workers are forked from a ``multiprocessing`` forkserver that imported the problem set's libraries
once (spawned, one import each, where the platform has no forkserver), in a sandbox folder of
their own. A :class:`Launcher` is one run's: it starts workers within the run's time budget,
gives up for the whole run when a fresh forkserver cannot start one either, and knows, through its
:class:`Confinement`, which user the workers run as and what they can reach (an audit worker that
runs no student code tries it). One exercise's worker, from start to end, is
:mod:`autograder.core.session`'s.

multiprocessing's forkserver is the process's: a launcher leaves it running when it ends where a
batch grades submission after submission in one process (``keep``), so that the libraries are
imported once for all of them.
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

from autograder.core import sandbox, settings, stack
from autograder.core.codec import MAX_MESSAGE_BYTES, MalformedMessage, decode
from autograder.core.problemset import ProblemSet

PRELOAD = ["autograder.core.preload"]  # the problem set's libraries: imported by the forkserver, errors kept
MAX_OUTPUT_BYTES = 16 * 2**20  # what a worker may print (a flood fails its writes, not the judge)


class WorkersUnavailable(Exception):
    """No worker can start on this machine (its libraries or processes are broken): nothing
    can be graded, and nothing is the submission's fault."""


class UsageError(Exception):
    """A setting that makes starting workers impossible; the message is one line."""


def start_method() -> str:
    """forkserver where the platform has it (one import of the libraries per run), else spawn (one
    per worker: slower, correct). AUTOGRADER_START_METHOD=spawn forces spawn (the tests use it)."""
    wanted = settings.environ("AUTOGRADER_START_METHOD")
    available = multiprocessing.get_all_start_methods()
    if wanted:
        if wanted not in available:
            raise UsageError(f"AUTOGRADER_START_METHOD={wanted}: this platform offers {', '.join(available)}")
        return wanted
    return "forkserver" if "forkserver" in available else "spawn"


def judge_is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class Launcher:
    """How one run starts its workers: the problem set's libraries, the time budget, the pids of
    the workers alive, and why none can start when none can."""

    def __init__(self, problemset: ProblemSet, run_end: float | None = None, *, keep: bool = False,
                 measured: Confinement | None = None):
        self.problemset = problemset
        self.run_end = run_end  # time.monotonic() by which the run must be done (--time-budget)
        self.keep = keep  # leave the forkserver running at the end (a batch's next submission uses it)
        self.unavailable = ""  # why no worker can start on this machine ('' while they can)
        self.workers: dict[int, object] = {}  # the workers alive now: pid -> the judge's end of its lifeline
        self.folders: set[Path] = set()  # the sandbox folders of this run's workers (see :meth:`folder`)
        self.ended = False
        self.confinement = Confinement(self, measured)  # measured: an earlier run's audit, on this forkserver
        _become_subreaper()
        os.environ.setdefault("MPLBACKEND", "Agg")
        preload = json.dumps({"modules": list(problemset.preload),
                              "warm_up": str(problemset.warm_up) if problemset.warm_up else ""})
        if os.environ.get("AUTOGRADER_PRELOAD") not in (None, preload):
            end_forkserver()  # one preloaded for another problem set
        os.environ["AUTOGRADER_PRELOAD"] = preload
        self.context = multiprocessing.get_context(start_method())
        if self.context.get_start_method() == "forkserver":  # the forkserver pays the torch import once
            self.context.set_forkserver_preload(PRELOAD)

    def start_forkserver(self) -> None:
        """Start the forkserver now (where workers are forked), so that its imports overlap other work."""
        if self.context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            forkserver.ensure_running()

    def warm_up(self) -> None:
        """Start the forkserver now, so that its imports overlap pytest's collection, and decide (by
        trying it, in the background) which user the workers run as and whether they can start."""
        self.start_forkserver()
        self.confinement.start()

    def shareable(self) -> bool:
        """Whether the next run may use this run's forkserver and audit: the audit worker, confined as
        every worker is, was measured unable to reach its parent (the forkserver), and workers start."""
        report = self.confinement.report or {}
        return not self.unavailable and report.get("reaches_parent") is False

    def folder(self, user: tuple[int, int] | None, label: str) -> Path:
        """A fresh sandbox folder (:func:`sandbox_folder`) of this run: :meth:`end` removes it."""
        path = sandbox_folder(user, label)
        self.folders.add(path)
        return path

    def end(self) -> None:
        """The run is over: every worker of its ends, an audit under way too (a run interrupted while
        it starts), its sandbox folders are removed, and its forkserver ends unless it is kept for the
        next run (and may be)."""
        self.ended = True
        for pid in list(self.workers):  # still running at the end: an interrupted run's
            with contextlib.suppress(OSError, AttributeError):  # no killpg on Windows: the lifeline does it
                os.killpg(pid, signal.SIGKILL)  # at once, with what it started (its own session: setsid)
            self.forget(pid)
        auditing = not self.confinement.done.is_set() and self.confinement.started
        if auditing or not (self.keep and self.shareable()):
            end_forkserver()  # an audit's launch waiting for the forkserver then fails at once
        if auditing:
            self.confinement.done.wait(3)
        for folder in self.folders:
            _remove(folder)

    def give_up(self, reason: str, whose: str | None = None) -> str:
        """Remember (once) that no worker can start, and why: the run ends as not graded. ``whose``
        is said only where it was measured: the audit worker runs before any student code."""
        blame = f"; this is a problem of {whose}, not of the submission" if whose else (
            "; nothing is graded: the cause may be the machine, or a submission that stops its workers")
        self.unavailable = self.unavailable or f"the grading workers could not start: {reason}{blame}"
        return self.unavailable

    def launch(self, folder: Path, module: str | None, user, *, name: str, audit: list[str] | None = None,
               grader_files: list[str] = (), memory_bytes: int | None = None, threads: int = 1):
        """Start a worker in ``folder`` (see :func:`sandbox_folder`); returns (process, connection)."""
        spec = {
            "workdir": str(folder / "work"), "scratch": str(folder / "scratch"), "module": module,
            "root": str(self.problemset.root), "graders": str(self.problemset.graders),
            "grader_files": list(grader_files), "preload": list(self.problemset.preload),
            "memory_bytes": memory_bytes, "torch_home": _torch_home(), "threads": threads, "user": user,
            "max_output_bytes": MAX_OUTPUT_BYTES, "audit": audit, "stack_file": str(folder / "scratch" / stack.FILE),
        }
        if self.unavailable or self.ended:
            raise WorkersUnavailable(self.unavailable or "the run has ended")
        if self.run_end is not None and self.run_end - time.monotonic() < 1:
            raise TimeoutError("the run's time budget is spent")
        for attempt in range(2):  # a forkserver killed (by a worker) while it forks is started again
            conn, child = self.context.Pipe()  # a fresh pipe: a half-started worker keeps nothing of the next
            lifeline, held = self.context.Pipe(duplex=False)  # the worker ends when ``held`` closes (worker.py)
            process = self.context.Process(target=_serve, args=(child, lifeline, spec), daemon=True, name=name)
            try:
                self._start_within_budget(process)
                break
            except (EOFError, OSError) as exc:
                for end in (conn, child, lifeline, held):
                    end.close()
                ended = end_forkserver()
                if isinstance(exc, TimeoutError):  # the run is over: no second try
                    raise
                if self.ended:
                    raise WorkersUnavailable("the run has ended") from None
                if attempt:  # a fresh forkserver could not start a worker either: nor will the next one
                    why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    raise WorkersUnavailable(self.give_up(f"the forkserver {ended} ({why})" if ended else why)) from None
        self.workers[process.pid] = held
        child.close()
        lifeline.close()
        return process, conn

    def forget(self, pid: int) -> None:
        """A worker that was stopped: no longer one of ours (its lifeline closed: were it still
        alive, it ends now)."""
        held = self.workers.pop(pid, None)
        if held is not None:
            held.close()

    def reap_strays(self) -> None:
        """Kill every child of ours that is not multiprocessing's own helper nor a worker of ours:
        what is left of a worker's children after the worker was killed or returned."""
        from multiprocessing import forkserver, resource_tracker

        keep = {getattr(forkserver._forkserver, "_forkserver_pid", None),
                getattr(resource_tracker._resource_tracker, "_pid", None), *self.workers}  # spawned workers are ours
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

    def _start_within_budget(self, process) -> None:
        """``process.start()``, given up at the end of the run: a forkserver that hangs (in a
        library's import, say) would otherwise hold the launch, and the run, for ever."""
        left = None if self.run_end is None else max(self.run_end - time.monotonic(), 1.0)  # 1 s: the forkserver has a pid
        fired = threading.Event()

        def kill_forkserver():
            fired.set()
            try:
                os.kill(_forkserver_pid(), signal.SIGKILL)  # the blocked launch then reads EOF
            except (TypeError, OSError):
                pass

        forking = self.context.get_start_method() == "forkserver"  # spawn's start does not wait for the child
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


class Confinement:
    """Which user a run's workers run as, decided by trying it: a worker isolated like the
    student's, but running no student code, reports what it can reach (see sandbox.audit). As
    root, ``nobody`` is tried first; if ``nobody`` cannot load Python (an interpreter under a 0700
    folder), the workers stay root, confined by whatever else took."""

    def __init__(self, launcher: Launcher, measured: Confinement | None = None):
        self.launcher = launcher
        self._thread: threading.Thread | None = None
        self.user: tuple[int, int] | None = measured.user if measured else None
        self.report: dict | None = measured.report if measured else None
        self.tried: list[dict] = list(measured.tried) if measured else []
        self.done = threading.Event()  # the decision is made (not Thread.join: Ctrl-C during a join
        if measured:                   # marks the thread as ended, though it still runs)
            self.done.set()

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self._thread is None and not self.done.is_set():
            self._thread = threading.Thread(target=self._decide, name="grader-audit", daemon=True)
            self._thread.start()

    def wait(self) -> tuple[int, int] | None:
        self.start()
        self.done.wait()
        return self.user

    def _decide(self) -> None:
        try:
            self._try_users()
        finally:
            self.done.set()

    def _try_users(self) -> None:
        candidates = [None]
        if judge_is_root():
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
            self.launcher.give_up(self.report["libraries"], "the grading machine's libraries")
        elif self.report.get("failure"):
            self.launcher.give_up(self.report["failure"], "the grading machine")  # no student code had run

    def _measure(self, user) -> dict:
        """The audit worker's report; with ``failure`` when it did not start or answer."""
        def failed(why: str, final: bool = False) -> dict:  # final: another user would fare no better
            return {"python": why, "failure": why, "final": final, "readable": [], "checked": 0, "user": "?"}

        launcher = self.launcher
        folder = launcher.folder(user, "audit")
        try:
            process, conn = launcher.launch(folder, None, user, name="grader-audit",
                                            audit=sandbox.protected_files(launcher.problemset.root))
        except (EOFError, OSError, WorkersUnavailable) as exc:  # two forkservers failed, or the time ran out
            shutil.rmtree(folder, ignore_errors=True)
            return failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, final=True)
        try:
            end = launcher.run_end
            wait = 300 if end is None else min(300.0, max(end - time.monotonic(), 0.0))
            if not conn.poll(wait):
                return failed(f"the audit worker did not answer within {wait:.0f} s", final=True)
            report = decode(conn.recv_bytes(MAX_MESSAGE_BYTES))
            return report if isinstance(report, dict) else failed("malformed audit")
        except (EOFError, OSError, MalformedMessage) as exc:
            return failed(f"the audit worker died ({exc or type(exc).__name__})")
        finally:
            process.kill()
            process.join(5)
            launcher.forget(process.pid)
            conn.close()
            shutil.rmtree(folder, ignore_errors=True)

    def describe(self) -> str:
        """The measured details, for the tutor."""
        self.wait()
        why = ""
        if len(self.tried) > 1 and self.tried[0].get("python"):
            why = f"nobody could not load Python ({self.tried[0]['python']})"
        return sandbox.describe(self.report, judge_is_root(), self.launcher.problemset.root, why)

    def plain(self) -> str:
        """The same in plain words, for the student."""
        self.wait()
        return sandbox.plain(self.report, judge_is_root())


def sandbox_folder(user: tuple[int, int] | None, label: str) -> Path:
    """A fresh folder with ``work`` (the submission's copy) and ``scratch`` (owned by ``user``),
    named by this judge's process id (see :func:`remove_stale_folders`)."""
    root = Path(tempfile.mkdtemp(prefix=f"grader-{os.getpid()}-{label}-"))
    os.chmod(root, 0o755)
    (root / "work").mkdir()
    (root / "scratch").mkdir()
    if user:
        os.chown(root / "scratch", *user)
    return root


def _remove(folder: Path) -> None:
    """Remove a sandbox folder, again while a worker that was just killed still writes in it."""
    for _ in range(20):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.05)


def remove_stale_folders() -> None:
    """Remove the sandbox folders of judges that are gone (killed outright, so that they could not
    clean up): ``grader-<pid>-...`` in the temporary folder, whose process no longer runs."""
    if not Path("/proc/self").is_dir():
        return
    for folder in Path(tempfile.gettempdir()).glob("grader-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists() and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def _become_subreaper() -> None:
    """Orphaned descendants of a worker (a detached daemon) become our children, so that
    reap_strays can find and kill them. Linux only; elsewhere strays are not hunted."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError, TypeError):
        pass


def _forkserver_pid() -> int | None:
    from multiprocessing import forkserver

    return getattr(forkserver._forkserver, "_forkserver_pid", None)


def end_forkserver() -> str:
    """End the process's forkserver now and forget it (the next launch starts a new one). At the end
    of a run: left to itself it finalises a Python process that imported torch (about a second),
    holding the run's output open, which a caller reading that output waits for. After a failed
    launch: a worker may have killed it, and it may not be dead yet. Returns how it had ended when
    it was dead already ('' otherwise)."""
    pid, ended = _forkserver_pid(), ""
    if pid is None:
        return ""
    from multiprocessing import forkserver

    try:
        dead = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)  # look, do not reap
        if dead is not None:
            ended = (f"exited with code {dead.si_status}" if dead.si_code == os.CLD_EXITED
                     else f"was killed by {signal_name(-dead.si_status)}")
        os.kill(pid, signal.SIGKILL)
        forkserver._forkserver._stop()  # reaps it, closes our end, removes its socket file
    except (TypeError, ProcessLookupError, ChildProcessError, AttributeError, OSError):
        pass
    return ended


def _torch_home() -> str:
    """Where torch keeps downloaded weights for the judge's user; the worker reads them there."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "torch"
    return os.environ.get("TORCH_HOME", str(default))


def signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _serve(conn, lifeline, spec):  # module-level so the forkserver child can find it by name
    from autograder.core.worker import serve

    serve(conn, lifeline, spec)
