"""What a grading run leaves behind: results.json (Gradescope's format), the HTML report, and the
end of the terminal output (the failures folded by message, the points table). Written by the
pytest process after every worker is gone. Points are shown as :mod:`autograder.shown` rounds
them; results.json keeps the exact values.

The run's last line (the terminal's, and results.json's ``output``, which Gradescope shows the
student) is for the student: the points and the sandbox in plain words. How the sandbox was
measured goes to the tutor: the terminal line above it and the report's footer."""
from __future__ import annotations

import json
import os
from pathlib import Path

from autograder import shown
from autograder.grading import Grading


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def not_graded_json(path: Path, why: str) -> None:
    """results.json of a run that graded nothing, saying why in one line."""
    write(path, json.dumps({"score": 0.0, "output": f"not graded: {why}", "tests": []}, indent=2))


def not_graded_report(path: Path, title: str, why: str, possible: float) -> None:
    """The report of a run that graded nothing: why, and 0 of the ``possible`` points."""
    from autograder.report import render

    write(path, render(title, [], [], note=f"Not graded: {why}", possible=possible))


def _points(grading: Grading) -> shown.Points:
    return shown.points([(o.exercise, o.max_points, o.passed) for o in grading.outcomes.values()])


def last_line(grading: Grading, sandbox_sentence: str) -> str:
    """The verdict and the sandbox, in plain words, for the student."""
    return f"Graded: {shown.pair(*_points(grading).total)} points. {sandbox_sentence}"


def results_json(grading: Grading, path: Path, last: str) -> None:
    tests = [{
        "name": o.name,
        "number": o.number,
        "score": o.points,
        "max_score": o.max_points,
        "status": "passed" if o.passed else "failed",
        "output": "passed" if o.passed else o.message,
        "visibility": o.visibility,
        "extra_data": {"exercise": o.exercise, **({"hint": {"id": o.hint.id, "text": o.hint.text}} if o.hint else {})},
    } for o in grading.outcomes.values() if o.passed is not None]  # skipped tests are not graded
    not_graded = [{"name": o.name, "number": o.number, "reason": o.message}
                  for o in grading.outcomes.values() if o.passed is None]
    exercises = {str(n): {"title": ex.title, "points": ex.points} for n, ex in grading.problemset.exercises.items()}
    write(path, json.dumps({"score": round(sum(t["score"] for t in tests), 4), "output": last,
                            "tests": tests, "extra_data": {"problemset": grading.problemset.title,
                                                           "exercises": exercises, "not_graded": not_graded}},
                           indent=2))


def report(grading: Grading, rows: list[dict], path: Path, footer: list[str] = ()) -> None:
    from autograder.report import render

    tests = [{"exercise": o.exercise, "number": o.number, "name": o.name, "max_points": o.max_points,
              "message": o.message, "attachments": o.attachments, "status": o.status}
             for o in grading.outcomes.values()]
    write(path, render(f"{grading.problemset.title}: {grading.target_name}", rows, tests, footer=footer))


def failures(grading: Grading, status: str = "failed") -> list[str]:
    """The tests of a ``status`` ("failed" or "skipped": not graded), those of an exercise with the
    same message on one line: "1.1-1.6 (6 tests): ..."."""
    lines = []
    for number in dict.fromkeys(o.exercise for o in grading.outcomes.values()):
        failed = [o for o in grading.outcomes.values() if o.exercise == number and o.status == status]
        for group in shown.fold(failed, key=lambda o: o.message):
            count = shown.count(group, lambda o: o.message)
            lines.append(f"{shown.numbers([o.number for o in group])}{count}: {group[0].message}")
    return lines


def points_table(grading: Grading, rows: list[dict]) -> list[str]:
    points = _points(grading)
    width = max([len(r["title"]) for r in rows] + [20])

    def pair(earned: int, possible: int) -> str:
        return f"{earned / shown.TENTHS:6.1f} / {possible / shown.TENTHS:5.1f}"

    lines = [f"exercise {r['exercise']:>2}  {r['title']:<{width}} {pair(*points.exercises.get(r['exercise'], (0, 0)))}"
             f"   {r['passed']}/{r['graded']} tests passed" for r in rows]
    lines.append(f"{'total':<{width + 13}} {pair(*points.total)}")
    return lines


def save_figures(grading: Grading, folder: Path) -> None:
    """Every picture the run compared, as the submission drew it (for the class view's gallery):
    ``ex<N>_<name>.png`` and what it is (``.json``)."""
    for outcome in grading.outcomes.values():
        for attachment in outcome.attachments:
            if attachment["kind"] != "picture":
                continue
            saved = folder / f"ex{attachment['exercise']}_{attachment['name']}"
            folder.mkdir(parents=True, exist_ok=True)
            saved.with_suffix(".png").write_bytes(attachment["obtained"])
            saved.with_suffix(".json").write_text(json.dumps({
                "exercise": attachment["exercise"], "name": attachment["name"], "what": attachment["title"],
                "test": attachment["test"]}))
