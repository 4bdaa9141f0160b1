"""The worker: imports one student module and runs calls on it. Runs only in a child process.

It is started by :mod:`autograder.core.launcher` from a forkserver that has the problem set's
libraries preloaded, so a worker costs a fork, not an import of torch. Requests and replies are :mod:`autograder.core.codec`
messages; a reply is ``{"ok": value}`` or ``{"error": {...}}`` and nothing else.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import random
import signal
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

from autograder.core import sandbox
from autograder.core import settings
from autograder.core import stack
from autograder.core.codec import decode, encode

try:
    import resource
except ImportError:  # Windows: no resource limits
    resource = None


def _to_tensor(array: np.ndarray, requires_grad: bool):
    import torch

    return torch.from_numpy(array.copy()).requires_grad_(requires_grad)


def _seed(seed: int) -> None:
    """Seed random, numpy and torch (where the problem set uses it: imported already)."""
    random.seed(seed)
    np.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        torch.set_grad_enabled(True)


def _where(exc: BaseException, workdir: str) -> tuple[str, str]:
    """(``file.py:LINE``, the function's qualified name) of the innermost frame in the submission,
    or ('', '')."""
    found = ("", "")
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.startswith(workdir):
            found = (f"{os.path.basename(code.co_filename)}:{tb.tb_lineno}", getattr(code, "co_qualname", code.co_name))
        tb = tb.tb_next
    return found


def _kind(exc: BaseException, kind: str) -> str:
    if isinstance(exc, NotImplementedError):
        return "not_implemented"
    if isinstance(exc, MemoryError) or "can't allocate memory" in str(exc) or "not enough memory" in str(exc):
        return "memory"
    if isinstance(exc, OSError) and exc.errno == 27:  # EFBIG: the output file reached its limit
        return "output"
    return kind


def _error(exc: BaseException, workdir: str, kind: str = "exception") -> dict:
    text = str(exc).strip().splitlines()
    where, function = _where(exc, workdir)
    return {
        "error": {
            "kind": _kind(exc, kind),
            "type": type(exc).__name__,
            "message": (text[0] if text else "")[:300],
            "where": where,
            "function": function,  # the student's function it was raised in (a probe's error is placed there)
        }
    }


def _preload_graders(spec: dict) -> dict:
    """Import the exercise's grader modules now, while the project is still visible."""
    probes = {}
    sys.path.append(spec["graders"])  # shared grader modules, after the submission's own files
    for path in spec["grader_files"]:
        loader_spec = importlib.util.spec_from_file_location(f"_probe_{len(probes)}", path)
        probes[path] = importlib.util.module_from_spec(loader_spec)
        loader_spec.loader.exec_module(probes[path])
    for module in list(sys.modules.values()):  # shared grader modules hold probes too
        path = getattr(module, "__file__", None) or ""
        if os.path.dirname(path) == spec["graders"]:
            probes.setdefault(path, module)
    return probes


def _isolate(spec: dict) -> tuple[dict, dict]:
    """Own session (so the judge can kill everything we start), own files, fewer rights.
    Returns the preloaded grader modules by path, and which confinement took."""
    if hasattr(os, "setsid"):
        os.setsid()
    log = os.open(os.path.join(spec["scratch"], "output.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if resource is not None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an output flood fails writes, not the worker
        try:
            resource.setrlimit(resource.RLIMIT_FSIZE, (spec["max_output_bytes"],) * 2)
        except (ValueError, OSError):
            pass
    for name in ("HOME", "TMPDIR", "TEMP", "TMP", "MPLCONFIGDIR"):
        os.environ[name] = spec["scratch"]
    tempfile.tempdir = spec["scratch"]  # the forkserver may have cached another one
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["TORCH_HOME"] = spec["torch_home"]  # pretrained weights, when cached
    os.chdir(spec["workdir"])
    sys.dont_write_bytecode = True
    probes = _preload_graders(spec)
    sys.path.insert(0, spec["workdir"])
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    project = Path(spec["root"])
    confinement = {"namespace": bool(root and sandbox.hide_protected(project)),
                   "no_new_privs": sandbox.no_new_privileges()}
    confinement["landlock"] = settings.environ("AUTOGRADER_LANDLOCK") != "off" and sandbox.landlock(
        readable=[*sandbox.READABLE_SYSTEM, *sandbox.python_paths(project), spec["torch_home"]],
        writable=[os.path.dirname(spec["workdir"]), "/dev"], root=project)
    if spec.get("memory_bytes") and resource is not None:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (spec["memory_bytes"],) * 2)
        except (ValueError, OSError):  # macOS refuses an address-space limit
            pass
    if spec.get("user"):
        uid, gid = spec["user"]
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    return probes, confinement


def _end_with_the_judge(lifeline) -> None:
    """End this worker, and everything it started, when the judge is gone: the judge holds the
    other end of ``lifeline`` and never writes, so it reads end-of-file only when the judge closes it
    (the worker is stopped) or dies (killed outright, its file descriptors closed by the kernel). The
    judge, not the forkserver: a worker that kills the forkserver takes no other exercise with it."""
    def watch():
        try:
            lifeline.poll(None)
        except (OSError, ValueError):
            pass
        os.killpg(os.getpgrp(), signal.SIGKILL) if hasattr(os, "killpg") else os._exit(1)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def serve(conn, lifeline, spec: dict) -> None:
    """Entry point of the worker process."""
    import gc

    from autograder.core import preload  # the problem set's libraries: the forkserver's already, or now (spawn)

    gc.freeze()  # what the forkserver imported is never scanned: its pages stay shared, not copied
    probes, confinement = _isolate(spec)
    _end_with_the_judge(lifeline)
    if spec.get("audit") is not None:  # the judge's measurement: no student code in this process
        conn.send_bytes(encode({**sandbox.audit(spec["audit"], confinement, spec.get("preload", ())),
                                "libraries": preload.errors[0] if preload.errors else ""}))
        return
    stack.dump_on_signal(spec["stack_file"])  # the judge asks where we are before it kills us
    if "torch" in sys.modules:  # one thread: results do not depend on the machine's cores
        sys.modules["torch"].set_num_threads(spec["threads"])
    workdir = spec["workdir"]

    _seed(0)
    try:
        student = importlib.import_module(spec["module"])
        import_error = None
    except BaseException as exc:  # SyntaxError, SystemExit, anything: it is the student's error
        student, import_error = None, _error(exc, workdir, kind="import")
        if isinstance(exc, SyntaxError) and exc.lineno:  # its place once, not again in its message
            import_error["error"]["where"] = f"{os.path.basename(exc.filename or spec['module'] + '.py')}:{exc.lineno}"
            import_error["error"]["message"] = str(exc.msg)[:300]

    while True:
        try:
            request = decode(conn.recv_bytes(), to_tensor=_to_tensor)
        except EOFError:
            return
        if import_error is not None:
            conn.send_bytes(encode(import_error))
            continue
        try:
            _seed(request.get("seed", 0))
            if request["op"] == "call":
                function = getattr(student, request["name"], None)
                if not callable(function):
                    conn.send_bytes(encode({"error": {"kind": "missing", "type": "AttributeError",
                                                      "message": request["name"], "where": ""}}))
                    continue
                result = function(*request["args"], **request["kwargs"])
            else:  # "probe": trusted grader code that drives the student module in this process
                probe = getattr(probes[request["file"]], request["name"])
                result = probe(student, *request["args"], **request["kwargs"])
            reply = {"ok": result}
        except BaseException as exc:  # the student's exception becomes data, never a crash
            reply = _error(exc, workdir)
        try:
            data = encode(reply)
        except Exception as exc:  # noqa: BLE001 - e.g. an unencodable or oversized result
            data = encode({"error": {"kind": "exception", "type": type(exc).__name__,
                                     "message": f"the result could not be sent back: {exc}"[:300], "where": ""}})
        conn.send_bytes(data)
        request = reply = data = result = None  # noqa: F841 - drop the references before trimming
        sandbox.give_back_memory()
