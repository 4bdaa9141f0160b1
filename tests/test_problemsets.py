"""A framework for the whole course: every problem set of the repository (problem set 5 at the top,
each folder with a problemset.toml beside it) is graded by the same framework from its own files;
a new problem set or exercise starts with one command; nothing in autograder/ names a problem set;
the README's tables are problem set 5's data."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import PROBLEMSET, ROOT, committed_copy_of_the_project, shell_blocks, without_our_venv
from planted import problem_sets

from autograder.core.problemset import ProblemSet

PROBLEM_SETS = {problemset.root.relative_to(ROOT).as_posix() if problemset.root != ROOT else "top": problemset
                for problemset in problem_sets()}
OTHERS = {name: problemset for name, problemset in PROBLEM_SETS.items() if problemset.root != ROOT}
PS6 = PROBLEM_SETS["ps6"]


def test_problem_set_6_is_unlike_problem_set_5():
    assert "torch" not in PS6.preload and "torch" in PROBLEMSET.preload  # no torch: a lighter forkserver
    assert PS6.warm_up is None and len(PS6.exercises) >= 2
    assert not set(PS6.student_files) & set(PROBLEMSET.student_files)
    assert any((PS6.fixtures / f"ex{n}").glob("*_scene.npz") for n in PS6.exercises)  # one graded from a figure
    assert any((PS6.fixtures / f"ex{n}").glob("*.npz") for n in PS6.exercises)  # ... and one from numbers


@pytest.mark.parametrize("name", PROBLEM_SETS)
def test_the_solutions_get_full_marks_and_the_skeletons_fail_as_not_implemented(own_runs, name):
    problemset = PROBLEM_SETS[name]
    solutions = own_runs(problemset, "solutions")
    assert solutions.returncode == 0, solutions.stdout[-2000:]
    assert solutions.results["score"] == pytest.approx(problemset.points)
    assert solutions.results["extra_data"]["problemset"] == problemset.title
    skeletons = own_runs(problemset, "skeletons")
    assert skeletons.returncode == 1 and skeletons.results["score"] == 0 and skeletons.results["tests"]
    assert all(t["output"].startswith("not implemented: ") for t in skeletons.results["tests"]), skeletons.results
    assert {t["extra_data"]["exercise"] for t in skeletons.results["tests"]} == set(problemset.exercises)


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    return committed_copy_of_the_project(tmp_path_factory.mktemp("repository") / "project")


@pytest.mark.parametrize("name", OTHERS)
def test_the_packages_of_every_other_problem_set_build_and_grade(repository, tmp_path, name):
    """Its student package, unpacked, grades the skeletons; its Gradescope zip's run_autograder
    grades the solutions at full marks (this test run's venv standing in for setup.sh's). Problem
    set 5's packages have tests of their own (tests/test_packages.py, tests/test_gradescope.py)."""
    problemset = OTHERS[name]
    for kind in ("student", "gradescope"):
        built = subprocess.run([sys.executable, "-m", "autograder.tools.release", kind, str(tmp_path / f"{kind}.zip")],
                               cwd=repository / name, capture_output=True, text=True, timeout=300,
                               env={**os.environ, "PYTHONPATH": str(repository)})  # the clone's framework
        assert built.returncode == 0, built.stderr
    student = tmp_path / "student"
    zipfile.ZipFile(tmp_path / "student.zip").extractall(student)
    names = set(zipfile.ZipFile(tmp_path / "student.zip").namelist())
    assert {"problemset.toml", "pytest.ini", "conftest.py", "pyproject.toml", "README.md"} <= names
    assert {f"skeletons/{f}" for f in problemset.student_files} <= names
    assert not [n for n in names if n.startswith(("solutions/", "autograder/tools/"))]
    needs_torch = any(re.match(r"torch\b", d) for d in problemset.dependencies)
    assert needs_torch == ("torch" in (student / "pyproject.toml").read_text())
    assert shell_blocks((student / "README.md").read_text())[-1] == "pytest --target=skeletons"
    graded = subprocess.run([sys.executable, "-m", "pytest", "--target=skeletons", "-q", "--results-json=r.json"],
                            cwd=student, capture_output=True, text=True, timeout=600, env=without_our_venv())
    assert graded.returncode == 1, graded.stdout[-2000:]
    assert all(t["output"].startswith("not implemented") for t in json.loads((student / "r.json").read_text())["tests"])
    root = tmp_path / "autograder"
    zipfile.ZipFile(tmp_path / "gradescope.zip").extractall(root / "source")
    (root / "source" / ".venv").symlink_to(sys.prefix)
    shutil.copytree(problemset.solutions, root / "submission", ignore=shutil.ignore_patterns("*.md"))
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd="/", capture_output=True, text=True,
                          timeout=600, env=without_our_venv())
    results = json.loads((root / "results" / "results.json").read_text())
    assert done.returncode == 0 and results["score"] == pytest.approx(problemset.points), results.get("output")


def test_a_new_problem_set_and_exercise_grade_out_of_the_box(tmp_path):
    """The scaffold command, as a tutor starting problem set 7 runs it, in a folder of its own."""
    def scaffold(*args, cwd):
        done = subprocess.run([sys.executable, "-m", "autograder.tools.scaffold", *args], cwd=cwd, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done

    scaffold("problemset", "ps7", "--title", "Problem set 7", "--subject", "ridge regression", cwd=tmp_path)
    folder = tmp_path / "ps7"
    assert (folder / "solutions" / "exercise1.py").is_file()  # the placeholder, which grades at once
    scaffold("exercise", "1", "--title", "Least squares", "--file", "lstsq.py", "--points", "10", cwd=folder)
    assert not (folder / "solutions" / "exercise1.py").exists() and not (folder / "skeletons" / "exercise1.py").exists()
    assert not list((folder / "graders").glob("test_ex1_first*"))  # replaced, not kept beside it
    scaffold("exercise", "2", "--title", "Ridge regression", "--file", "ridge.py", "--points", "15", cwd=folder)
    for number in ("1", "2"):  # a real exercise is never replaced
        refused = subprocess.run([sys.executable, "-m", "autograder.tools.scaffold", "exercise", number, "--title",
                                  "again", "--file", "x.py"], cwd=folder, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and f"exercise {number} is in" in refused.stderr
    problemset = ProblemSet.load(folder)
    assert [ex.points for ex in problemset.exercises.values()] == [10.0, 15.0]
    readme = (folder / "README.md").read_text()  # its exercise tables follow the new exercise
    assert "| exercise | 1 | 2 | total |" in readme and "| points | 10 | 15 | 25 |" in readme
    assert "| 1 Least squares | `lstsq.py` | |" in readme and "| 2 Ridge regression | `ridge.py` | |" in readme
    for target, status in (("solutions", 0), ("skeletons", 1)):
        results = tmp_path / f"{target}.json"
        done = subprocess.run([sys.executable, "-m", "pytest", f"--target={target}", f"--results-json={results}",
                               "-q"], cwd=folder, capture_output=True, text=True, timeout=600)
        assert done.returncode == status, done.stdout[-2000:]
        tests = json.loads(results.read_text())["tests"]
        assert {t["extra_data"]["exercise"] for t in tests} == {1, 2}
        if target == "skeletons":
            assert all(t["output"].startswith("not implemented: ") for t in tests)
    # its student README, as the student package renders it: torch's CPU-only build only where the
    # problem set needs torch, and the files to hand in
    from types import SimpleNamespace

    from autograder.tools.release import render

    template = (folder / "student-README.md").read_text()
    plain = render(template, ProblemSet.load(folder))
    assert "{{" not in plain and "torch" not in plain and "Hand in `lstsq.py`, `ridge.py`" in plain
    assert shell_blocks(plain) == ["python3 -m venv .venv", "source .venv/bin/activate", "pip install -e .",
                                   "pytest --target=skeletons"]
    with_torch = render(template, SimpleNamespace(dependencies=["torch>=2.2"], student_files=["lstsq.py"]))
    assert "pip install --isolated torch --index-url https://download.pytorch.org/whl/cpu" in shell_blocks(with_torch)
    assert "torchvision" not in with_torch and "PyTorch's CPU-only build" in with_torch


def test_nothing_in_the_framework_names_a_problem_set():
    """autograder/ serves any problem set: no title, student file, provided file or 'ps5' in it."""
    words = {"ps5", "ps6", "problem set 5", "problem set 6"}
    for problemset in PROBLEM_SETS.values():
        words |= {problemset.title.lower(), *problemset.student_files, *problemset.provided_files}
        words |= {ex.title.lower() for ex in problemset.exercises.values()}
    for path in sorted((ROOT / "autograder").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            text = path.read_text().lower()
            found = [w for w in words if w.lower() in text]
            assert not found, f"{path.relative_to(ROOT)} names {found}"


def test_the_dev_extra_installs_what_the_problem_sets_of_the_repository_need():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=!~;\[ ]", r)[0] for r in project["dependencies"] + project["optional-dependencies"]["problemsets"]}
    for problemset in PROBLEM_SETS.values():
        assert {re.split(r"[<>=!~;\[ ]", r)[0] for r in problemset.dependencies} <= declared, problemset.title
    assert "course-autograder[tutor,problemsets]" in project["optional-dependencies"]["dev"]


def test_the_readmes_exercise_tables_are_problem_set_5s_data():
    """The points table and the files table of the README say what problemset.toml says."""
    from autograder.tools.scaffold import readme_tables

    assert readme_tables(ROOT, write=False), "run: python -m autograder.tools.scaffold tables"
    text = (ROOT / "README.md").read_text()
    numbers = " | ".join(str(n) for n in PROBLEMSET.exercises)
    stars = " | ".join(f"{ex.points / 10:g}" for ex in PROBLEMSET.exercises.values())
    points = " | ".join(f"{ex.points:g}" for ex in PROBLEMSET.exercises.values())
    assert f"| exercise | {numbers} | total |" in text
    assert f"| stars | {stars} | |" in text
    assert f"| points | {points} | {PROBLEMSET.points:g} |" in text
    for ex in PROBLEMSET.exercises.values():
        row = next((line for line in text.splitlines() if line.startswith(f"| {ex.number} {ex.title}")
                    or re.match(rf"\| [\d, ]*\b{ex.number}\b.*{re.escape(ex.title)}", line)), None)
        assert row and f"`{ex.student_file}`" in row, (ex.number, row)
        assert all(f"`{name}`" in row for name in ex.provided), (ex.number, row)
