"""An automated cheater: does anything the student package ships compute a student function's answer?

    python cheater.py PACKAGE.zip RECORDING [MODULE]   # prints one JSON line per finding; exit 1 if any

PACKAGE.zip is the student package (unpacked here, as it ships); RECORDING the folder with the calls its public graders make of the
student functions, with the reference's results (``pytest --target=solutions --record=DIR``,
:mod:`autograder.core.recording`). Every module the package ships but the student files (the
framework, the graders and their shared modules, the provided files, conftest.py) is imported, and
every function and class defined in it is called with every student function's recorded
arguments: as recorded (tensors as tensors), all arrays as numpy arrays, all as torch tensors;
positionally, with the keywords, without them, and with a shorter list of arguments (defaults
doing the rest). A call that returns the reference's result (or a part of it, or a dict of
shapes whose sizes add up to it) for an input where that result is not simply one of the inputs
is an answer given away. Each module is tried in a child process of its own (what a call does to
its process stays there) with a time limit per call. MODULE: only the shipped modules of that name
(the test that plants an answer tries the planted module alone).
"""
from __future__ import annotations

import importlib
import inspect
import json
import os
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path

import numpy as np

PER_CALL = 3.0  # seconds
PER_MODULE = 240.0
PER_CALLABLE = 6.0  # a function that has not answered in this long (a ResNet-50 per call) is left
CALLS_PER_FUNCTION = 4  # the first recorded calls of each function or probe (each a different case)


def modules(package: Path, student_files: set[str]) -> list[tuple[str, Path]]:
    """(import name, path) of every module the package ships, but the student files."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in (".venv", ".github") or "__pycache__" in relative.parts:
            continue
        if relative.parts[0] == "skeletons" and relative.name in student_files:
            continue
        if relative.parts[0] == "autograder":
            name = ".".join(relative.with_suffix("").parts)
            found.append((name.removesuffix(".__init__"), path))
        else:  # graders/, skeletons/ (provided files) and conftest.py are imported by plain name
            found.append((relative.stem, path))
    return found


def variants(args, kwargs):
    """The argument lists to try: as recorded, as numpy, as torch; with and without keywords."""
    import torch

    def convert(value, how):
        if isinstance(value, np.ndarray):
            tensor_origin = getattr(value, "origin", "") == "torch.Tensor"
            plain = np.array(value)
            if how == "torch" or how == "as recorded" and tensor_origin:
                return torch.from_numpy(plain)
            return plain
        if isinstance(value, (list, tuple)):
            return type(value)(convert(v, how) for v in value)
        if isinstance(value, dict):
            return {k: convert(v, how) for k, v in value.items()}
        return value

    for how in ("as recorded", "numpy", "torch"):
        a, k = convert(list(args), how), convert(dict(kwargs), how)
        yield how, a, k
        if k:
            yield f"{how}, positional", a + list(k.values()), {}
            yield f"{how}, no keywords", a, {}
        for n in range(1, len(a)):
            yield f"{how}, first {n} arguments", a[:n], {}


def arrays_in(value, depth=0) -> list[np.ndarray]:
    """Every array-like inside ``value`` (tensors, arrays, numbers; in tuples, lists, dicts), but
    yes-or-no flags: a probe's "it was unchanged" answers nothing."""
    if depth > 3 or isinstance(value, (bool, np.bool_)) or getattr(value, "dtype", None) == np.bool_:
        return []
    if isinstance(value, dict):
        found = [a for v in value.values() for a in arrays_in(v, depth + 1)]
        shapes = [v for v in value.values() if isinstance(v, (tuple, list)) and all(isinstance(n, int) for n in v)]
        if shapes and len(shapes) == len(value):  # a table of shapes: its parameter count
            found.append(np.asarray(sum(int(np.prod(s)) for s in shapes), dtype=np.float64))
        return found
    if isinstance(value, (tuple, list)):
        try:
            return [np.asarray(value, dtype=np.float64)] + [a for v in value for a in arrays_in(v, depth + 1)]
        except (TypeError, ValueError):
            return [a for v in value for a in arrays_in(v, depth + 1)]
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return []
    return [array] if array.dtype != object else []


def answers(output, expected, inputs) -> bool:
    """``output`` holds ``expected`` (a recorded result, or one of its parts) where the result is not
    simply one of the inputs (an identity answers nothing)."""
    targets = [e for e in arrays_in(expected) if e.size > 0 and np.all(np.isfinite(e))]
    given = [i.reshape(-1) for i in arrays_in(inputs)]  # an input, or an input reshaped, answers nothing
    targets = [e for e in targets if not any(i.size == e.size and np.allclose(i, e.reshape(-1)) for i in given)
               and not (e.size > 1 and np.all(e == e.reshape(-1)[0]))]  # a constant answers nothing either
    got = [g for g in arrays_in(output) if g.size > 0]
    for e in targets:
        scale = float(np.max(np.abs(e))) or 1.0
        if any(g.shape == e.shape and np.allclose(g, e, rtol=1e-4, atol=1e-6 * scale) for g in got):
            return True
    return False


class Late(Exception):
    pass


def _alarm(signum, frame):
    raise Late()


def try_module(name: str, path: Path, calls: list[dict]) -> list[dict]:
    """In this (child) process: import the module and call each of its functions and classes."""
    signal.signal(signal.SIGALRM, _alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        module = importlib.import_module(name) if "." in name else _load(name, path)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException:  # noqa: BLE001 - a module that does not import answers nothing
        return []
    findings = []
    for attribute, candidate in sorted(vars(module).items()):
        candidate = getattr(candidate, "__wrapped__", candidate)
        if not callable(candidate) or getattr(candidate, "__module__", None) != module.__name__:
            continue
        if not (inspect.isfunction(candidate) or inspect.isclass(candidate)):
            continue
        late, spent = 0, time.monotonic() + PER_CALLABLE
        try:
            signature = inspect.signature(candidate)
        except (TypeError, ValueError):
            signature = None
        for call in calls:
            if late >= 2 or time.monotonic() > spent:
                break
            if any(f["callable"] == attribute and f["answers"] == call["function"] for f in findings):
                continue  # answered already
            for how, args, kwargs in variants(call["args"], call["kwargs"]):
                try:
                    if signature is not None:
                        signature.bind(*args, **kwargs)  # a call that cannot bind answers nothing: not made
                except TypeError:
                    continue
                try:
                    signal.setitimer(signal.ITIMER_REAL, PER_CALL)
                    output = candidate(*args, **kwargs)
                    found = answers(output, call["result"], (call["args"], call["kwargs"]))
                except Late:
                    late += 1
                    break
                except BaseException:  # noqa: BLE001 - a call that fails answers nothing
                    continue
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                if found:
                    findings.append({"module": name, "callable": attribute, "answers": call["function"],
                                     "exercise": call["exercise"], "called": how})
                    break
    return findings


def _load(name: str, path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(argv) -> int:
    import tempfile
    import zipfile

    archive, recording = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    scratch = Path(tempfile.mkdtemp(prefix="cheater-"))
    package = scratch / "package"
    zipfile.ZipFile(archive).extractall(package)
    (scratch / "tmp").mkdir()
    os.environ["TMPDIR"] = tempfile.tempdir = str(scratch / "tmp")  # what the calls leave is removed with it
    try:
        return _cheat(package, recording, argv)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _cheat(package: Path, recording: Path, argv) -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    import torch  # noqa: F401 - imported once, before the children fork

    # Read with this repository's framework; each child then imports the package's own.
    from autograder.core.problemset import ProblemSet
    from autograder.core.recording import calls as read_calls

    problemset = ProblemSet.load(package)
    student_files = set(problemset.student_files)
    calls, seen = [], {}
    for call in read_calls(recording):  # the student functions' calls, and the probes' (their results hold answers)
        seen[call["function"]] = seen.get(call["function"], 0) + 1
        if seen[call["function"]] <= CALLS_PER_FUNCTION:
            calls.append(call)
    found, running, todo = [], {}, [m for m in modules(package, student_files) if len(argv) < 3 or
                                    m[0].rpartition(".")[2] == argv[2]]
    parallel = max(1, min(2, os.cpu_count() or 1))
    while todo or running:
        while todo and len(running) < parallel:  # each module in a child of its own, two at a time
            name, path = todo.pop(0)
            reader, writer = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: whatever a call does to this process ends with it
                os.close(reader)
                try:
                    for loaded in [m for m in sys.modules if m == "autograder" or m.startswith("autograder.")]:
                        del sys.modules[loaded]
                    sys.path[:0] = [str(package), str(package / "graders"), str(package / "skeletons")]
                    os.chdir(package / "skeletons")
                    signal.signal(signal.SIGALRM, lambda *a: os._exit(3))
                    signal.alarm(int(PER_MODULE))
                    os.write(writer, json.dumps(try_module(name, path, calls)).encode())
                except BaseException:  # noqa: BLE001
                    traceback.print_exc()
                os._exit(0)
            os.close(writer)
            running[pid] = (name, reader, time.monotonic())
        pid, _ = os.wait()
        if pid not in running:
            continue
        name, reader, started = running.pop(pid)
        with os.fdopen(reader, "rb") as pipe:
            found += json.loads(pipe.read() or b"[]")
        if os.environ.get("CHEATER_TIMES"):
            print(f"{time.monotonic() - started:6.1f} s  {name}", file=sys.stderr)
    for finding in found:
        print(json.dumps(finding))
    print(json.dumps({"modules": len(modules(package, student_files)), "calls": len(calls),
                      "functions and probes called": sorted({c["function"] for c in calls}), "answered": len(found)}))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
