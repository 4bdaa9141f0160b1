"""The pytest plugin: ``--target``, the ``student``, ``reference`` and ``reference_inputs`` fixtures.

Loaded by a problem set's conftest.py (``pytest_plugins = ("autograder.plugin",)``); the problem
set is the pytest rootdir's ``problemset.toml``. Without a target (``--target``, or ``target`` in
the ini file, as the student package sets it), pytest runs the problem set's own tests
(``tests/``); with one, the graders (``graders/``) on the student files
:mod:`autograder.core.intake` finds in it, as one :class:`autograder.run.Run`, registered as a
plugin of its own. A target that cannot be graded still leaves results.json (where asked for) and
the report, saying why. The pytest process never imports the problem set's libraries: student code
lives in the workers (:mod:`autograder.core.session`).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.core import container, intake, settings
from autograder.core.launcher import UsageError
from autograder.core.problemset import ProblemSet, ProblemSetError
from autograder.core.student import Student
from autograder.reference import Reference, ReferenceInputs
from autograder.run import INTERRUPTED, Run, stop_on_signals, write_not_graded

RUN = "autograder-run"  # the name the run is registered under
HOST = "autograder-host"  # the name a long-lived grading process registers itself under (tools/server.py)
_PROBLEMSET = pytest.StashKey[ProblemSet]()


def pytest_addoption(parser):
    settings.register(parser)


def run_of(config) -> Run | None:
    """The grading run of this pytest session, if it grades."""
    return config.pluginmanager.get_plugin(RUN)


def pytest_configure(config):
    config.addinivalue_line("markers", "points(w): relative weight of a grader test in its exercise (default 1)")
    config.addinivalue_line("markers", "hidden: a test students do not see (graders/test_ex<N>_hidden_*.py)")
    options = settings.resolve(config)
    value = options.target
    try:
        problemset = ProblemSet.load(config.rootpath)
    except ProblemSetError as exc:
        if value is not None:
            write_not_graded(options, None, _name(options, value), str(exc))
            raise pytest.UsageError(str(exc)) from None
        return  # not a problem set: nothing to grade, pytest as usual
    config.stash[_PROBLEMSET] = problemset
    if value is None and not options.regen_all:
        return
    try:
        run = _start(options, problemset, value, config.pluginmanager.get_plugin(HOST))
    except pytest.UsageError as exc:
        if value is not None:  # the results and the report say why, instead of an earlier run's
            write_not_graded(options, problemset, _name(options, value), str(exc).removeprefix("not graded: "))
        raise
    config.pluginmanager.register(run, RUN)
    stop_on_signals()
    try:
        run.start()
    except KeyboardInterrupt:  # stopped while it audited the sandbox or warmed up: nothing is left
        run.close()
        run.interrupted = True
        run.write_not_graded(INTERRUPTED)
        raise


def _start(options, problemset: ProblemSet, value: str | None, host=None) -> Run:
    """The grading run of ``value``, or a one-line usage error."""
    if options.regen_all and value != "solutions":
        raise pytest.UsageError("fixtures are regenerated only from the reference: use --target=solutions")
    if options.record and value != "solutions":
        raise pytest.UsageError("--record records the reference's calls: use --target=solutions")
    try:
        mode, why = container.plan(problemset.container, lean=options.lean)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if mode == "too small":  # say so before starting work the kernel would kill
        raise pytest.UsageError(f"not graded: {why}")
    try:
        return Run(options, problemset, resolve_target(problemset, value), _name(options, value),
                   ahead=mode == "full", memory_plan=why, host=host)
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None


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


def _name(options, value: str) -> str:
    """Whose work this is: --name, else the target's name without its archive suffix."""
    return options.name or intake.student_name(Path(value)) or value or "no target"


def pytest_ignore_collect(collection_path, config):
    """Graders run against a target; without one, pytest runs the problem set's own tests."""
    problemset = config.stash.get(_PROBLEMSET, None)
    if problemset is None:
        return None
    grading = run_of(config) is not None
    inside = lambda folder: collection_path == folder or folder in collection_path.parents  # noqa: E731
    if inside(problemset.graders) and not grading:
        return True
    if inside(problemset.root / "tests") and grading:
        return True
    return None


def _exercise(config, path):
    problemset = config.stash.get(_PROBLEMSET, None)
    return problemset.exercise_of(path) if problemset else None


@pytest.fixture(scope="module")
def student(request) -> Student:
    """The submission's module for this grader file's exercise, behind the worker boundary."""
    run, exercise = run_of(request.config), _exercise(request.config, request.path)
    if run is None or exercise is None:
        pytest.fail("the student fixture is for graders/test_ex<N>_*.py run with --target", pytrace=False)
    return run.student(exercise.number)


@pytest.fixture(scope="module")
def reference_inputs(request) -> ReferenceInputs:
    """Inputs this exercise's graders share, made by the reference solution (e.g. trained weights)."""
    run, exercise = run_of(request.config), _exercise(request.config, request.path)
    return ReferenceInputs(exercise.fixtures, regenerate=bool(run and run.options.regen_all))


@pytest.fixture
def reference(request) -> Reference:
    """Reference data of this exercise: compare against it, or write it when regenerating."""
    run, exercise = run_of(request.config), _exercise(request.config, request.path)
    if exercise is None:
        pytest.fail("the reference fixture is for graders/test_ex<N>_*.py", pytrace=False)
    outcome = run.outcomes.get(request.node.nodeid) if run else None
    return Reference(exercise.fixtures, regenerate=bool(run and run.options.regen_all),
                     attach=outcome.attachments.append if outcome else (lambda attachment: None),
                     test=outcome.name if outcome else "")
