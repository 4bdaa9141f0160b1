"""Known mistakes, for a problem set's ``graders/ex<N>_mistakes.py``: the grader API's name for them.

    from autograder.mistakes import mistake

    @mistake("maxpool_iter", "one iteration too few: range(iters) runs iters times")
    def one_iteration_too_few(x, k=3, iters=1):
        return maxpool(x, k, iters - 1)

How a mistake is named (evidence, never a guess) is :mod:`autograder.core.diagnosis`.
"""
from autograder.core.diagnosis import Hint, Mistake, mistake

__all__ = ["Hint", "Mistake", "mistake"]
