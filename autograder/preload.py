"""The libraries every worker needs, imported once by the forkserver before it forks any worker.

multiprocessing's forkserver passes over an ImportError of a preloaded module, but any other
error (a torchvision built for another torch raises RuntimeError) kills it, and every launch
would then start a forkserver that imports torch and dies again. Here no import error escapes:
the first one is kept, in one line, and the audit worker reports it (``boundary.Confinement``),
so that the run ends at once as not graded instead of failing the student's tests.
"""
import importlib

LIBRARIES = ("torch", "torchvision", "numpy", "PIL.Image", "matplotlib.pyplot", "pytest",
             "autograder", "autograder.checks", "autograder.worker", "autograder.warm")
error = ""  # the first library that could not be imported, and why, in one line ('' when none)

for _name in LIBRARIES:
    try:
        importlib.import_module(_name)
    except Exception as exc:  # noqa: BLE001 - whatever a broken install raises is reported, not raised
        if not error:
            lines = str(exc).strip().splitlines()
            error = f"importing {_name} raised {type(exc).__name__}: {lines[0] if lines else ''}"[:300]
