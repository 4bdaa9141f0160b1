"""The libraries every worker needs, imported once by the forkserver before it forks any worker.

Which ones is the problem set's (``preload`` and ``warm_up`` in problemset.toml, passed by the
judge in ``AUTOGRADER_PRELOAD``); the framework's own modules come after them. multiprocessing's
forkserver passes over an ImportError of a preloaded module, but any other error (a torchvision
built for another torch raises RuntimeError) kills it, and every launch would then start a
forkserver that imports the libraries and dies again. Here no error escapes: the first one is
kept, in one line, and the audit worker reports it (:class:`autograder.core.launcher.Confinement`), so that the run
ends at once as not graded instead of failing the student's tests.
"""
import importlib
import json
import os
import runpy

FRAMEWORK = ("pytest", "autograder", "autograder.checks", "autograder.figures", "autograder.core.worker")
errors: list[str] = []  # the libraries that could not be imported, and why, one line each


def _keep(what: str, exc: BaseException) -> None:
    lines = str(exc).strip().splitlines()
    errors.append(f"{what} raised {type(exc).__name__}: {lines[0] if lines else ''}"[:300])


_wanted = json.loads(os.environ.get("AUTOGRADER_PRELOAD") or "{}")
for _name in (*_wanted.get("modules", ()), *FRAMEWORK):
    try:
        importlib.import_module(_name)
    except Exception as exc:  # noqa: BLE001 - whatever a broken install raises is reported, not raised
        _keep(f"importing {_name}", exc)
if _wanted.get("warm_up") and not errors:
    try:  # the problem set's start-up work (e.g. torch's lazy initialisation), done once here
        runpy.run_path(_wanted["warm_up"], run_name="autograder_warm_up")
    except Exception as exc:  # noqa: BLE001
        _keep(f"the warm-up file {os.path.basename(_wanted['warm_up'])}", exc)
