"""A results.json as a Markdown points table (for a CI job's summary page).

    python -m autograder.summary results.json >> "$GITHUB_STEP_SUMMARY"

One row per exercise (points, rounded so that they add up: autograder/shown.py; tests passed),
then the one-line message of every failed visible test, tests with the same message once. A
missing or unreadable results.json is said in one line: the grading did not finish.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from autograder import shown


def by_exercise(tests: list[dict]) -> dict[int, dict]:
    """exercise -> {earned, possible, passed, graded} from results.json's tests."""
    rows: dict[int, dict] = {}
    for test in tests:
        row = rows.setdefault(int(str(test["number"]).split(".")[0]),
                              {"earned": 0.0, "possible": 0.0, "passed": 0, "graded": 0})
        row["earned"] += test["score"]
        row["possible"] += test["max_score"]
        row["passed"] += test["status"] == "passed"
        row["graded"] += 1
    return dict(sorted(rows.items()))


def markdown(results: dict) -> str:
    rows = by_exercise(results.get("tests", []))
    exercises = results.get("extra_data", {}).get("exercises", {})
    points = shown.points([(int(str(t["number"]).split(".")[0]), t["max_score"], t["status"] == "passed")
                           for t in results.get("tests", [])])
    lines = [f"### Points: {shown.pair(*points.total)}", "", "| exercise | points | tests passed |",
             "| --- | ---: | ---: |"]
    for number, r in rows.items():
        title = exercises.get(str(number), {}).get("title", "")
        lines.append(f"| {number} {title} | {points.exercise(number)} | {r['passed']} / {r['graded']} |")
    failed = [t for t in results.get("tests", []) if t["status"] != "passed" and t.get("visibility") != "hidden"]
    if failed:
        lines += ["", "Failed tests (tests with the same message are listed once):", ""]
        groups: dict[str, list[str]] = {}
        for t in failed:
            groups.setdefault(str(t.get("output", "")), []).append(str(t["number"]))
        for message, numbers in groups.items():
            which = numbers[0] if len(numbers) == 1 else f"{len(numbers)} tests ({shown.numbers(numbers)})"
            lines.append(f"- {which}: {message}")
    if results.get("output"):
        lines += ["", str(results["output"])]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "results.json")
    try:
        results = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        print(f"### Not graded\n\n{path} could not be read ({type(exc).__name__}): the grading did not finish; "
              "see the log of the grading step.")
        return 0
    print(markdown(results), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
