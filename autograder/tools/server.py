"""Grade submission after submission in one long-lived process: pytest and the framework are
imported once, and the problem set's libraries once (by the forkserver, which stays from one
submission to the next where the workers were measured unable to reach it). The graders are
imported afresh for each submission (a run takes them out of ``sys.modules`` as it ends), so
nothing a grader module keeps reaches another submission's grading.

    python -m autograder.tools.server PROBLEMSET_DIR PARENT_PID   # what :class:`Server` starts (batch grading)

Each request is one grading, exactly as ``pytest ARGS`` run in the problem set's folder grades:
its own :class:`autograder.run.Run`, workers, sandbox folders, time budget, results and report;
its output goes to the file the request names. Student code never runs in this process, only in
the workers, which end with their submission's run. A request is a line of JSON on stdin,
``{"args": [...], "output": PATH}``; the answer a line on stdout, ``{"exit": pytest's exit
status}``. Ctrl-C (SIGINT) or SIGTERM ends the grading under way as not graded (its results say
so) and the server with it; so does the end of the process that started it.
"""
from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

INTERRUPTED = 2  # pytest.ExitCode.INTERRUPTED


class Host:
    """What the long-lived process lends to the runs it hosts, as a pytest plugin found by its name
    (:data:`autograder.plugin.HOST`): the audit of the forkserver the next run may use, or None
    (then the next run starts and audits a fresh one). Set by each run as it ends
    (:meth:`autograder.run.Run.close`)."""

    def __init__(self):
        self.__name__ = "autograder-host"  # the name pytest registers a plugin object under
        self.measured = None


# -- the server process -------------------------------------------------------------------------
def _end_with_parent(parent: int) -> None:
    """SIGTERM when the process that started this one ends (killed outright, say): the grading under
    way then ends as after Ctrl-C. Linux only."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _output_to(path: Path):
    """File descriptors 1 and 2 (pytest's output, and anything a library prints) into ``path``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "wb") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)


def serve(root: Path, parent: int) -> int:
    import pytest

    from autograder.core.launcher import Launcher
    from autograder.core.problemset import ProblemSet
    from autograder.run import stop_on_signals

    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # between gradings nothing printed may reach the answers
    stop_on_signals()  # between gradings too: the server ends cleanly, its forkserver with it
    _end_with_parent(parent)
    os.chdir(root)
    Launcher(ProblemSet.load(root)).start_forkserver()  # its imports overlap the wait for the first request
    host = Host()
    for line in sys.stdin:
        request = json.loads(line)
        with _output_to(Path(request["output"])):
            code = int(pytest.main(list(request["args"]), plugins=[host]))
        replies.write(json.dumps({"exit": code}) + "\n")
        if code == INTERRUPTED:
            return 130
    return 0


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m autograder.tools.server PROBLEMSET_DIR PARENT_PID (started by Server)", file=sys.stderr)
        return 2
    try:
        return serve(Path(args[0]), int(args[1]))
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM between gradings
        return 130
    finally:  # at once: a forkserver still importing the libraries would see the server gone only after
        from autograder.core.launcher import end_forkserver

        end_forkserver()


# -- the client: batch grading, the framework's tests --------------------------------------------
class ServerGone(Exception):
    """The server ended (killed, or it stopped after an interruption) before it answered."""


class Server:
    """A grading server for one problem set; :meth:`grade` is ``pytest ARGS`` in its folder."""

    def __init__(self, root: Path, env: dict | None = None, log=subprocess.DEVNULL, wrap=None):
        """``wrap``: how the server's command line is started, if not as it is (e.g. under ``capsh``,
        as a container without CAP_SYS_ADMIN runs it); the wrapper must exec the command in its
        own process, which is the one this process talks to and signals."""
        self.root = Path(root)
        command = [sys.executable, "-m", "autograder.tools.server", str(self.root), str(os.getpid())]
        self.process = subprocess.Popen(
            wrap(command) if wrap else command,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=self.root, env=env, text=True)
        self._answers: queue.Queue = queue.Queue()  # read by a thread: select() takes no pipe on Windows
        threading.Thread(target=self._read, daemon=True, name="grading-server-answers").start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._answers.put(line)
        self._answers.put("")  # the server ended

    def grade(self, args: list[str], output: Path, timeout: float | None = None) -> int:
        """pytest's exit status; TimeoutError (the server is then stopped) or ServerGone."""
        try:
            self.process.stdin.write(json.dumps({"args": [str(a) for a in args], "output": str(output)}) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise ServerGone("the grading server has ended") from None
        try:
            line = self._answers.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            raise TimeoutError from None
        if not line:
            raise ServerGone("the grading server has ended")
        return int(json.loads(line)["exit"])

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def terminate(self) -> None:
        """SIGTERM: the grading under way ends as not graded, its workers and sandbox folders with it."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.send_signal(signal.SIGTERM)

    def stop(self, grace: float = 2.0) -> None:
        """End the server: SIGTERM, then SIGKILL after ``grace`` seconds."""
        if self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            self.process.stdin.close()

    def close(self) -> None:
        """No more requests: the server ends once its last grading is done."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.stop()


class Pool:
    """``size`` grading servers shared by the threads that grade: :meth:`grade` takes a free one,
    started when first needed and started again after it ended (a timeout, a crash). After
    :meth:`stop` every grading under way ends and every later one raises :class:`ServerGone`."""

    def __init__(self, root: Path, size: int, env: dict | None = None, log=subprocess.DEVNULL, wrap=None):
        self.root, self.env, self.log, self.wrap = Path(root), env, log, wrap
        self._free: queue.LifoQueue = queue.LifoQueue()
        for _ in range(size):
            self._free.put(None)
        self._started: list[Server] = []
        self._lock = threading.Lock()
        self.stopped = False

    def grade(self, args: list[str], output: Path, timeout: float | None = None) -> int:
        server = self._free.get()
        try:
            with self._lock:
                if self.stopped:
                    raise ServerGone("the grading servers were stopped")
                if server is None or not server.alive:
                    server = Server(self.root, self.env, self.log, self.wrap)
                    self._started.append(server)
            return server.grade(args, output, timeout)
        finally:
            self._free.put(server if server is not None and server.alive else None)

    def stop(self, grace: float = 1.5) -> None:
        """Every server ended at once (SIGTERM to all, SIGKILL to those alive after ``grace``)."""
        with self._lock:
            self.stopped = True
            servers = list(self._started)
        for server in servers:
            server.terminate()
        deadline = time.monotonic() + grace
        for server in servers:
            server.stop(max(deadline - time.monotonic(), 0.0))

    def close(self) -> None:
        """No more gradings: every server ends once its last one is done."""
        with self._lock:
            self.stopped = True
            servers = list(self._started)
        for server in servers:
            server.close()


if __name__ == "__main__":
    sys.exit(main())
