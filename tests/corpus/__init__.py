"""Planted bugs and correct variants: small edits of the reference solutions.

Each entry is ``name: (file, [(old, new), ...])``: the submission is the solutions folder with
``old`` replaced by ``new`` in ``file`` (every ``old`` must occur exactly once). A bug must lose
points in its own exercise and nowhere else; a variant must get full marks.
"""
from corpus.ex7 import BUGS as EX7_BUGS, VARIANTS as EX7_VARIANTS

BUGS = {7: EX7_BUGS}
VARIANTS = {7: EX7_VARIANTS}
