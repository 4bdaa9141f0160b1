"""Planted bugs and correct variants: small edits of the reference solutions.

Each entry is ``name: (file, [(old, new), ...])``: the submission is the solutions folder with
``old`` replaced by ``new`` in ``file`` (every ``old`` must occur exactly once). A bug must lose
points in its own exercise and nowhere else (but for the exercises ``ALSO`` names); a variant
must get full marks.
"""
from corpus import ex7, ex8, ex9, theory

BUGS = {**theory.BUGS, 7: ex7.BUGS, 8: ex8.BUGS, 9: ex9.BUGS}
VARIANTS = {**theory.VARIANTS, 7: ex7.VARIANTS, 8: ex8.VARIANTS, 9: ex9.VARIANTS}
ALSO = theory.ALSO  # bug name -> other exercises it may rightly cost points in

# Planted bugs whose failures name no mistake, and why that is right (tests/test_corpus.py
# measures the share of planted bugs whose failure names the mistake).
UNNAMED = {}
