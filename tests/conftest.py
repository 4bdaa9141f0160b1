"""Shared helpers for the framework's own tests: grade a target in a subprocess, like a user would."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.core.problemset import ProblemSet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
PROBLEMSET = ProblemSet.load(ROOT)  # problem set 5, at the top of the repository
EXERCISES = PROBLEMSET.exercises
STUDENT_FILES = PROBLEMSET.student_files
PROVIDED_FILES = PROBLEMSET.provided_files


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    results: dict | None
    report: Path

    def by_exercise(self) -> dict[int, tuple[float, float]]:
        """exercise -> (score, max_score)"""
        totals: dict[int, tuple[float, float]] = {}
        for test in self.results["tests"]:
            number = test["extra_data"]["exercise"]
            score, worth = totals.get(number, (0.0, 0.0))
            totals[number] = (score + test["score"], worth + test["max_score"])
        return totals


def load_solution(name: str):
    """Import solutions/<name>.py in this process (for the oracle tests), with the provided files
    (kept once, in skeletons/) on the path so that its helpers import."""
    import importlib.util

    if str(ROOT / "skeletons") not in sys.path:
        sys.path.append(str(ROOT / "skeletons"))
    spec = importlib.util.spec_from_file_location(f"solution_{name}", ROOT / "solutions" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def without_cap_sys_admin(command: list[str]) -> list[str]:
    """``command`` run as root without CAP_SYS_ADMIN, as Docker and Gradescope run containers."""
    return ["capsh", "--drop=cap_sys_admin", "--", "-c", shlex.join(command)]


CAN_DROP_CAP_SYS_ADMIN = os.geteuid() == 0 and shutil.which("capsh") is not None


def grade(target, *args: str, tmp_path: Path, timeout: float = 600, env: dict | None = None,
          wrap=lambda command: command, cwd: Path = ROOT) -> Run:
    """``pytest --target=TARGET --results-json=...`` from the problem set's folder (problem set 5's
    by default), as a tutor runs it (``wrap`` may change how the command is started, e.g.
    :func:`without_cap_sys_admin`)."""
    results = Path(tempfile.mkdtemp(prefix="grade-", dir=tmp_path)) / "results.json"  # unique: runs go in parallel
    os.chmod(results.parent, 0o755)
    proc = subprocess.run(
        wrap([sys.executable, "-m", "pytest", f"--target={target}", f"--results-json={results}",
              f"--report={results.with_suffix('.html')}", "-q", *args]),
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )
    data = json.loads(results.read_text()) if results.exists() else None
    return Run(proc.returncode, proc.stdout, proc.stderr, data, results.with_suffix(".html"))


def serve(pool, target, *args: str, tmp_path: Path, timeout: float = 600) -> Run:
    """What :func:`grade` does, by a grading server of ``pool`` (autograder.tools.server.Pool): the
    batch path."""
    results = Path(tempfile.mkdtemp(prefix="grade-", dir=tmp_path)) / "results.json"
    os.chmod(results.parent, 0o755)
    output = results.with_name("output.txt")
    code = pool.grade([f"--target={target}", f"--results-json={results}", f"--report={results.with_suffix('.html')}",
                       "-q", *args], output, timeout=timeout)
    data = json.loads(results.read_text()) if results.exists() else None
    return Run(code, output.read_text(errors="replace"), "", data, results.with_suffix(".html"))


def marked(marker: str) -> list[int]:
    """The processes whose command line carries ``marker`` (what a test's submission started)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().decode(errors="ignore"):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def make_submission(folder: Path, files: dict[str, str] | None = None, copy_solutions: bool = True) -> Path:
    """A submission folder: the reference solutions (optional) with some files replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    if copy_solutions:
        for item in (ROOT / "solutions").iterdir():
            if item.is_file():
                shutil.copyfile(item, folder / item.name)
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


def shell_blocks(markdown: str) -> list[str]:
    """The command lines of a Markdown text's ```bash blocks, in order, as written."""
    lines, inside = [], False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            inside = line.strip() == "```bash" if not inside else False
        elif inside and line.strip():
            lines.append(line)
    return lines


def without_our_venv(environ=os.environ) -> dict:
    """The environment of a newcomer's terminal: this test run's virtual environment taken off."""
    env = {k: v for k, v in environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    ours = os.path.join(sys.prefix, "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != ours)
    return env


def committed_copy_of_the_project(folder: Path) -> Path:
    """A copy of the project as it stands, committed in a git repository of its own: what a tutor's
    clone holds (packages are built from committed files)."""
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(".git", ".venv", "reports", "__pycache__",
                                                                 "*.egg-info", "*.obtained.*"))
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=ci", "-c", "user.email=ci@localhost",
                                                     "commit", "-q", "-m", "the project as tested"]):
        subprocess.run(["git", "-C", str(folder), *command], check=True, capture_output=True)
    return folder


@pytest.fixture(scope="session")
def committed_copy(tmp_path_factory) -> Path:
    return committed_copy_of_the_project(tmp_path_factory.mktemp("clone") / "project")


class OwnRuns:
    """The gradings of every problem set's own solutions and skeletons, each made once per test
    run, whichever tests read it (and from whichever thread)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.runs: dict[tuple[Path, str], Run] = {}
        self.locks: dict[tuple[Path, str], threading.Lock] = defaultdict(threading.Lock)

    def __call__(self, problemset: ProblemSet, target: str) -> Run:
        key = (problemset.root, target)
        with self.locks[key]:
            if key not in self.runs:
                folder = Path(tempfile.mkdtemp(prefix=f"{target}-", dir=self.tmp))
                self.runs[key] = grade(target, tmp_path=folder, cwd=problemset.root)
            return self.runs[key]


@pytest.fixture(scope="session")
def own_runs(tmp_path_factory) -> OwnRuns:
    return OwnRuns(tmp_path_factory.mktemp("own"))


@pytest.fixture(scope="session")
def solutions_run(own_runs) -> Run:
    return own_runs(PROBLEMSET, "solutions")


@pytest.fixture(scope="session")
def skeletons_run(own_runs) -> Run:
    return own_runs(PROBLEMSET, "skeletons")


def pytest_configure(config):
    config.addinivalue_line("markers", "gradescope(*runs): a test of the Gradescope harness and the runs it checks")


@pytest.hookimpl(trylast=True)  # after -k and -m deselected what they deselect
def pytest_collection_modifyitems(config, items):
    """Modules whose setup takes minutes (the class batch of tests/test_classview.py, the Gradescope
    harness of tests/test_gradescope.py) define ``start_in_background(items)`` and
    ``stop_background()``: their setup starts now, in background threads, and their tests run last,
    each waiting for what it checks, so that the setup overlaps the rest of the suite."""
    if config.option.collectonly:
        return
    background = list(dict.fromkeys(item.module for item in items
                                    if hasattr(getattr(item, "module", None), "start_in_background")))
    if not background:
        return
    items[:] = ([item for item in items if getattr(item, "module", None) not in background]
                + [item for module in background for item in items if getattr(item, "module", None) is module])
    config.stash[BACKGROUND] = background
    for module in background:
        module.start_in_background([item for item in items if item.module is module])


def pytest_sessionfinish(session):
    session.config.stash[BACKGROUND_TIMES] = [line for module in session.config.stash.get(BACKGROUND, [])
                                              for line in module.stop_background()]


BACKGROUND = pytest.StashKey[list]()
BACKGROUND_TIMES = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter):
    """The wall times of the work done in the background; the quality gate's table, when the corpus ran."""
    times = terminalreporter.config.stash.get(BACKGROUND_TIMES, [])
    if times:
        terminalreporter.section("work done in the background (wall times)")
        for line in times:
            terminalreporter.write_line(line)
    table = sys.modules.get("test_corpus") and sys.modules["test_corpus"].TABLE
    if not table:
        return
    tr = terminalreporter
    if "cases" in table:
        tr.section("planted bugs and correct variants")
        tr.write_line(f"{'problem set':>11} {'exercise':>8}  {'bugs caught / planted':>22}  {'variants passed / written':>26}")
        rows = table["cases"]
        for (problemset, number), row in sorted(rows.items()):
            tr.write_line(f"{problemset:>11} {number:>8}  {row['caught']:>13} / {row['bugs']:<6}  "
                          f"{row['passed']:>16} / {row['variants']:<7}")
        total = {k: sum(r[k] for r in rows.values()) for k in ("caught", "bugs", "passed", "variants")}
        tr.write_line(f"{'total':>20}  {total['caught']:>13} / {total['bugs']:<6}  {total['passed']:>16} / "
                      f"{total['variants']:<7}")
    for where, verdicts in table.get("hints", {}).items():
        count = sum(len(v) for v in verdicts.values())
        shares = ", ".join(f"{k} {len(v)} ({len(v) / count:.0%})" for k, v in verdicts.items())
        tr.write_line(f"hints of the planted bugs, {where} ({count} bugs): {shares}")
    uncovered = table.get("uncovered")
    if uncovered is not None:
        tr.write_line(f"grader tests no planted bug fails (only the skeletons do): {len(uncovered)}")
        for name in uncovered:
            tr.write_line(f"  {name}")
