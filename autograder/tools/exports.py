"""Gradebook exports that learning platforms import as they are: OUT/moodle.csv and OUT/canvas.csv.

Conventions followed (from the platforms' documentation of grade import):

- Moodle. The assignment's "Upload grading worksheet" reads the offline grading worksheet it
  exports: columns ``Identifier`` (``Participant <id>``), ``Full name``, ``Grade``, ``Maximum
  Grade`` and ``Feedback comments``. Moodle's "Download all submissions" names each student's
  folder ``<Full name>_<participant id>_assignsubmission_file_``: from such a name the participant
  id and full name are taken; otherwise the folder name is both. The same file imports into the
  course gradebook ("Import > CSV file"), where the tutor maps ``Identifier`` ("Map from") to the
  user field the folder names hold (username, email address or ID number: "Map to") and ``Grade``
  to the grade item.
- Canvas. The gradebook's "Import" reads the layout of its own export: ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment (a new name makes a
  new assignment), and an optional second row ``Points Possible``. ``ID`` is the Canvas user id,
  which Canvas's "Download Submissions" puts in its file names (``<name>_<user id>_<file id>_...``,
  ``<name>_LATE_<user id>_...``): taken from a folder name of that form, else left empty and the
  folder name goes into ``Student``.

Both carry the total (out of the problem set's points) of every student in the gradebook; a submission that was not
graded (an unreadable zip, a timeout) gets an empty grade, not 0, and Moodle's feedback column says why.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from autograder.core.problemset import ProblemSet

MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_\w+?_?$")
CANVAS_FOLDER = re.compile(r"^(?P<name>[^_]+)_(?:LATE_)?(?P<id>\d+)(?:_|$)")


def graded(row: dict) -> bool:
    """False for a submission that could not be graded: its grade is left empty (the platforms then
    leave the student's grade alone), not 0, and Moodle's feedback says why."""
    return row["status"].startswith("graded")


def moodle_row(problemset: ProblemSet, row: dict) -> dict:
    match = MOODLE_FOLDER.match(row["student"])
    feedback = "; ".join(f"exercise {n}: {float(row[f'ex{n}']):g} / {ex.points:g}"
                         for n, ex in problemset.exercises.items())
    if not graded(row):
        feedback = f"not graded: {row['status']}"
    return {"Identifier": f"Participant {match['id']}" if match else row["student"],
            "Full name": match["name"] if match else row["student"],
            "Grade": f"{float(row['total']):.2f}" if graded(row) else "", "Maximum Grade": f"{problemset.points:.2f}",
            "Feedback comments": feedback}


def canvas_row(problemset: ProblemSet, row: dict) -> dict:
    match = CANVAS_FOLDER.match(row["student"])
    return {"Student": row["student"], "ID": match["id"] if match else "", "SIS User ID": "", "SIS Login ID": "",
            "Section": "", problemset.title: f"{float(row['total']):g}" if graded(row) else ""}


def write(problemset: ProblemSet, out: Path, rows: list[dict]) -> list[Path]:
    """Write OUT/moodle.csv and OUT/canvas.csv from the gradebook rows (UTF-8, comma-separated)."""
    moodle, canvas = out / "moodle.csv", out / "canvas.csv"
    with open(moodle, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["Identifier", "Full name", "Grade", "Maximum Grade", "Feedback comments"])
        writer.writeheader()
        writer.writerows(moodle_row(problemset, r) for r in rows)
    with open(canvas, "w", newline="", encoding="utf-8") as f:
        assignment = problemset.title  # the assignment's column: named as in Canvas
        fields = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment]
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerow({"Student": "    Points Possible", assignment: f"{problemset.points:g}"})
        writer.writerows(canvas_row(problemset, r) for r in rows)
    return [moodle, canvas]
