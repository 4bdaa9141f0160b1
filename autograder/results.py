"""What a grading run leaves behind: results.json (Gradescope's format), the HTML report, and the
points table at the end of the terminal output. Written by the pytest process after every worker
is gone."""
from __future__ import annotations

import json
import os
from pathlib import Path

from autograder.grading import Grading


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def not_graded_json(path: Path, why: str) -> None:
    """results.json of a run that graded nothing, saying why in one line."""
    write(path, json.dumps({"score": 0.0, "output": f"not graded: {why}", "tests": []}, indent=2))


def results_json(grading: Grading, path: Path, sandbox_line: str) -> None:
    tests = [{
        "name": o.name,
        "number": o.number,
        "score": o.points,
        "max_score": o.max_points,
        "status": "passed" if o.passed else "failed",
        "output": "passed" if o.passed else o.message,
        "visibility": o.visibility,
    } for o in grading.outcomes.values() if o.passed is not None]  # skipped tests are not graded
    not_graded = [{"name": o.name, "number": o.number, "reason": o.message}
                  for o in grading.outcomes.values() if o.passed is None]
    exercises = {str(n): {"title": ex.title, "points": ex.points} for n, ex in grading.problemset.exercises.items()}
    write(path, json.dumps({"score": round(sum(t["score"] for t in tests), 4), "output": f"sandbox: {sandbox_line}",
                            "tests": tests, "extra_data": {"problemset": grading.problemset.title,
                                                           "exercises": exercises, "not_graded": not_graded}},
                           indent=2))


def report(grading: Grading, rows: list[dict], path: Path) -> None:
    from autograder.report import render

    tests = [{"exercise": o.exercise, "number": o.number, "name": o.name, "points": o.points,
              "max_points": o.max_points, "message": o.message, "attachments": o.attachments, "status": o.status}
             for o in grading.outcomes.values()]
    write(path, render(f"{grading.problemset.title}: {grading.target_name}", rows, tests))


def points_table(grading: Grading, rows: list[dict]) -> list[str]:
    width = max([len(r["title"]) for r in rows] + [20])
    lines = [f"exercise {r['exercise']:>2}  {r['title']:<{width}} {r['earned']:6.1f} / {r['possible']:5.1f}"
             f"   {r['passed']}/{r['graded']} tests passed" for r in rows]
    lines.append(f"{'total':<{width + 13}} {sum(r['earned'] for r in rows):6.1f} / "
                 f"{sum(r['possible'] for r in rows):5.1f}")
    return lines
