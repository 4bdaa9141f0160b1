"""One grading run, as one object registered as a pytest plugin: :class:`Run`.

It owns what the run is: its options (read once, :class:`autograder.core.settings.Options`), the
student files it grades (:mod:`autograder.core.intake`), the workers of its exercises and the time
budget (:class:`autograder.core.launcher.Launcher`), the known mistakes (a
:class:`autograder.core.diagnosis.Catalogue`), every test's :class:`Outcome`, and what it leaves
behind: results.json (:class:`autograder.results.Results`), the HTML report, the pictures, the end
of the terminal output. Nothing of a run outlives it: a second run in the same process (a batch
grading submission after submission) starts from nothing but the forkserver.

Each exercise is worth its points (problemset.toml), shared out over its graded tests by weight
(``@pytest.mark.points(w)``, default 1); a skipped test is not graded and the others share its
points. Points are shown as :mod:`autograder.shown` rounds them; results.json keeps the exact ones.
The run's last line (the terminal's, and results.json's ``output``, which Gradescope shows the
student) is for the student: the points and the sandbox in plain words; how the sandbox was
measured goes to the tutor (the line above it, the report's footer).
"""
from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder import shown
from autograder.core import launcher as launching
from autograder.core.diagnosis import Catalogue, Hint
from autograder.core.intake import Submission
from autograder.core.problemset import ProblemSet
from autograder.core.settings import Options
from autograder.core.student import Student
from autograder.results import Results, ResultsError, TestResult

INTERRUPTED = "the grading was interrupted before it ended"


@dataclass
class Outcome:
    """One test of the run: its number, weight and visibility; then whether it passed, its one-line
    message, the mistake it names, and what the report shows of it."""
    nodeid: str
    exercise: int
    number: str  # "<exercise>.<n>", e.g. "7.3"
    weight: float  # relative, from @pytest.mark.points(w); default 1
    visibility: str = "visible"  # "hidden" for @pytest.mark.hidden (left out of the student package)
    passed: bool | None = None  # None: skipped, not graded
    message: str = ""
    hint: Hint | None = None  # the mistake the failure named, if any
    attachments: list = field(default_factory=list)
    max_points: float = 0.0

    @property
    def name(self) -> str:
        return self.nodeid.split("/")[-1]

    @property
    def points(self) -> float:
        return self.max_points if self.passed else 0.0

    @property
    def status(self) -> str:
        return "skipped" if self.passed is None else "passed" if self.passed else "failed"


class Run:
    """One grading run (see the module's docstring)."""

    def __init__(self, options: Options, problemset: ProblemSet, target: Submission, name: str, *, ahead: bool,
                 memory_plan: str, host=None):
        self.options = options
        self.problemset = problemset
        self.target = target
        self.name = name  # whose work: the report's title, the points table's
        self.ahead = ahead  # later exercises compute their expensive checks ahead (not --lean)
        self.memory_plan = memory_plan  # what the container's memory and CPUs made of the run
        self.budget_end = time.monotonic() + options.time_budget
        self.host = host  # the long-lived process grading submission after submission, if any (tools/server.py)
        self.launcher = launching.Launcher(problemset, self.budget_end, keep=host is not None,
                                           measured=host.measured if host is not None else None)
        self.catalogue = Catalogue(problemset.graders, problemset.fixtures)
        self.recording = None
        if options.record:
            from autograder.core.recording import Recording

            self.recording = Recording(Path(options.record))
        self.students: dict[int, Student] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.order: list[int] = []  # exercises in the order their tests run
        self.prefetch: dict[int, list] = {}  # exercise -> [(probe, args, kwargs)] from PREFETCH lists
        self.interrupted = False  # Ctrl-C or SIGTERM: not graded
        self._last = None  # exercise -> its last test (see pytest_runtest_teardown)

    def start(self) -> None:
        launching.remove_stale_folders()
        self.launcher.warm_up()

    def student(self, number: int) -> Student:
        if number not in self.students:
            self.students[number] = Student(self.problemset.exercises[number], self.target, self.problemset,
                                            self.launcher, self.catalogue, recorder=self.recording,
                                            timeout=self.options.call_timeout, memory_bytes=self.options.memory_bytes)
        return self.students[number]

    def exercise_of(self, item):
        return self.problemset.exercise_of(item.path)

    # -- pytest's hooks, in the order they run ---------------------------------------------------
    def pytest_report_header(self, config):
        """The first lines of a grading run: what is graded, and where its student files were found."""
        submission, value = self.target, self.options.target
        lines = [f"grading: {value}{'' if value == str(submission.arrived) else f' ({submission.arrived})'}, "
                 f"{self.problemset.title}, {len(self.problemset.exercises)} exercises"]
        missing = [name for name in self.problemset.student_files if name not in submission.files]
        found = submission.described()
        if found or missing:
            lines.append("student files: " + "; ".join(filter(None, [found, missing and f"not found: {', '.join(missing)}"])))
        return lines

    def pytest_collection_modifyitems(self, session, config, items):
        # Hidden tests come last in their exercise, so that the visible tests have the same numbers in
        # the student package (which has no hidden tests) as on Gradescope and in the tutor's report.
        first: dict[int, int] = {}
        for i, item in enumerate(items):
            exercise = self.exercise_of(item)
            first.setdefault(exercise.number if exercise else -i, i)

        def place(item_index):
            i, item = item_index
            exercise = self.exercise_of(item)
            return first[exercise.number] if exercise else i, bool(item.get_closest_marker("hidden")), i

        items[:] = [item for _, item in sorted(enumerate(items), key=place)]
        count: dict[int, int] = {}
        for item in items:
            exercise = self.exercise_of(item)
            if exercise is None:
                continue
            count[exercise.number] = count.get(exercise.number, 0) + 1
            if exercise.number not in self.order:
                self.order.append(exercise.number)
            wanted = self.prefetch.setdefault(exercise.number, [])
            for entry in getattr(item.module, "PREFETCH", ()):
                if not any(entry is w for w in wanted):
                    wanted.append(entry)
            marker = item.get_closest_marker("points")
            self.outcomes[item.nodeid] = Outcome(item.nodeid, exercise.number, f"{exercise.number}.{count[exercise.number]}",
                                                 weight=float(marker.args[0]) if marker else 1.0,
                                                 visibility="hidden" if item.get_closest_marker("hidden") else "visible")
        for number in self.order:  # graders/ex<N>_mistakes.py (or their recorded results), before any test
            self.catalogue.load(number)
        gc.freeze()  # pytest's and the graders' objects live all run: the per-exercise collections skip them

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        """Before the first test: the audit worker, started with the forkserver, has found out
        whether workers can start and import their libraries."""
        if not session.config.option.collectonly:
            self.launcher.confinement.wait()
            self._stop_if_no_worker_can_start()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item):
        """Later, a launch that failed twice (a fresh forkserver too) ends the run the same way."""
        self._stop_if_no_worker_can_start()

    def _stop_if_no_worker_can_start(self) -> None:
        """A machine whose workers cannot start (a broken library install) grades nothing: the run
        ends now, as not graded, rather than failing every test on the student's account."""
        if self.launcher.unavailable:
            raise pytest.UsageError(f"not graded: {self.launcher.unavailable}")

    def pytest_runtest_setup(self, item):
        """As an exercise runs, the next two fork their workers (idle), and the expensive shared
        probes of later exercises (the graders' PREFETCH lists) are computed ahead on another core,
        one exercise at a time: a worker that has answered them all is stopped (its results are
        kept; its exercise gets a fresh worker), so one exercise computes ahead and no more."""
        exercise = self.exercise_of(item)
        if exercise is None or exercise.number not in self.order:
            return
        position = self.order.index(exercise.number)
        current = self.student(exercise.number)
        if current.deadline is None:  # the exercise starts: its share of what is left of the budget
            left = len(self.order) - position
            current.deadline = time.monotonic() + max(self.budget_end - time.monotonic(), 0.0) / left
        for number in self.order[position:position + 3]:
            self.student(number).prestart()  # a fresh fork costs little memory until its exercise runs
        for probe, args, kwargs in self.prefetch.get(exercise.number, ()):
            current.prefetch(probe, *args, **kwargs)
        if self.ahead:
            for number in self.order[position + 1:]:
                if not self.student(number).compute_ahead(self.prefetch.get(number, ())):
                    break  # still computing: the next one waits its turn

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        outcome = self.outcomes.get(item.nodeid)
        if outcome is None:
            return report
        if report.failed:
            outcome.passed = False
            if not outcome.message:
                outcome.message = _one_line(report)
                outcome.hint = getattr(call.excinfo.value, "hint", None) if call.excinfo else None
        elif report.when == "call" and report.passed and outcome.passed is None:
            outcome.passed = True
        elif report.skipped:
            outcome.passed = None
            outcome.message = _one_line(report)
        return report

    def pytest_runtest_teardown(self, item, nextitem):
        """An exercise's worker is stopped after its last test: memory is freed as the run goes."""
        if self._last is None:  # each exercise's last test, among the tests that run (after -k, -m)
            self._last = {self.exercise_of(i).number: i for i in item.session.items if self.exercise_of(i)}
        exercise = self.exercise_of(item)
        if exercise is not None and exercise.number in self.students and self._last.get(exercise.number) is item:
            self.students[exercise.number].finish()

    def pytest_sessionfinish(self, session, exitstatus):
        """Every worker is gone before any result is written; then results.json, the report and the
        pictures, or, for a run that could not grade, why."""
        self.close()
        gc.unfreeze()
        if exitstatus == pytest.ExitCode.INTERRUPTED:  # Ctrl-C or SIGTERM: a part of a grading is no grade
            self.interrupted = True
            self.write_not_graded(INTERRUPTED)
            return
        if self.recording is not None:
            self.recording.write()
        if self.options.regen_all:
            from autograder.core import manifest

            manifest.write(self.problemset.fixtures)
        if self.launcher.unavailable:  # nothing was graded: no test counts, on either side
            if session.exitstatus != pytest.ExitCode.USAGE_ERROR:  # found by the last test's launch
                session.exitstatus = pytest.ExitCode.USAGE_ERROR
                print(f"ERROR: not graded: {self.launcher.unavailable}", file=sys.stderr)
            self.write_not_graded(self.launcher.unavailable)
            return
        if self.options.earlier_results:
            try:
                self.carry(Results.read(Path(self.options.earlier_results)))
            except ResultsError as exc:
                print(f"ERROR: --earlier-results: {exc}: only this run's exercises are in the results", file=sys.stderr)
        self.withdraw_refuted_hints()
        self.score()
        if self.options.figures:
            self.save_figures(Path(self.options.figures))
        if self.options.results_json:
            self.results().write(Path(self.options.results_json))
        if self.options.report:
            self.write_report(Path(self.options.report))
        _fold_pytests_lists(session.config)

    def pytest_unconfigure(self, config):
        """The end of the terminal output, after everything pytest prints: the failures folded by
        message, the checks not graded, the points table, and the last line."""
        self.target.close()  # the archives it unpacked
        self._forget_graders()
        tr = config.pluginmanager.get_plugin("terminalreporter")
        if tr is None:
            return
        if self.interrupted:
            tr.write_line(f"not graded: {INTERRUPTED}")
            return
        if not self.outcomes or self.launcher.unavailable:  # pytest says "ERROR: not graded: ..." last
            return
        for status, heading in (("failed", "failed tests (those with the same message on one line)"),
                                ("skipped", "not graded (no points lost)")):
            lines = self.folded(status)
            if lines:
                tr.section(heading)
                for line in lines:
                    tr.write_line(line)
        tr.section(f"points ({self.name})")
        for line in self.points_table():
            tr.write_line(line)
        if self.options.report:
            tr.write_line(f"report: {Path(self.options.report).resolve()}")
        tr.write_line(f"memory: {self.memory_plan}")
        tr.write_line(f"sandbox: {self.launcher.confinement.describe()}")  # for the tutor; the last line for the student
        tr.write_line(self.last_line())

    def _forget_graders(self) -> None:
        """The problem set's modules this run imported (conftest.py, the graders and their helpers)
        leave ``sys.modules``: a next run in this process (a grading server's next submission)
        imports them afresh, so nothing a grader module kept (a cache, a count) reaches another
        submission's grading."""
        real: dict[str, Path] = {}  # folder -> its resolved path (a few hundred folders hold every module)
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if not isinstance(file, str):
                continue
            folder, base = os.path.split(file)
            if folder not in real:
                real[folder] = Path(folder).resolve()
            if self.problemset.judges_code(real[folder] / base):
                del sys.modules[name]

    # -- the points and what the run leaves ------------------------------------------------------
    def carry(self, earlier: Results) -> None:
        """Take the tests of ``earlier`` of every exercise this run did not grade, as they were; each
        keeps its points (as its weight, which the sharing-out gives back). The outcomes are then in
        the order of their numbers."""
        graded = {o.exercise for o in self.outcomes.values()}
        for test in earlier.tests:
            if test.exercise in graded or test.exercise not in self.problemset.exercises:
                continue
            passed = test.status == "passed"
            self.outcomes[test.name] = Outcome(test.name, test.exercise, test.number, weight=test.max_score or 1.0,
                                               visibility=test.visibility, passed=passed,
                                               message="" if passed else test.output,
                                               hint=Hint(**test.hint) if test.hint else None)
        order = lambda o: tuple(int(p) for p in o.number.split("."))  # noqa: E731
        self.outcomes = {o.nodeid: o for o in sorted(self.outcomes.values(), key=order)}

    def withdraw_refuted_hints(self) -> None:
        """A known mistake named by one test but shown by another not to be the submission's (a
        result of the same function that is right where the mistake's is wrong, or wrong in another
        way) named it by coincidence: its hint is taken back everywhere (autograder.core.diagnosis)."""
        for outcome in self.outcomes.values():
            if outcome.hint is not None and outcome.hint.id in self.catalogue.refuted:
                outcome.message = outcome.message.removesuffix(f". Hint: {outcome.hint.text}")
                outcome.hint = None

    def score(self) -> list[dict]:
        """Share out each exercise's points over its graded tests by weight; one row per exercise."""
        rows = []
        for number in sorted({o.exercise for o in self.outcomes.values()}):
            worth = self.problemset.exercises[number].points
            graded = [o for o in self.outcomes.values() if o.exercise == number and o.passed is not None]
            total_weight = sum(o.weight for o in graded) or 1.0
            for o in graded:  # shares in micro-points; the last takes the rest: the sum is exact
                o.max_points = round(worth * o.weight / total_weight, 6)
            if graded:
                graded[-1].max_points = round(worth - sum(o.max_points for o in graded[:-1]), 6)
            rows.append({"exercise": number, "title": self.problemset.exercises[number].title,
                         "earned": sum(o.points for o in graded), "possible": worth if graded else 0.0,
                         "passed": sum(1 for o in graded if o.passed), "graded": len(graded)})
        return rows

    def _points(self) -> shown.Points:
        return shown.points([(o.exercise, o.max_points, o.passed) for o in self.outcomes.values()])

    def last_line(self) -> str:
        """The verdict and the sandbox, in plain words, for the student."""
        return f"Graded: {shown.pair(*self._points().total)} points. {self.launcher.confinement.plain()}"

    def results(self) -> Results:
        tests = [TestResult(o.name, o.number, o.exercise, o.points, o.max_points, "passed" if o.passed else "failed",
                            "passed" if o.passed else o.message, o.visibility,
                            {"id": o.hint.id, "text": o.hint.text} if o.hint else None)
                 for o in self.outcomes.values() if o.passed is not None]  # skipped tests are not graded
        not_graded = [{"name": o.name, "number": o.number, "reason": o.message}
                      for o in self.outcomes.values() if o.passed is None]
        exercises = {n: {"title": ex.title, "points": ex.points} for n, ex in self.problemset.exercises.items()}
        return Results(tests, self.last_line(), self.problemset.title, exercises, not_graded)

    def write_report(self, path: Path) -> None:
        from autograder.report import render, write

        tests = [{"exercise": o.exercise, "number": o.number, "name": o.name, "max_points": o.max_points,
                  "message": o.message, "attachments": o.attachments, "status": o.status}
                 for o in self.outcomes.values()]
        confinement = self.launcher.confinement
        write(path, render(f"{self.problemset.title}: {self.name}", self.score(), tests, footer=[
            confinement.plain(), f"How this run was measured, for the tutor: sandbox: {confinement.describe()}; "
                                 f"memory: {self.memory_plan}"]))

    def write_not_graded(self, why: str) -> None:
        """results.json (where asked for) and the report saying why the run graded nothing."""
        write_not_graded(self.options, self.problemset, self.name, why)

    def save_figures(self, folder: Path) -> None:
        """Every picture the run compared, as the submission drew it (for the class view's gallery):
        ``ex<N>_<name>.png`` and what it is (``.json``)."""
        for outcome in self.outcomes.values():
            for attachment in outcome.attachments:
                if attachment["kind"] != "picture":
                    continue
                saved = folder / f"ex{attachment['exercise']}_{attachment['name']}"
                folder.mkdir(parents=True, exist_ok=True)
                saved.with_suffix(".png").write_bytes(attachment["obtained"])
                saved.with_suffix(".json").write_text(json.dumps({
                    "exercise": attachment["exercise"], "name": attachment["name"], "what": attachment["title"],
                    "test": attachment["test"]}))

    def folded(self, status: str = "failed") -> list[str]:
        """The tests of a ``status`` ("failed" or "skipped": not graded), those of an exercise that
        say the same (but for their numbers) on one line: "1.1-1.6 (6 tests): ..."."""
        lines = []
        for number in dict.fromkeys(o.exercise for o in self.outcomes.values()):
            tests = [o for o in self.outcomes.values() if o.exercise == number and o.status == status]
            for group in shown.fold(tests, key=lambda o: o.message):
                count = shown.count(group, lambda o: o.message)
                lines.append(f"{shown.numbers([o.number for o in group])}{count}: {group[0].message}")
        return lines

    def points_table(self) -> list[str]:
        rows, points = self.score(), self._points()
        width = max([len(r["title"]) for r in rows] + [20])

        def pair(earned: int, possible: int) -> str:
            return f"{earned / shown.TENTHS:6.1f} / {possible / shown.TENTHS:5.1f}"

        lines = [f"exercise {r['exercise']:>2}  {r['title']:<{width}} {pair(*points.exercises.get(r['exercise'], (0, 0)))}"
                 f"   {r['passed']}/{r['graded']} tests passed" for r in rows]
        lines.append(f"{'total':<{width + 13}} {pair(*points.total)}")
        return lines

    def close(self) -> None:
        for student in self.students.values():
            student.close()
        self.launcher.end()
        if self.host is not None:  # the next run uses this forkserver and its audit, where it may
            self.host.measured = self.launcher.confinement if self.launcher.shareable() else None


def write_not_graded(options: Options, problemset: ProblemSet | None, name: str, why: str) -> None:
    """results.json (where --results-json asks for it) and the report (--report) of a run that
    graded nothing, saying why, with 0 of the problem set's points."""
    from autograder import report

    try:
        if options.results_json:
            Results.not_graded_run(why, problemset).write(Path(options.results_json))
        if options.report and problemset is not None:
            report.write(Path(options.report), report.not_graded(f"{problemset.title}: {name}", why, problemset.points))
    except OSError as exc:
        raise pytest.UsageError(f"{why} (nor could the results be written: {exc})") from None


def _one_line(report) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return report.longrepr[2].removeprefix("Skipped: ")
    text = report.longreprtext.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:  # a pytrace=False failure is just the message; else take the error line
        if line.startswith("E "):
            return line[2:].strip()
    return lines[-1] if lines else report.outcome


def _fold_pytests_lists(config) -> None:
    """pytest lists every failure twice (its FAILURES section and its short summary), each on its
    own; a grading run lists them once, folded by message (:meth:`Run.folded`). Either list comes
    back when asked for (``--tb=...``, ``-r...``). Set after every test ran: the messages were
    taken with pytest's settings."""
    if config.option.tbstyle == "auto":  # pytest's default
        config.option.tbstyle = "no"
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None and config.option.reportchars == "fE":  # pytest's default
        tr.reportchars = tr.reportchars.replace("f", "")


def stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and SIGTERM become KeyboardInterrupt in the main thread: pytest then ends the
    session, and the run's end stops every worker and the forkserver, removes the sandbox folders,
    and records the run as not graded. Only the first: a second Ctrl-C, or the SIGTERM a batch
    sends after the terminal's SIGINT, does not cut that clean-up short."""
    def interrupt(number, frame):
        for signum in (signal.SIGINT, signal.SIGTERM):  # a handler that does nothing, not SIG_IGN: a signal
            signal.signal(signum, _ignore)              # already pending would then print a warning
        raise KeyboardInterrupt(f"stopped by {signal.Signals(number).name}")

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, interrupt)


def _ignore(number, frame) -> None:
    """A second Ctrl-C or SIGTERM while the run cleans up after the first."""
