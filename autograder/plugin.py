"""The pytest plugin: ``--target``, the ``student`` and ``reference`` fixtures, results.json.

Loaded by the project's conftest.py. It never imports torch: student code and torch live in the
worker processes of :mod:`autograder.boundary`.
"""
from __future__ import annotations

import gc
import json
import os
import time
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
    group.addoption("--report", default="reports/report.html", metavar="PATH",
                    help="write the HTML report there (default reports/report.html; empty: none)")
    group.addoption("--call-timeout", type=float, default=60.0, metavar="SECONDS",
                    help="time limit for one call into student code (default 60)")
    group.addoption("--memory-limit", type=float, default=8.0, metavar="GIB",
                    help="address-space limit of a worker process in GiB (default 8)")
    group.addoption("--time-budget", type=float, default=540.0, metavar="SECONDS",
                    help="time for the whole run, shared out over the exercises (default 540: "
                         "Gradescope's 10 minutes with room for start-up)")
    group.addoption("--lean", action="store_true", default=False,
                    help="compute nothing ahead: one exercise at a time (least memory and CPU; chosen "
                         "by itself under a memory limit below 1 GiB or with fewer than 2 CPUs)")


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
    weight: float  # relative, from @pytest.mark.points(w); default 1
    visibility: str = "visible"  # "hidden" for @pytest.mark.hidden (left out of the student release)
    passed: bool | None = None  # None: skipped, not graded
    message: str = ""
    attachments: list = field(default_factory=list)
    max_points: float = 0.0

    @property
    def name(self) -> str:
        return self.nodeid.split("/")[-1]

    @property
    def points(self) -> float:
        return self.max_points if self.passed else 0.0


@dataclass
class Grading:
    target_name: str
    target: Path
    timeout: float
    memory_gib: float = 8.0
    ahead: bool = True  # later exercises compute their expensive checks ahead (not with --lean)
    budget_end: float | None = None  # time.monotonic() by which the run must be done
    memory_plan: str = ""  # what the container's memory and CPUs made of the run
    students: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    order: list = field(default_factory=list)  # exercises in the order their tests run
    prefetch: dict = field(default_factory=dict)  # exercise -> [(probe, args, kwargs)] from PREFETCH lists

    def student(self, number: int) -> Student:
        if number not in self.students:
            self.students[number] = Student(EXERCISES[number], self.target, timeout=self.timeout,
                                            memory_bytes=int(self.memory_gib * 2**30))
        return self.students[number]

    def close(self) -> None:
        for student in self.students.values():
            student.close()

    def score(self) -> list[dict]:
        """Share out each exercise's points (10 per star) over its graded tests by weight."""
        rows = []
        for number in sorted({o.exercise for o in self.outcomes.values()}):
            graded = [o for o in self.outcomes.values() if o.exercise == number and o.passed is not None]
            total_weight = sum(o.weight for o in graded) or 1.0
            for o in graded:  # shares in micro-points; the last takes the rest: the sum is exact
                o.max_points = round(EXERCISES[number].points * o.weight / total_weight, 6)
            if graded:
                graded[-1].max_points = round(EXERCISES[number].points - sum(o.max_points for o in graded[:-1]), 6)
            rows.append({"exercise": number, "title": EXERCISES[number].title,
                         "earned": sum(o.points for o in graded), "possible": EXERCISES[number].points if graded else 0.0,
                         "passed": sum(1 for o in graded if o.passed), "graded": len(graded)})
        return rows


_GRADING = pytest.StashKey[Grading]()


def pytest_configure(config):
    config.addinivalue_line("markers", "points(w): relative weight of a grader test in its exercise (default 1)")
    config.addinivalue_line("markers", "hidden: a test students do not see (graders/test_ex<N>_hidden_*.py)")
    value = config.getoption("target")
    regenerating = _regenerating(config)
    if value is None:
        if regenerating:
            raise pytest.UsageError("fixtures are regenerated only from the reference: use --target=solutions")
        return
    if regenerating and value != "solutions":
        raise pytest.UsageError("fixtures are regenerated only from the reference: use --target=solutions")
    from autograder import container

    try:
        mode, why = container.plan(lean=config.getoption("lean"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if mode == "too small":  # say so before starting work the kernel would kill
        if config.getoption("results_json"):
            _write(Path(config.getoption("results_json")),
                   json.dumps({"score": 0.0, "output": f"not graded: {why}", "tests": []}, indent=2))
        raise pytest.UsageError(f"not graded: {why}")
    config.stash[_GRADING] = Grading(value, resolve_target(value), config.getoption("call_timeout"),
                                     config.getoption("memory_limit"), ahead=mode == "full",
                                     budget_end=time.monotonic() + config.getoption("time_budget"),
                                     memory_plan=why)
    from autograder.boundary import warm_up

    warm_up()


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
        if exercise.number not in grading.order:
            grading.order.append(exercise.number)
        wanted = grading.prefetch.setdefault(exercise.number, [])
        for entry in getattr(item.module, "PREFETCH", ()):
            if not any(entry is w for w in wanted):
                wanted.append(entry)
        marker = item.get_closest_marker("points")
        grading.outcomes[item.nodeid] = Outcome(item.nodeid, exercise.number, f"{exercise.number}.{count[exercise.number]}",
                                                weight=float(marker.args[0]) if marker else 1.0,
                                                visibility="hidden" if item.get_closest_marker("hidden") else "visible")
    gc.freeze()  # pytest's and the graders' objects live all run: the per-exercise collections skip them


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


def pytest_runtest_setup(item):
    """As an exercise runs, the next two fork their workers (idle), and the expensive shared
    probes of later exercises (the graders' PREFETCH lists) are computed ahead on another core,
    one exercise at a time: a worker that has answered them all is stopped (its results are
    kept; its exercise gets a fresh worker), so one exercise computes ahead and no more."""
    grading = item.config.stash.get(_GRADING, None)
    exercise = exercise_of(item.path)
    if grading is None or exercise is None or exercise.number not in grading.order:
        return
    position = grading.order.index(exercise.number)
    current = grading.student(exercise.number)
    if current.deadline is None:  # the exercise starts: its share of what is left of the budget
        left = len(grading.order) - position
        current.deadline = time.monotonic() + max(grading.budget_end - time.monotonic(), 0.0) / left
    for number in grading.order[position:position + 3]:
        grading.student(number).prestart()  # a fresh fork costs little memory until its exercise runs
    for probe, args, kwargs in grading.prefetch.get(exercise.number, ()):
        current.prefetch(probe, *args, **kwargs)
    if grading.ahead:
        for number in grading.order[position + 1:]:
            if not grading.student(number).compute_ahead(grading.prefetch.get(number, ())):
                break  # still computing: the next one waits its turn


def pytest_runtest_teardown(item, nextitem):
    """An exercise's worker is stopped after its last test: memory is freed as the run goes."""
    grading = item.config.stash.get(_GRADING, None)
    exercise = exercise_of(item.path)
    if grading is None or exercise is None or exercise.number not in grading.students:
        return
    following = exercise_of(nextitem.path) if nextitem is not None else None
    if following is None or following.number != exercise.number:
        if all(exercise_of(i.path) != exercise for i in item.session.items[item.session.items.index(item) + 1:]):
            grading.students[exercise.number].finish()


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
    grading = request.config.stash.get(_GRADING, None)
    outcome = grading.outcomes.get(request.node.nodeid) if grading else None
    attach = outcome.attachments.append if outcome else (lambda attachment: None)
    return Reference(original_datadir, ndarrays_regression, image_regression,
                     regenerate=_regenerating(request.config), attach=attach)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    grading = config.stash.get(_GRADING, None)
    if grading is None:
        return
    grading.close()  # every worker is gone before any result file is written
    from autograder.boundary import end_forkserver

    end_forkserver()
    if _regenerating(config):
        from autograder import manifest

        manifest.write()
    rows = grading.score()
    if config.getoption("results_json"):
        write_results_json(grading, Path(config.getoption("results_json")))
    if config.getoption("report"):
        write_report(grading, rows, Path(config.getoption("report")))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_results_json(grading: Grading, path: Path) -> None:
    tests = [{
        "name": o.name,
        "number": o.number,
        "score": o.points,
        "max_score": o.max_points,
        "status": "passed" if o.passed else "failed",
        "output": "passed" if o.passed else o.message,
        "visibility": o.visibility,
    } for o in grading.outcomes.values() if o.passed is not None]  # skipped tests are not graded
    from autograder.boundary import sandbox_description

    not_graded = [{"name": o.name, "number": o.number, "reason": o.message}
                  for o in grading.outcomes.values() if o.passed is None]
    _write(path, json.dumps({"score": round(sum(t["score"] for t in tests), 4),
                             "output": f"sandbox: {sandbox_description()}", "tests": tests,
                             "extra_data": {"not_graded": not_graded}}, indent=2))


def write_report(grading: Grading, rows: list[dict], path: Path) -> None:
    from autograder.report import render

    tests = [{"exercise": o.exercise, "number": o.number, "name": o.name, "points": o.points,
              "max_points": o.max_points, "message": o.message, "attachments": o.attachments,
              "status": "skipped" if o.passed is None else "passed" if o.passed else "failed"}
             for o in grading.outcomes.values()]
    _write(path, render(f"Problem set 5: {grading.target_name}", rows, tests))


def pytest_unconfigure(config):
    """The points table, after everything pytest prints (its summary included)."""
    grading = config.stash.get(_GRADING, None)
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if grading is None or not grading.outcomes or tr is None:
        return
    rows = grading.score()
    tr.section(f"points ({grading.target_name})")
    for r in rows:
        tr.write_line(f"exercise {r['exercise']:>2}  {r['title']:<32} {r['earned']:6.1f} / {r['possible']:5.1f}"
                      f"   {r['passed']}/{r['graded']} tests passed")
    tr.write_line(f"{'total':<45} {sum(r['earned'] for r in rows):6.1f} / {sum(r['possible'] for r in rows):5.1f}")
    report = config.getoption("report")
    if report:
        tr.write_line(f"report: {Path(report).resolve()}")
    from autograder.boundary import sandbox_description

    tr.write_line(f"memory: {grading.memory_plan}")
    tr.write_line(f"sandbox: {sandbox_description()}")
