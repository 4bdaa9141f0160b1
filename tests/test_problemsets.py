"""A framework for the whole course: problem set 6 (ps6/), unlike problem set 5, is graded by the
same framework from its own files; a new problem set or exercise starts with one command; nothing
in autograder/ names a problem set; the README's tables are problem set 5's data."""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import PROBLEMSET, ROOT, shell_blocks, without_our_venv

from autograder.problemset import ProblemSet

PS6 = ProblemSet.load(ROOT / "ps6")


def grade_ps6(target, tmp_path, *args):
    """``pytest --target=...`` run in ps6/, as its tutor runs it."""
    results = tmp_path / f"results-{len(list(tmp_path.glob('results-*')))}.json"
    done = subprocess.run([sys.executable, "-m", "pytest", f"--target={target}", f"--results-json={results}",
                           "--report=", "-q", *args], cwd=PS6.root, capture_output=True, text=True, timeout=600)
    return done, json.loads(results.read_text()) if results.is_file() else None


def by_exercise(results) -> dict[int, tuple[float, float]]:
    totals: dict[int, tuple[float, float]] = {}
    for test in results["tests"]:
        number = int(test["number"].split(".")[0])
        score, worth = totals.get(number, (0.0, 0.0))
        totals[number] = (score + test["score"], worth + test["max_score"])
    return totals


def test_problem_set_6_is_unlike_problem_set_5():
    assert "torch" not in PS6.preload and "torch" in PROBLEMSET.preload  # no torch: a lighter forkserver
    assert PS6.warm_up is None and len(PS6.exercises) >= 2
    assert not set(PS6.student_files) & set(PROBLEMSET.student_files)
    assert any((PS6.fixtures / f"ex{n}").glob("*_scene.npz") for n in PS6.exercises)  # one graded from a figure
    assert any((PS6.fixtures / f"ex{n}").glob("*.npz") for n in PS6.exercises)  # ... and one from numbers


def test_the_solutions_of_problem_set_6_get_full_marks_and_its_skeletons_fail_as_not_implemented(tmp_path):
    done, results = grade_ps6("solutions", tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    assert results["score"] == pytest.approx(PS6.points) and results["extra_data"]["problemset"] == "Problem set 6"
    done, results = grade_ps6("skeletons", tmp_path)
    assert done.returncode == 1 and results["score"] == 0 and results["tests"]
    assert all(t["output"].startswith("not implemented: ") for t in results["tests"]), results["tests"]
    assert {int(t["number"].split(".")[0]) for t in results["tests"]} == set(PS6.exercises)


def test_problem_set_6s_packages_build_and_grade(tmp_path):
    """Its student package, unpacked, grades the skeletons; its Gradescope zip's run_autograder
    grades the solutions at full marks (this test run's venv standing in for setup.sh's)."""
    copy = tmp_path / "repository"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "reports", "__pycache__", "*.egg-info"))
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=ci", "-c", "user.email=ci@localhost",
                                                     "commit", "-q", "-m", "problem set 6"]):
        subprocess.run(["git", "-C", str(copy), *command], check=True, capture_output=True)
    for kind in ("student", "gradescope"):
        built = subprocess.run([sys.executable, "-m", "autograder.release", kind, str(tmp_path / f"{kind}.zip")],
                               cwd=copy / "ps6", capture_output=True, text=True, timeout=300,
                               env={**os.environ, "PYTHONPATH": str(copy)})  # the clone's framework, as installed there
        assert built.returncode == 0, built.stderr
    student = tmp_path / "student"
    zipfile.ZipFile(tmp_path / "student.zip").extractall(student)
    names = set(zipfile.ZipFile(tmp_path / "student.zip").namelist())
    assert {"problemset.toml", "pytest.ini", "conftest.py", "pyproject.toml", "README.md"} <= names
    assert "skeletons/kmeans.py" in names and not [n for n in names if n.startswith("solutions/")]
    assert "torch" not in (student / "pyproject.toml").read_text()
    assert shell_blocks((student / "README.md").read_text())[-1] == "pytest --target=skeletons"
    graded = subprocess.run([sys.executable, "-m", "pytest", "--target=skeletons", "-q", "--results-json=r.json"],
                            cwd=student, capture_output=True, text=True, timeout=600, env=without_our_venv())
    assert graded.returncode == 1, graded.stdout[-2000:]
    assert all(t["output"].startswith("not implemented") for t in json.loads((student / "r.json").read_text())["tests"])
    root = tmp_path / "autograder"
    zipfile.ZipFile(tmp_path / "gradescope.zip").extractall(root / "source")
    (root / "source" / ".venv").symlink_to(sys.prefix)
    shutil.copytree(PS6.solutions, root / "submission", ignore=shutil.ignore_patterns("*.md"))
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd="/", capture_output=True, text=True,
                          timeout=600, env=without_our_venv())
    results = json.loads((root / "results" / "results.json").read_text())
    assert done.returncode == 0 and results["score"] == pytest.approx(PS6.points), results.get("output")


def test_a_new_problem_set_and_exercise_grade_out_of_the_box(tmp_path):
    """The scaffold command, as a tutor starting problem set 7 runs it, in a folder of its own."""
    def scaffold(*args, cwd):
        done = subprocess.run([sys.executable, "-m", "autograder.scaffold", *args], cwd=cwd, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done

    scaffold("problemset", "ps7", "--title", "Problem set 7", "--subject", "ridge regression", cwd=tmp_path)
    folder = tmp_path / "ps7"
    scaffold("exercise", "2", "--title", "Ridge regression", "--file", "ridge.py", "--points", "15", cwd=folder)
    refused = subprocess.run([sys.executable, "-m", "autograder.scaffold", "exercise", "2", "--title", "again",
                              "--file", "x.py"], cwd=folder, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "exercise 2 is in" in refused.stderr
    problemset = ProblemSet.load(folder)
    assert [ex.points for ex in problemset.exercises.values()] == [10.0, 15.0]
    readme = (folder / "README.md").read_text()  # its exercise tables follow the new exercise
    assert "| exercise | 1 | 2 | total |" in readme and "| points | 10 | 15 | 25 |" in readme
    assert "| 2 Ridge regression | `ridge.py` | |" in readme
    for target, status in (("solutions", 0), ("skeletons", 1)):
        results = tmp_path / f"{target}.json"
        done = subprocess.run([sys.executable, "-m", "pytest", f"--target={target}", f"--results-json={results}",
                               "-q"], cwd=folder, capture_output=True, text=True, timeout=600)
        assert done.returncode == status, done.stdout[-2000:]
        tests = json.loads(results.read_text())["tests"]
        assert {t["number"].split(".")[0] for t in tests} == {"1", "2"}
        if target == "skeletons":
            assert all(t["output"].startswith("not implemented: ") for t in tests)


def test_nothing_in_the_framework_names_a_problem_set():
    """autograder/ serves any problem set: no title, student file, provided file or 'ps5' in it."""
    words = {"ps5", "ps6", "problem set 5", "problem set 6"}
    for problemset in (PROBLEMSET, PS6):
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
    for problemset in (PROBLEMSET, PS6):
        assert {re.split(r"[<>=!~;\[ ]", r)[0] for r in problemset.dependencies} <= declared, problemset.title
    assert "course-autograder[problemsets]" in project["optional-dependencies"]["dev"]


def test_the_readmes_exercise_tables_are_problem_set_5s_data():
    """The points table and the files table of the README say what problemset.toml says."""
    from autograder.scaffold import readme_tables

    assert readme_tables(ROOT, write=False), "run: python -m autograder.scaffold tables"
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
