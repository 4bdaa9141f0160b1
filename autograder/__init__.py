"""The autograder framework. Graders use these names; see docs/maintainers.md for the rest.

- ``tensor(array)``: an argument that arrives in student code as a float32 ``torch.Tensor``.
- ``in_worker``: marks a grader function that runs inside the student's worker process
  (torch is available there); call it as ``student.run(function, ...)``.
- ``checks``: one-line-diagnostic comparisons, made in the pytest process.
"""
from autograder import checks
from autograder.codec import TensorArg as tensor


def in_worker(function):
    """Mark ``function(student_module, *args)`` as grader code that runs next to the student's."""
    function.in_worker = True
    return function


__all__ = ["checks", "in_worker", "tensor"]
