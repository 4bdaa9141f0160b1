"""Starts anywhere: every import of the shipped code is declared, and grading works where there
is no forkserver (Windows), with spawn."""
import ast
import re
import sys
from importlib import metadata

import pytest
from conftest import EXERCISES, ROOT, grade

from autograder.core.problemset import ProblemSet


tomllib = pytest.importorskip("tomllib")
PROBLEMSETS = {"problem set 5": ROOT, "problem set 6": ROOT / "ps6"}


def imported_modules(folder) -> set[str]:
    names = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def requirement_names(requirements) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].strip().lower() for r in requirements}


@pytest.mark.parametrize("name", PROBLEMSETS)
def test_every_import_of_the_shipped_code_is_a_declared_dependency(name):
    """What the student package ships (the framework's grading rooms, the problem set's graders and
    skeletons) imports only the framework's dependencies (pyproject.toml) and the problem set's
    (problemset.toml); the tutor's tools import only those and the ``tutor`` extra."""
    problemset = ProblemSet.load(PROBLEMSETS[name])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = requirement_names(project["dependencies"]) | requirement_names(problemset.dependencies)
    tools = ROOT / "autograder" / "tools"
    tutor = requirement_names(project["optional-dependencies"]["tutor"])
    distributions = metadata.packages_distributions()

    def undeclared(modules, declared):
        return {m: distributions.get(m) for m in modules
                if not {d.lower() for d in distributions.get(m, [m])} & declared}

    tool_imports = imported_modules(tools) - set(sys.stdlib_module_names) - {"autograder"}
    assert "tqdm" in tool_imports  # guards the scan itself
    assert not undeclared(tool_imports, declared | tutor), "imported by the tutor's tools but declared nowhere"
    shipped = [ROOT / "autograder", ROOT / "autograder" / "core", problemset.graders, problemset.skeletons]
    local = {"autograder"} | {p.stem for folder in shipped for p in folder.glob("*.py")}
    third_party = {m for folder in shipped for m in imported_modules(folder)} - set(sys.stdlib_module_names) - local
    # The worker turns arrays into tensors for a problem set that uses torch (autograder.tensor):
    # it imports torch inside that function only, so a problem set without torch never needs it.
    if "torch" not in requirement_names(problemset.dependencies):
        assert "torch" not in imported_modules(problemset.graders) | imported_modules(problemset.skeletons)
        third_party.discard("torch")
    assert "numpy" in third_party and "pytest" in third_party  # guards the scan itself
    missing = undeclared(third_party, declared)
    assert not missing, f"imported by shipped code but declared nowhere: {missing}"


def test_the_solutions_get_full_marks_with_spawned_workers(tmp_path):
    run = grade("solutions", tmp_path=tmp_path, env={"AUTOGRADER_START_METHOD": "spawn"}, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.results["score"] == pytest.approx(sum(ex.points for ex in EXERCISES.values()))


def test_an_unavailable_start_method_is_a_one_line_usage_error(tmp_path):
    run = grade("solutions", "graders/test_ex6_count_parameters.py", tmp_path=tmp_path,
                env={"AUTOGRADER_START_METHOD": "no-such-method"})
    assert run.returncode == 4 and "AUTOGRADER_START_METHOD=no-such-method" in run.stderr
    assert "Traceback" not in run.stderr


LOSES_ITS_FORKSERVER = """
import multiprocessing.process, os, signal, sys
from autograder.core.launcher import Launcher, WorkersUnavailable, end_forkserver, sandbox_folder
from autograder.core.codec import decode
from autograder.core.problemset import ProblemSet

launcher = Launcher(ProblemSet.load("."))

real_start, calls = multiprocessing.process.BaseProcess.start, []

def start(self):  # the first launch finds its forkserver killed under it (by a worker, say)
    calls.append(self.name)
    if len(calls) == 1:
        from multiprocessing import forkserver
        forkserver.ensure_running()
        os.kill(forkserver._forkserver._forkserver_pid, signal.SIGKILL)
        raise EOFError("unexpected EOF")  # what the forkserver's client raises then
    return real_start(self)

multiprocessing.process.BaseProcess.start = start
process, conn = launcher.launch(sandbox_folder(None, "test"), None, None, name="grader-test", audit=[])
print(len(calls), decode(conn.recv_bytes())["checked"])
"""


def test_a_worker_launch_that_loses_its_forkserver_is_tried_again_on_a_new_one():
    import subprocess

    out = subprocess.run([sys.executable, "-c", LOSES_ITS_FORKSERVER], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.stdout.split() == ["2", "0"], out.stdout + out.stderr[-2000:]


NO_FORKSERVER_STARTS_A_WORKER = """
import multiprocessing.process
from autograder.core.launcher import Launcher, WorkersUnavailable, end_forkserver, sandbox_folder
from autograder.core.problemset import ProblemSet

launcher = Launcher(ProblemSet.load("."))

calls = []

def start(self):  # every forkserver dies before it starts a worker (a broken machine, mid-run)
    calls.append(self.name)
    raise EOFError

multiprocessing.process.BaseProcess.start = start
folder = sandbox_folder(None, "test")
for _ in range(3):
    try:
        launcher.launch(folder, None, None, name="grader-test", audit=[])
    except WorkersUnavailable as exc:
        print(len(calls), exc)
"""


def test_a_launch_that_fails_on_a_fresh_forkserver_too_gives_up_for_the_rest_of_the_run():
    """Two tries, then every later launch fails at once with the same line: a broken machine
    costs the run two launches, not two per test (the run then ends as not graded)."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", NO_FORKSERVER_STARTS_A_WORKER], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    # mid-run, no blame is claimed: a submission (run as root) might be what kills the forkservers
    line = ("2 the grading workers could not start: EOFError; nothing is graded: the cause may be the machine, "
            "or a submission that stops its workers")
    assert out.stdout.splitlines() == [line] * 3, out.stdout + out.stderr[-2000:]
