"""The pytest plugin: ``--target``, the ``student`` and ``reference`` fixtures, results.json.

Loaded by the project's conftest.py. It never imports torch: student code and torch live in the
worker processes of :mod:`autograder.boundary`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.boundary import Student
from autograder.exercises import EXERCISES, GRADERS, ROOT, SOLUTIONS, SKELETONS, STUDENT_FILES, exercise_of
from autograder.reference import Reference, ReferenceInputs


def pytest_addoption(parser):
    group = parser.getgroup("ps5", "problem set 5 grading")
    group.addoption("--target", default=None,
                    help="what to grade: 'skeletons', 'solutions' or a submission folder")
    group.addoption("--results-json", default=None, metavar="PATH",
                    help="write the results in Gradescope's results.json format")
    group.addoption("--call-timeout", type=float, default=60.0, metavar="SECONDS",
                    help="time limit for one call into student code (default 60)")


def resolve_target(value: str) -> Path:
    """The folder a --target value names; a usage error (one line) when it is not gradeable."""
    path = {"skeletons": SKELETONS, "solutions": SOLUTIONS}.get(value, Path(value)).resolve()
    if not path.is_dir():
        raise pytest.UsageError(f"--target: {value} is not a folder")
    if not any((path / name).is_file() for name in STUDENT_FILES):
        raise pytest.UsageError(f"--target: {value} holds none of the student files ({', '.join(STUDENT_FILES)})")
    return path


@dataclass
class Outcome:
    nodeid: str
    exercise: int
    number: str
    points: float
    passed: bool | None = None
    message: str = ""


@dataclass
class Grading:
    target_name: str
    target: Path
    timeout: float
    students: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)

    def student(self, number: int) -> Student:
        if number not in self.students:
            self.students[number] = Student(EXERCISES[number], self.target, timeout=self.timeout)
        return self.students[number]

    def close(self) -> None:
        for student in self.students.values():
            student.close()


_GRADING = pytest.StashKey[Grading]()


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): points this grader test is worth (default 1)")
    value = config.getoption("target")
    regenerating = _regenerating(config)
    if value is None:
        if regenerating:
            raise pytest.UsageError("fixtures are regenerated only from the reference: use --target=solutions")
        return
    if regenerating and value != "solutions":
        raise pytest.UsageError("fixtures are regenerated only from the reference: use --target=solutions")
    config.stash[_GRADING] = Grading(value, resolve_target(value), config.getoption("call_timeout"))


def pytest_ignore_collect(collection_path, config):
    """Graders run against a --target; without one, pytest runs the framework's own tests."""
    grading = _GRADING in config.stash
    inside = lambda folder: collection_path == folder or folder in collection_path.parents  # noqa: E731
    if inside(GRADERS) and not grading:
        return True
    if inside(ROOT / "tests") and grading:
        return True
    return None


def pytest_collection_modifyitems(session, config, items):
    if _GRADING not in config.stash:
        return
    grading = config.stash[_GRADING]
    count: dict[int, int] = {}
    for item in items:
        exercise = exercise_of(item.path)
        if exercise is None:
            continue
        count[exercise.number] = count.get(exercise.number, 0) + 1
        marker = item.get_closest_marker("points")
        grading.outcomes[item.nodeid] = Outcome(item.nodeid, exercise.number, f"{exercise.number}.{count[exercise.number]}",
                                                float(marker.args[0]) if marker else 1.0)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    grading = item.config.stash.get(_GRADING, None)
    outcome = grading.outcomes.get(item.nodeid) if grading else None
    if outcome is None:
        return report
    if report.failed:
        outcome.passed = False
        outcome.message = outcome.message or _one_line(report)
    elif report.when == "call" and report.passed and outcome.passed is None:
        outcome.passed = True
    elif report.skipped:
        outcome.passed = None
        outcome.message = _one_line(report)
    return report


def _one_line(report) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return report.longrepr[2].removeprefix("Skipped: ")
    text = report.longreprtext.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:  # a pytrace=False failure is just the message; else take the error line
        if line.startswith("E "):
            return line[2:].strip()
    return lines[-1] if lines else report.outcome


@pytest.fixture(scope="module")
def student(request) -> Student:
    """The submission's module for this grader file's exercise, behind the worker boundary."""
    grading = request.config.stash.get(_GRADING, None)
    exercise = exercise_of(request.path)
    if grading is None or exercise is None:
        pytest.fail("the student fixture is for graders/test_ex<N>_*.py run with --target", pytrace=False)
    return grading.student(exercise.number)


@pytest.fixture
def original_datadir(request) -> Path:
    """pytest-regressions keeps an exercise's reference data in fixtures/ex<N>/."""
    exercise = exercise_of(request.path)
    return exercise.fixtures if exercise else Path(request.path).with_suffix("")


def _regenerating(config) -> bool:
    return bool(config.getoption("force_regen", False) or config.getoption("regen_all", False))


@pytest.fixture(scope="module")
def reference_inputs(request) -> ReferenceInputs:
    """Inputs this exercise's graders share, made by the reference solution (e.g. trained weights)."""
    exercise = exercise_of(request.path)
    return ReferenceInputs(exercise.fixtures, regenerate=_regenerating(request.config))


@pytest.fixture
def reference(request, ndarrays_regression, image_regression, original_datadir) -> Reference:
    """Reference data of this exercise: compare against it, or write it when regenerating."""
    return Reference(original_datadir, ndarrays_regression, image_regression, regenerate=_regenerating(request.config))


def pytest_sessionfinish(session, exitstatus):
    grading = session.config.stash.get(_GRADING, None)
    if grading is None:
        return
    grading.close()  # every worker is gone before any result file is written
    path = session.config.getoption("results_json")
    if path:
        write_results_json(grading, Path(path))


def write_results_json(grading: Grading, path: Path) -> None:
    tests = []
    for outcome in grading.outcomes.values():
        if outcome.passed is None:  # skipped (e.g. needs pretrained weights): not graded here
            continue
        tests.append({
            "name": outcome.nodeid.split("/")[-1],
            "number": outcome.number,
            "score": outcome.points if outcome.passed else 0.0,
            "max_score": outcome.points,
            "status": "passed" if outcome.passed else "failed",
            "output": "passed" if outcome.passed else outcome.message,
            "visibility": "visible",
        })
    results = {"score": sum(t["score"] for t in tests), "tests": tests}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2))
    os.replace(tmp, path)


def pytest_terminal_summary(terminalreporter, config):
    grading = config.stash.get(_GRADING, None)
    if grading is None or not grading.outcomes:
        return
    tr = terminalreporter
    tr.section(f"points ({grading.target_name})")
    total = possible = 0.0
    for number in sorted({o.exercise for o in grading.outcomes.values()}):
        mine = [o for o in grading.outcomes.values() if o.exercise == number and o.passed is not None]
        earned = sum(o.points for o in mine if o.passed)
        worth = sum(o.points for o in mine)
        total, possible = total + earned, possible + worth
        passed = sum(1 for o in mine if o.passed)
        tr.write_line(f"exercise {number:>2}  {EXERCISES[number].title:<32} {earned:6.1f} / {worth:5.1f}"
                      f"   {passed}/{len(mine)} tests passed")
    tr.write_line(f"{'total':<45} {total:6.1f} / {possible:5.1f}")
