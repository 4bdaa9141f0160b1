"""Similar submissions, for a second look: pairs of students whose own code overlaps.

    python -m autograder.tools.similarity OUT

Compares the student files that batch grading kept (``OUT/<student>/code/``), file by file with
the same name, with copydetect (winnowed fingerprints of the tokenised code: names of variables,
functions and classes, and strings, do not count, so renaming does not hide a copy). The given
code is boilerplate: the skeletons (what every student starts from) and the reference solutions
(what the TODO comments all but dictate for most functions: code equal to the model answer is
not evidence that two students worked together; see README, "Similar submissions"). A student's
score against another is the share of their own code (tokens outside the boilerplate, over all
their files) found in the other's; a pair is listed when the larger of the two shares reaches
``THRESHOLD`` and that student has at least ``MIN_TOKENS`` tokens of own code. Writes
OUT/similarity.json with the pairs and, for the side-by-side view, both students' files with the
shared code marked. A listed pair is a reason to read both submissions, never a verdict.
"""
from __future__ import annotations

import argparse
import json
import sys
from itertools import combinations
from pathlib import Path

from autograder.core.problemset import ProblemSet, add_option, chosen_or_exit

NOISE = 25  # copydetect's noise threshold (k): matches shorter than 25 tokenised characters do not count
THRESHOLD = 0.5  # calibrated in tests/test_classview.py and README, "Similar submissions"
MIN_TOKENS = 150  # own code smaller than this (a one-line change of the model answer) is not compared
CONTEXT = 3  # lines shown around the shared code in the side-by-side view


def _fingerprint(path: Path, boilerplate=None):
    from copydetect import CodeFingerprint

    return CodeFingerprint(str(path), NOISE, 1, boilerplate=boilerplate, encoding="utf-8", language="python")


def boilerplate(problemset: ProblemSet) -> dict[str, list[int]]:
    """Per student file, the fingerprints of the given code (skeleton and reference solution)."""
    folders = (problemset.skeletons, problemset.solutions)
    return {name: sorted({h for folder in folders if (folder / name).is_file()
                          for h in _fingerprint(folder / name).hashes}) for name in problemset.student_files}


def fingerprints(code: Path, given: dict[str, list[int]]) -> dict:
    """A student's files (the student files, the keys of ``given``, in ``code``) as copydetect fingerprints."""
    prints = {}
    for name in given:
        path = code / name
        if path.is_file():
            try:
                prints[name] = _fingerprint(path, given[name])
            except (UnicodeDecodeError, ValueError):
                continue  # not text: nothing to compare
    return prints


def own_tokens(prints: dict) -> float:
    return float(sum(p.token_coverage for p in prints.values()))


def compare(a: dict, b: dict) -> dict | None:
    """Shared own code of two students: {share_a, share_b, files: {name: (slices_a, slices_b)}}."""
    from copydetect import compare_files

    shared_a = shared_b = 0.0
    files = {}
    for name in sorted(set(a) & set(b)):
        if not a[name].hashes & b[name].hashes:
            continue
        overlap, (sim_a, sim_b), (slices_a, slices_b) = compare_files(a[name], b[name])
        if overlap:
            shared_a += sim_a * a[name].token_coverage
            shared_b += sim_b * b[name].token_coverage
            files[name] = (slices_a, slices_b)
    if not files:
        return None
    own_a, own_b = own_tokens(a), own_tokens(b)
    return {"share_a": shared_a / own_a if own_a else 0.0, "share_b": shared_b / own_b if own_b else 0.0,
            "own_a": own_a, "own_b": own_b, "files": files}


def score(result: dict) -> float:
    """The larger share of a pair, counting only a side with enough own code."""
    shares = [result[f"share_{s}"] for s in "ab" if result[f"own_{s}"] >= MIN_TOKENS]
    return max(shares, default=0.0)


def _marked(code: str, slices) -> str:
    from copydetect.utils import highlight_overlap

    if len(slices[0]) == 0:
        import html

        return html.escape(code)
    return highlight_overlap(code, slices, "<mark>", "</mark>", truncate=CONTEXT, escape_html=True)[0]


def similar_pairs(problemset: ProblemSet, out: Path, students: list[str],
                  threshold: float = THRESHOLD) -> tuple[list[dict], dict]:
    """Every pair of students at or above ``threshold``, highest first, and per student the
    amount of own code (tokens outside the given code)."""
    given = boilerplate(problemset)
    prints = {s: fingerprints(out / s / "code", given) for s in students}
    pairs = []
    for a, b in combinations(students, 2):
        if not (prints[a] and prints[b]):
            continue
        result = compare(prints[a], prints[b])
        if result is None or score(result) < threshold:
            continue
        pairs.append({"a": a, "b": b, "score": round(score(result), 4), "share_a": round(result["share_a"], 4),
                      "share_b": round(result["share_b"], 4), "files": [
                          {"name": name, "a": _marked(prints[a][name].raw_code, sa),
                           "b": _marked(prints[b][name].raw_code, sb)}
                          for name, (sa, sb) in result["files"].items()]})
    pairs.sort(key=lambda p: (-p["score"], p["a"], p["b"]))
    return pairs, {s: own_tokens(p) for s, p in prints.items()}


def write(problemset: ProblemSet, out: Path, students: list[str]) -> Path:
    """OUT/similarity.json: the pairs to look at twice, the threshold, each student's own code."""
    pairs, own = similar_pairs(problemset, out, students)
    path = out / "similarity.json"
    path.write_text(json.dumps({"threshold": THRESHOLD, "min_tokens": MIN_TOKENS, "noise": NOISE,
                                "own_tokens": own, "pairs": pairs}, indent=1))
    return path


def is_current(out: Path, students: list[str]) -> bool:
    """OUT/similarity.json was made for these students with these settings (nobody graded since)."""
    try:
        made = json.loads((out / "similarity.json").read_text())
    except (OSError, ValueError):
        return False
    return (sorted(made.get("own_tokens", {})) == sorted(students)
            and (made.get("threshold"), made.get("min_tokens"), made.get("noise")) == (THRESHOLD, MIN_TOKENS, NOISE))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.tools.similarity", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="a batch grading's output folder")
    add_option(parser)
    args = parser.parse_args(argv)
    if not args.out.is_dir():
        parser.error(f"{args.out} is not a folder")
    problemset = chosen_or_exit(parser, args)
    students = sorted(p.name for p in args.out.iterdir() if (p / "done.json").is_file())
    path = write(problemset, args.out, students)
    print(f"{len(json.loads(path.read_text())['pairs'])} similar pairs: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
