"""results.json, the data model of a grading: one type, :class:`Results`, that every reader and
writer goes through (the run, batch grading, the class view, the exports, the CI summary, Classroom
50's result, Gradescope's run_autograder when a run wrote nothing).

The file is Gradescope's format: ``score``, ``output`` (the run's last line, which Gradescope shows
the student), ``tests`` (each ``name``, ``number``, ``score``, ``max_score``, ``status``,
``output``, ``visibility``, and ``extra_data``: its ``exercise`` and the ``hint`` its failure
names, ``{"id": a stable name, "text": ...}``), and ``extra_data`` (the problem set's title, its
exercises with their titles and points, the checks not graded and why). A run that graded nothing
has no test and an ``output`` that says why: ``not graded: ...``.

    python -m autograder.results not-graded RESULTS.json LOG   # results.json saying why, from the log's last line

(Gradescope's run_autograder runs that where a run wrote nothing; this module imports nothing but
the standard library, so a bare ``python3`` can.)
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

NOT_GRADED = "not graded: "


class ResultsError(ValueError):
    """A results.json that cannot be read; the message is one line."""


@dataclass
class TestResult:
    name: str
    number: str  # "<exercise>.<n>", e.g. "7.3"
    exercise: int
    score: float
    max_score: float
    status: str  # "passed" or "failed"
    output: str  # "passed", or the failure's one line (its hint included)
    visibility: str = "visible"  # "hidden": students see it after the deadline (Gradescope)
    hint: dict | None = None  # the mistake the failure names: {"id", "text"}

    def to_dict(self) -> dict:
        return {"name": self.name, "number": self.number, "score": self.score, "max_score": self.max_score,
                "status": self.status, "output": self.output, "visibility": self.visibility,
                "extra_data": {"exercise": self.exercise, **({"hint": self.hint} if self.hint else {})}}

    @classmethod
    def from_dict(cls, data: dict) -> TestResult:
        extra = data.get("extra_data") or {}
        number = str(data["number"])
        exercise = int(extra.get("exercise", number.split(".")[0]))  # files from before extra_data: by its number
        return cls(str(data["name"]), number, exercise, float(data["score"]), float(data.get("max_score", 0.0)),
                   str(data.get("status", "failed")), str(data.get("output", "")),
                   str(data.get("visibility", "visible")), extra.get("hint"))


@dataclass
class Results:
    tests: list[TestResult] = field(default_factory=list)
    output: str = ""  # the run's last line, for the student
    problemset: str = ""
    exercises: dict = field(default_factory=dict)  # {number: {"title", "points"}}
    not_graded: list = field(default_factory=list)  # the checks not graded here: [{"name", "number", "reason"}]

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 4)

    @property
    def graded(self) -> bool:
        return bool(self.tests) or not self.output.startswith(NOT_GRADED)

    @property
    def why_not_graded(self) -> str:
        return self.output.removeprefix(NOT_GRADED) if not self.graded else ""

    def by_exercise(self) -> dict[int, dict]:
        """exercise -> {earned, possible, passed, graded}, in the exercises' order."""
        rows: dict[int, dict] = {}
        for test in self.tests:
            row = rows.setdefault(test.exercise, {"earned": 0.0, "possible": 0.0, "passed": 0, "graded": 0})
            row["earned"] += test.score
            row["possible"] += test.max_score
            row["passed"] += test.status == "passed"
            row["graded"] += 1
        return dict(sorted(rows.items()))

    def title(self, number: int) -> str:
        return str(self.exercises.get(number, {}).get("title", ""))

    # -- the file -------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        data = {"score": self.score, "output": self.output, "tests": [t.to_dict() for t in self.tests]}
        if self.problemset or self.exercises or self.not_graded:
            data["extra_data"] = {"problemset": self.problemset,
                                  "exercises": {str(n): e for n, e in self.exercises.items()},
                                  "not_graded": self.not_graded}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Results:
        extra = data.get("extra_data") or {}
        return cls([TestResult.from_dict(t) for t in data.get("tests", [])], str(data.get("output", "")),
                   str(extra.get("problemset", "")), {int(n): e for n, e in (extra.get("exercises") or {}).items()},
                   list(extra.get("not_graded", [])))

    def write(self, path: Path) -> None:
        """Written whole or not at all (a reader never sees half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2))
        os.replace(tmp, path)

    @classmethod
    def read(cls, path: Path) -> Results:
        try:
            return cls.from_dict(json.loads(Path(path).read_text()))
        except OSError as exc:
            raise ResultsError(f"{path} could not be read ({exc.strerror or type(exc).__name__})") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ResultsError(f"{path} is not a results.json ({type(exc).__name__})") from None

    @classmethod
    def not_graded_run(cls, why: str, problemset=None) -> Results:
        """The results of a run that graded nothing, saying why in one line (with the problem set's
        exercises, where it is known, so that its points show as 0 of theirs)."""
        exercises = {} if problemset is None else {
            n: {"title": ex.title, "points": ex.points} for n, ex in problemset.exercises.items()}
        return cls([], f"{NOT_GRADED}{why}", problemset.title if problemset is not None else "", exercises)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] != "not-graded":
        print("usage: python -m autograder.results not-graded RESULTS.json LOG", file=sys.stderr)
        return 2
    try:
        lines = [line for line in Path(args[2]).read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        lines = []
    why = lines[-1].removeprefix(NOT_GRADED) if lines else "the grading produced no output"
    Results.not_graded_run(why).write(Path(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
