"""The pytest plugin: ``--target``, the ``student`` and ``reference`` fixtures, results.json.

Loaded by a problem set's conftest.py (``pytest_plugins = ("autograder.plugin",)``); the problem
set is the pytest rootdir's ``problemset.toml``. Without a target (``--target``, or ``target`` in
the ini file, as the student package sets it), pytest runs the problem set's own tests
(``tests/``); with one, the graders (``graders/``) on the student files :mod:`autograder.intake`
finds in it. A target that cannot be graded still leaves results.json (where asked for) and the
report, saying why. The pytest process never imports the problem set's libraries: student code
lives in the workers (:mod:`autograder.session`).
"""
from __future__ import annotations

import gc
import json
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder import intake, settings
from autograder.grading import Grading, Outcome
from autograder.problemset import ProblemSet, ProblemSetError
from autograder.reference import Reference, ReferenceInputs
from autograder.student import Student

_GRADING = pytest.StashKey[Grading]()
_PROBLEMSET = pytest.StashKey[ProblemSet]()


def pytest_addoption(parser):
    settings.register(parser)


def resolve_target(problemset: ProblemSet, value: str) -> intake.Submission:
    """The student files a --target value holds (a folder, an archive or a .py file; 'skeletons' and
    'solutions' name the problem set's), as :func:`intake.find` finds them; a usage error (one
    line) when nothing in it can be graded."""
    if not value.strip():
        raise pytest.UsageError("--target is empty: give a submission (a folder, an archive or a .py file), "
                                "or skeletons or solutions")
    path = {"skeletons": problemset.skeletons, "solutions": problemset.solutions}.get(value, Path(value)).resolve()
    try:
        return intake.find(problemset, path, value)
    except intake.IntakeError as exc:
        raise pytest.UsageError(f"--target: {exc}") from None


def _name(config, value: str) -> str:
    """Whose work this is: --name, else the target's name without its archive suffix."""
    return settings.get(config, "name") or intake.student_name(Path(value)) or value or "no target"


def _regenerating(config) -> bool:
    return bool(settings.get(config, "regen_all"))


def pytest_configure(config):
    config.addinivalue_line("markers", "points(w): relative weight of a grader test in its exercise (default 1)")
    config.addinivalue_line("markers", "hidden: a test students do not see (graders/test_ex<N>_hidden_*.py)")
    value = settings.get(config, "target")
    try:
        problemset = ProblemSet.load(config.rootpath)
    except ProblemSetError as exc:
        if value is not None:
            _not_graded(config, None, _name(config, value), str(exc))
            raise pytest.UsageError(str(exc)) from None
        return  # not a problem set: nothing to grade, pytest as usual
    config.stash[_PROBLEMSET] = problemset
    if value is None and not _regenerating(config):
        return
    try:
        _start_grading(config, problemset, value)
    except pytest.UsageError as exc:
        if value is not None:  # the results and the report say why, instead of an earlier run's
            _not_graded(config, problemset, _name(config, value), str(exc).removeprefix("not graded: "))
        raise


def _start_grading(config, problemset: ProblemSet, value: str | None) -> None:
    if _regenerating(config) and value != "solutions":
        raise pytest.UsageError("fixtures are regenerated only from the reference: use --target=solutions")
    from autograder import boundary, container

    try:
        mode, why = container.plan(problemset.container, lean=settings.get(config, "lean"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if mode == "too small":  # say so before starting work the kernel would kill
        raise pytest.UsageError(f"not graded: {why}")
    timeout, memory = settings.get(config, "call_timeout"), settings.get(config, "memory_limit")
    budget_end = time.monotonic() + settings.get(config, "time_budget")
    grading = Grading(problemset, _name(config, value), resolve_target(problemset, value), timeout, memory,
                      ahead=mode == "full", budget_end=budget_end, memory_plan=why)
    if settings.get(config, "record"):
        if value != "solutions":
            raise pytest.UsageError("--record records the reference's calls: use --target=solutions")
        from autograder.recording import Recording

        grading.recording = Recording(Path(settings.get(config, "record")))
    config.stash[_GRADING] = grading
    if Path("/proc").is_dir():
        boundary.remove_stale_folders()
    _stop_on(signal.SIGTERM)  # a run stopped with SIGTERM cleans up as after Ctrl-C
    boundary.configure(problemset)
    boundary.warm_up(grading.budget_end)


INTERRUPTED = "the grading was interrupted before it ended"


def _stop_on(signum) -> None:
    """Turn ``signum`` into KeyboardInterrupt in the main thread: pytest then ends the session as
    after Ctrl-C, and its end (pytest_sessionfinish) stops every worker and the forkserver, removes
    the sandbox folders, and records the run as not graded."""
    def interrupt(number, frame):
        raise KeyboardInterrupt(f"stopped by {signal.Signals(number).name}")

    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
        signal.signal(signum, interrupt)


def _not_graded(config, problemset: ProblemSet | None, name: str, why: str) -> None:
    """A run that cannot grade its target writes results.json (where --results-json asks for it)
    and the report (--report) saying why, with 0 of the problem set's points."""
    from autograder import results

    written = settings.get(config, "results_json"), settings.get(config, "report")
    try:
        if written[0]:
            results.not_graded_json(Path(written[0]), why)
        if written[1] and problemset is not None:
            results.not_graded_report(Path(written[1]), f"{problemset.title}: {name}", why,
                                      problemset.points)
    except OSError as exc:
        raise pytest.UsageError(f"{why} (nor could the results be written: {exc})") from None


def pytest_report_header(config):
    """The first lines of a grading run: what is graded, and where its student files were found."""
    grading = config.stash.get(_GRADING, None)
    if grading is None:
        return None
    problemset, submission = grading.problemset, grading.target
    value = settings.get(config, "target")
    lines = [f"grading: {value}{'' if value == str(submission.arrived) else f' ({submission.arrived})'}, "
             f"{problemset.title}, {len(problemset.exercises)} exercises"]
    missing = [name for name in problemset.student_files if name not in submission.files]
    found = submission.described()
    if found or missing:
        lines.append("student files: " + "; ".join(filter(None, [found, missing and f"not found: {', '.join(missing)}"])))
    return lines


def pytest_ignore_collect(collection_path, config):
    """Graders run against a --target; without one, pytest runs the problem set's own tests."""
    problemset = config.stash.get(_PROBLEMSET, None)
    if problemset is None:
        return None
    grading = _GRADING in config.stash
    inside = lambda folder: collection_path == folder or folder in collection_path.parents  # noqa: E731
    if inside(problemset.graders) and not grading:
        return True
    if inside(problemset.root / "tests") and grading:
        return True
    return None


def _exercise(config, path):
    problemset = config.stash.get(_PROBLEMSET, None)
    return problemset.exercise_of(path) if problemset else None


def pytest_collection_modifyitems(session, config, items):
    if _GRADING not in config.stash:
        return
    grading = config.stash[_GRADING]
    # Hidden tests come last in their exercise, so that the visible tests have the same numbers in
    # the student package (which has no hidden tests) as on Gradescope and in the tutor's report.
    first: dict[int, int] = {}
    for i, item in enumerate(items):
        exercise = _exercise(config, item.path)
        first.setdefault(exercise.number if exercise else -i, i)
    def place(item_index):
        i, item = item_index
        exercise = _exercise(config, item.path)
        return first[exercise.number] if exercise else i, bool(item.get_closest_marker("hidden")), i
    items[:] = [item for _, item in sorted(enumerate(items), key=place)]
    count: dict[int, int] = {}
    for item in items:
        exercise = _exercise(config, item.path)
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
    for number in grading.order:  # graders/ex<N>_mistakes.py (or their recorded results), before any test
        grading.catalogue.load(number)
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
        if not outcome.message:
            outcome.message = _one_line(report)
            outcome.hint = getattr(call.excinfo.value, "hint", None) if call.excinfo else None
    elif report.when == "call" and report.passed and outcome.passed is None:
        outcome.passed = True
    elif report.skipped:
        outcome.passed = None
        outcome.message = _one_line(report)
    return report


def _stop_if_no_worker_can_start() -> None:
    """A machine whose workers cannot start (a broken library install) grades nothing: the run
    ends now, as not graded, rather than failing every test on the student's account."""
    from autograder.boundary import workers_unavailable

    if workers_unavailable():
        raise pytest.UsageError(f"not graded: {workers_unavailable()}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    """Before the first test: the audit worker, started with the forkserver, has found out
    whether workers can start and import their libraries."""
    if _GRADING in session.config.stash and not session.config.option.collectonly:
        from autograder.boundary import confinement

        confinement.wait()
        _stop_if_no_worker_can_start()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item):
    """Later, a launch that failed twice (a fresh forkserver too) ends the run the same way."""
    if _GRADING in item.config.stash:
        _stop_if_no_worker_can_start()


def pytest_runtest_setup(item):
    """As an exercise runs, the next two fork their workers (idle), and the expensive shared
    probes of later exercises (the graders' PREFETCH lists) are computed ahead on another core,
    one exercise at a time: a worker that has answered them all is stopped (its results are
    kept; its exercise gets a fresh worker), so one exercise computes ahead and no more."""
    grading = item.config.stash.get(_GRADING, None)
    exercise = _exercise(item.config, item.path)
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
    exercise = _exercise(item.config, item.path)
    if grading is None or exercise is None or exercise.number not in grading.students:
        return
    following = _exercise(item.config, nextitem.path) if nextitem is not None else None
    if following is None or following.number != exercise.number:
        later = item.session.items[item.session.items.index(item) + 1:]
        if all(_exercise(item.config, i.path) != exercise for i in later):
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
    exercise = _exercise(request.config, request.path)
    if grading is None or exercise is None:
        pytest.fail("the student fixture is for graders/test_ex<N>_*.py run with --target", pytrace=False)
    return grading.student(exercise.number)


@pytest.fixture(scope="module")
def reference_inputs(request) -> ReferenceInputs:
    """Inputs this exercise's graders share, made by the reference solution (e.g. trained weights)."""
    exercise = _exercise(request.config, request.path)
    return ReferenceInputs(exercise.fixtures, regenerate=_regenerating(request.config))


@pytest.fixture
def reference(request) -> Reference:
    """Reference data of this exercise: compare against it, or write it when regenerating."""
    grading = request.config.stash.get(_GRADING, None)
    outcome = grading.outcomes.get(request.node.nodeid) if grading else None
    exercise = _exercise(request.config, request.path)
    if exercise is None:
        pytest.fail("the reference fixture is for graders/test_ex<N>_*.py", pytrace=False)
    return Reference(exercise.fixtures, regenerate=_regenerating(request.config),
                     attach=outcome.attachments.append if outcome else (lambda attachment: None),
                     test=outcome.name if outcome else "")


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    grading = config.stash.get(_GRADING, None)
    if grading is None:
        return
    from autograder import boundary, results

    grading.close()  # every worker is gone before any result file is written
    boundary.end_forkserver()
    if exitstatus == pytest.ExitCode.INTERRUPTED:  # Ctrl-C or SIGTERM: a part of a grading is no grade
        grading.interrupted = True
        _not_graded(config, grading.problemset, grading.target_name, INTERRUPTED)
        return
    if grading.recording is not None:
        grading.recording.write()
    if _regenerating(config):
        from autograder import manifest

        manifest.write(grading.problemset.fixtures)
    results_json = settings.get(config, "results_json")
    if boundary.workers_unavailable():  # nothing was graded: no test counts, on either side
        if session.exitstatus != pytest.ExitCode.USAGE_ERROR:  # found by the last test's launch
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
            print(f"ERROR: not graded: {boundary.workers_unavailable()}", file=sys.stderr)
        _not_graded(config, grading.problemset, grading.target_name, boundary.workers_unavailable())
        return
    earlier = settings.get(config, "earlier_results")
    if earlier:
        try:
            grading.carry(json.loads(Path(earlier).read_text()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"ERROR: --earlier-results={earlier} could not be read ({type(exc).__name__}): "
                  "only this run's exercises are in the results", file=sys.stderr)
    grading.withdraw_refuted_hints()
    rows = grading.score()
    if settings.get(config, "figures"):
        results.save_figures(grading, Path(settings.get(config, "figures")))
    if results_json:
        results.results_json(grading, Path(results_json), results.last_line(grading, boundary.sandbox_sentence()))
    if settings.get(config, "report"):
        results.report(grading, rows, Path(settings.get(config, "report")), footer=[
            boundary.sandbox_sentence(), f"How this run was measured, for the tutor: sandbox: "
            f"{boundary.sandbox_description()}; memory: {grading.memory_plan}"])
    _fold_pytests_lists(config)


def _fold_pytests_lists(config) -> None:
    """pytest lists every failure twice (its FAILURES section and its short summary), each on its
    own; a grading run lists them once, folded by message (:func:`results.failures`). Either
    list comes back when asked for (``--tb=...``, ``-r...``). Set after every test ran: the
    messages were taken with pytest's settings."""
    if config.option.tbstyle == "auto":  # pytest's default
        config.option.tbstyle = "no"
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None and config.option.reportchars == "fE":  # pytest's default
        tr.reportchars = tr.reportchars.replace("f", "")


def pytest_unconfigure(config):
    """The points table, after everything pytest prints (its summary included)."""
    grading = config.stash.get(_GRADING, None)
    if grading is not None:
        grading.target.close()  # the archives it unpacked
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if grading is not None and grading.interrupted and tr is not None:
        tr.write_line(f"not graded: {INTERRUPTED}")
        return
    if grading is None or not grading.outcomes or tr is None:
        return
    from autograder import boundary, results

    if boundary.workers_unavailable():  # pytest says "ERROR: not graded: ..." last
        return
    rows = grading.score()
    failures = results.failures(grading)
    if failures:
        tr.section("failed tests (those with the same message on one line)")
        for line in failures:
            tr.write_line(line)
    skipped = results.failures(grading, "skipped")
    if skipped:
        tr.section("not graded (no points lost)")
        for line in skipped:
            tr.write_line(line)
    tr.section(f"points ({grading.target_name})")
    for line in results.points_table(grading, rows):
        tr.write_line(line)
    if settings.get(config, "report"):
        tr.write_line(f"report: {Path(settings.get(config, 'report')).resolve()}")
    tr.write_line(f"memory: {grading.memory_plan}")
    tr.write_line(f"sandbox: {boundary.sandbox_description()}")  # for the tutor; the last line for the student
    tr.write_line(results.last_line(grading, boundary.sandbox_sentence()))
