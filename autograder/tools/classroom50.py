"""results.json as Classroom 50's ``result.json`` (schema ``classroom50/result/v1``).

    python -m autograder.tools.classroom50 results.json result.json

Classroom 50's runner calls a course's ``autograder.py`` in the student's checkout, with the
submission's identity in the environment (CLASSROOM, ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL,
RELEASE_URL, REVIEW_URL), and reads ``./result.json``. Its scores are whole numbers: each
exercise is one test, worth its points, scored by its points earned, rounded; the failed visible
tests' one-line messages travel with it (the contract keeps extra fields of a test verbatim).
Exit 1 with one line when there is nothing to report: Classroom 50 shows that as an error of the
grading, not as the student's score.
"""
from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path

from autograder.results import Results, ResultsError

SCHEMA = "classroom50/result/v1"
IDENTITY = {"classroom": "CLASSROOM", "assignment": "ASSIGNMENT", "submission": "SUBMISSION_TAG",
            "commit": "COMMIT_URL", "release": "RELEASE_URL"}


def result(results: Results, environ=os.environ) -> dict:
    missing = [name for name in IDENTITY.values() if not environ.get(name)]
    if missing:
        raise ValueError(f"{', '.join(missing)} not set: this runs under Classroom 50's runner")
    if not results.tests:
        raise ValueError(results.output or "not graded: no test was graded")
    tests = []
    for number, row in results.by_exercise().items():
        messages = [f"{t.number} {t.name}: {t.output}" for t in results.tests
                    if t.exercise == number and t.status != "passed" and t.visibility != "hidden"]
        title = results.title(number)
        tests.append({"test-name": f"exercise {number}: {title}" if title else f"exercise {number}",
                      "passed": row["passed"] == row["graded"], "score": round(row["earned"]),
                      "max-score": round(row["possible"]), "failed": messages})
    return {"schema": SCHEMA, **{key: environ[name] for key, name in IDENTITY.items()},
            "review": environ.get("REVIEW_URL") or environ["COMMIT_URL"],
            "datetime": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "score": sum(t["score"] for t in tests), "max-score": sum(t["max-score"] for t in tests), "tests": tests}


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source, target = (Path(a) for a in (args + ["results.json", "result.json"][len(args):])[:2])
    try:
        data = result(Results.read(source))
    except (ResultsError, ValueError) as exc:
        print(f"classroom50: {exc}", file=sys.stderr)
        return 1
    target.write_text(json.dumps(data, indent=2))
    print(f"classroom50: {data['score']} / {data['max-score']} points written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
