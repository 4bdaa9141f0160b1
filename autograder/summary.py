"""A results.json as a Markdown points table (for a CI job's summary page).

    python -m autograder.summary results.json >> "$GITHUB_STEP_SUMMARY"

One row per exercise (points, rounded so that they add up: autograder/shown.py; tests passed),
then the one-line message of every failed visible test, tests that say the same (but for their
numbers) once. A missing or unreadable results.json is said in one line: the grading did not finish.
"""
from __future__ import annotations

import sys
from pathlib import Path

from autograder import shown
from autograder.results import Results, ResultsError


def markdown(results: Results) -> str:
    points = shown.points([(t.exercise, t.max_score, t.status == "passed") for t in results.tests])
    lines = [f"### Points: {shown.pair(*points.total)}", "", "| exercise | points | tests passed |",
             "| --- | ---: | ---: |"]
    for number, row in results.by_exercise().items():
        lines.append(f"| {number} {results.title(number)} | {points.exercise(number)} | {row['passed']} / {row['graded']} |")
    failed = [t for t in results.tests if t.status != "passed" and t.visibility != "hidden"]
    if failed:
        lines += ["", "Failed tests (tests that say the same are listed once):", ""]
        for group in shown.fold(failed, key=lambda t: t.output):
            which = group[0].number if len(group) == 1 else f"{len(group)} tests ({shown.numbers([t.number for t in group])})"
            lines.append(f"- {which}: {group[0].output}")
    if results.output:
        lines += ["", results.output]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "results.json")
    try:
        results = Results.read(path)
    except ResultsError as exc:
        print(f"### Not graded\n\n{exc}: the grading did not finish; see the log of the grading step.")
        return 0
    print(markdown(results), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
