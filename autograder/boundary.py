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
import stat
import tempfile
from pathlib import Path

import pytest

from autograder.codec import MAX_MESSAGE_BYTES, MalformedMessage, decode, encode
from autograder.exercises import GRADERS, SKELETONS, Exercise

PRELOAD = ["torch", "torchvision", "numpy", "PIL.Image", "matplotlib.pyplot", "pytest", "autograder.worker"]
_context = None


def _forkserver():
    """The forkserver pays the torch import once; every worker is a fork of it."""
    global _context
    if _context is None:
        os.environ.setdefault("MPLBACKEND", "Agg")
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def _unprivileged_user() -> tuple[int, int] | None:
    """(uid, gid) of ``nobody`` when we are root and ``nobody`` can still reach Python, else None."""
    if os.geteuid() != 0:
        return None
    import pwd
    import sys
    import sysconfig

    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        return None
    for path in {sys.prefix, sysconfig.get_paths()["purelib"], str(Path(__file__).parent)}:
        for part in [Path(path), *Path(path).parents]:
            if part.exists() and not part.stat().st_mode & stat.S_IXOTH:
                return None
    return nobody.pw_uid, nobody.pw_gid


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
                 max_output_bytes: int = 16 * 2**20):
        self.exercise = exercise
        self.target = target
        self.timeout = timeout
        self.threads = threads
        self.max_output_bytes = max_output_bytes
        self.submitted = (target / exercise.student_file).is_file()
        self._sandbox: Path | None = None
        self._shared: dict = {}
        self._process = None
        self._conn = None

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
        code = probe.__code__
        if not getattr(probe, "in_worker", False) or GRADERS not in Path(code.co_filename).parents:
            raise TypeError(f"{probe.__name__} must be an @in_worker function of a file in graders/")
        return self._request({"op": "probe", "file": code.co_filename, "name": probe.__name__,
                              "args": list(args), "kwargs": kwargs, "seed": seed},
                             label=getattr(probe, "label", probe.__name__))

    def run_once(self, probe, *args, **kwargs):
        """``run``, computed once per exercise and shared by the tests that ask for the same thing.

        A failure is remembered too: every test that needs the result fails with the same line,
        inside the test (not as a fixture error)."""
        __tracebackhide__ = True
        key = (probe.__code__.co_filename, probe.__name__, repr(args), repr(sorted(kwargs.items())))
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
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._process.kill()
            self._process.join(5)
            self._conn.close()
            self._process = self._conn = None

    def close(self) -> None:
        self.stop()
        if self._sandbox is not None:
            shutil.rmtree(self._sandbox, ignore_errors=True)
            self._sandbox = None

    # -- machinery ----------------------------------------------------------------------------
    def _prepare_sandbox(self) -> Path:
        """A private copy of the submission with the framework's provided files laid over it."""
        root = Path(tempfile.mkdtemp(prefix=f"ps5-ex{self.exercise.number}-"))
        os.chmod(root, 0o755)
        work, scratch = root / "work", root / "scratch"
        work.mkdir()
        scratch.mkdir()
        for item in self.target.iterdir():
            if item.is_file() and not item.is_symlink() and item.stat().st_size < 32 * 2**20:
                shutil.copyfile(item, work / item.name)
        for name in self.exercise.provided:
            shutil.copyfile(SKELETONS / name, work / name)
        user = _unprivileged_user()
        if user:
            os.chown(scratch, *user)
        self._user = user
        return root

    def _start(self) -> None:
        if self._sandbox is None:
            self._sandbox = self._prepare_sandbox()
        ctx = _forkserver()
        self._conn, child = ctx.Pipe()
        spec = {
            "workdir": str(self._sandbox / "work"),
            "scratch": str(self._sandbox / "scratch"),
            "module": self.exercise.module,
            "graders": str(GRADERS),
            "torch_home": _torch_home(),
            "threads": self.threads,
            "user": self._user,
            "max_output_bytes": self.max_output_bytes,
        }
        self._process = ctx.Process(target=_serve, args=(child, spec), daemon=True,
                                    name=f"ps5-ex{self.exercise.number}")
        self._process.start()
        child.close()

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
        if self._process is None:
            self._start()
        try:
            self._conn.send_bytes(encode(message))
            if not self._conn.poll(self.timeout):
                self.stop()
                pytest.fail(f"timed out after {self.timeout:g} s in {label}", pytrace=False)
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


def describe_error(error: dict, label: str, file: str) -> str:
    """One line telling the student what went wrong in their code."""
    kind, message, where = error.get("kind"), error.get("message", ""), error.get("where", "")
    at = f" ({where})" if where else ""
    if kind == "not_implemented":
        return f"not implemented: {message or label} - fill in the # TODO in {file}"
    if kind == "missing":
        return f"{file} has no function {message}"
    if kind == "import":
        return f"{file} could not be imported: {error.get('type')}: {message}{at}"
    return f"{label} raised {error.get('type')}: {message}{at}"


def _serve(conn, spec):  # module-level so the forkserver child can find it by name
    from autograder.worker import serve

    serve(conn, spec)
