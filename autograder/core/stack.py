"""Where a worker was when the judge stopped it: the file, line and function, for the message.

Before it imports the submission, a worker has ``faulthandler`` write every thread's stack to a
file in its scratch folder on SIGUSR1 (:func:`dump_on_signal`). When a call runs past its time,
the judge sends that signal, reads the file and only then kills the worker (:func:`ask`). The
file is written by a process that runs student code: the judge reads at most 64 KiB of a regular
file (never a link or a pipe) and uses it for nothing but the message.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import time
from pathlib import Path

FILE = "stack.txt"  # in the worker's scratch folder
_FRAME = re.compile(r'^\s*File "([^"\n]{1,4096})", line (\d{1,9}) in (\S{1,100})$', re.M)
_SERVING = f'File "{Path(__file__).with_name("worker.py")}"'  # a frame of the thread that serves the judge


def dump_on_signal(path: str) -> None:
    """In the worker: on SIGUSR1, write every thread's stack to ``path`` (not on Windows)."""
    import faulthandler

    if hasattr(faulthandler, "register") and hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, file=open(path, "w"), all_threads=True)  # it keeps the file


def ask(pid: int, path: Path, workdir: str) -> tuple[str, int, str, bool] | None:
    """In the judge: where the worker ``pid`` is now (see :func:`stopped_at`); within a second."""
    try:
        os.kill(pid, signal.SIGUSR1)
    except (OSError, AttributeError):  # AttributeError: no SIGUSR1 (Windows)
        return None
    text, last = "", None
    for _ in range(20):  # written at once by the signal handler: wait until it is there and stays
        time.sleep(0.05)
        text, last = _read_small(path), text
        if text and text == last:
            break
    with contextlib.suppress(OSError):  # the next worker must not find this one's
        path.unlink(missing_ok=True)
    return stopped_at(text, workdir)


def stopped_at(dump: str, workdir: str) -> tuple[str, int, str, bool] | None:
    """(file name, line, function) of the innermost frame in ``workdir`` (the submission's copy),
    in the thread that serves the judge, and whether the submission was being imported (its
    outermost frame there is a module's top level); None when no frame is in the submission."""
    blocks = re.split(r"^(?=Thread 0x|Current thread 0x)", dump, flags=re.M)
    serving = [b for b in blocks if _SERVING in b and 'in serve\n' in b]  # not the worker's lifeline thread
    block = next(iter(serving), None) or next((b for b in blocks if b.startswith("Current")), "")
    frames = [(m[1], int(m[2]), m[3]) for m in _FRAME.finditer(block) if m[1].startswith(workdir + os.sep)]
    if not frames:
        return None
    path, line, function = frames[0]
    return os.path.basename(path), line, function, frames[-1][2] == "<module>"


def _read_small(path: Path, limit: int = 64 * 2**10) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return ""
    try:
        return os.read(fd, limit).decode(errors="replace") if stat.S_ISREG(os.fstat(fd).st_mode) else ""
    finally:
        os.close(fd)
