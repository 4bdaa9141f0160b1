"""The autograder framework. Graders use these names; see docs/maintainers.md for the rest.

- ``tensor(array, dtype=None, requires_grad=False)``: an argument that arrives in student code as a
  ``torch.Tensor`` of the array's dtype (or ``dtype``).
- ``in_worker``: marks a grader function that runs inside the student's worker process (torch is
  available there); call it as ``student.run(function, ...)``.
- ``checks``: one-line-diagnostic comparisons, made in the pytest process.

The package has three rooms: the grader API and the pytest plugin here at the top; the run core
(``autograder.core``: workers, sandbox, wire format, diagnosis), which a grading run uses; and the
tutor's tools (``autograder.tools``: batch grading, class view, packages, scaffolding), which the
student package leaves out. The names above are imported when first used, so that a tool that
needs none of them (``python -m autograder.results``) starts without numpy.
"""


def in_worker(function):
    """Mark ``function(student_module, *args)`` as grader code that runs next to the student's."""
    function.in_worker = True
    return function


def __getattr__(name: str):
    if name == "checks":
        import importlib

        return importlib.import_module("autograder.checks")
    if name == "tensor":
        from autograder.core.codec import TensorArg

        return TensorArg
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")


__all__ = ["checks", "in_worker", "tensor"]
