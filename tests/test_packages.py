"""The packages a course hands out, as their users receive them: built from committed files only,
unpacked in a fresh folder, their README followed literally."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
import yaml
from conftest import EXERCISES, ROOT, STUDENT_FILES, shell_blocks, without_our_venv



def release(project, kind, out):
    return subprocess.run([sys.executable, "-m", "autograder.tools.release", kind, str(out)], cwd=project,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("kind", ["student", "gradescope", "classroom50"])
def test_a_package_is_refused_while_a_file_it_ships_is_changed_or_not_committed(committed_copy, tmp_path, kind):
    skeleton = committed_copy / "skeletons" / "iter_maxpool.py"
    original = skeleton.read_text()
    try:
        skeleton.write_text(original.replace('raise NotImplementedError("maxpool_iter")', "return x"))
        refused = release(committed_copy, kind, tmp_path / "changed.zip")
        assert refused.returncode == 2 and not (tmp_path / "changed.zip").exists()
        assert refused.stderr.strip() == ("release: skeletons/iter_maxpool.py has uncommitted changes: a package is "
                                          "built from committed files only (commit it, or stash or remove it, and "
                                          "build again)")
    finally:
        skeleton.write_text(original)
    notes = committed_copy / "graders" / "test_ex7_notes.py"
    notes.write_text("# a tutor's draft\n")
    try:
        refused = release(committed_copy, kind, tmp_path / "untracked.zip")
        assert refused.returncode == 2 and "graders/test_ex7_notes.py is not committed" in refused.stderr
    finally:
        notes.unlink()
    (committed_copy / "notes.txt").write_text("outside every shipped folder: no matter\n")
    try:
        assert release(committed_copy, kind, tmp_path / "fine.zip").returncode == 0
    finally:
        (committed_copy / "notes.txt").unlink()


def test_the_student_package_holds_nothing_for_tutors_only(committed_copy, tmp_path):
    package = tmp_path / "student.zip"
    assert release(committed_copy, "student", package).returncode == 0
    names = set(zipfile.ZipFile(package).namelist())
    assert not [n for n in names if n.startswith(("solutions/", "tests/", "autograder/tools/templates/"))
                or "_hidden_" in n or "/hidden_" in n]
    assert not names & {"autograder/tools/selfcheck.py", "autograder/tools/release.py", "autograder/tools/batch.py"}
    assert {"README.md", ".github/workflows/grade.yml", ".gitignore"} <= names
    assert {f"skeletons/{name}" for name in STUDENT_FILES} <= names
    manifest = zipfile.ZipFile(package).read("fixtures/MANIFEST.sha256").decode().splitlines()
    assert manifest and {f"fixtures/{line.split('  ')[1]}" for line in manifest} == \
        {n for n in names if n.startswith("fixtures/ex")}  # lists exactly the reference files that ship


def follow(lines, folder, timeout=1800):
    """Run README lines in one bash session, in ``folder``, from a newcomer's terminal. A line the
    README allows to fail (the CPU-only index: "If it fails ... go on") may fail."""
    script = ["set -e"]
    for line in lines:
        script.append(f"{line} || echo 'README: that failed; going on, as the README says'"
                      if "--index-url" in line else line)
    return subprocess.run(["bash", "-c", "\n".join(script)], cwd=folder, capture_output=True, text=True,
                          timeout=timeout, env=without_our_venv())


@pytest.fixture(scope="module")
def student_folder(committed_copy, tmp_path_factory):
    """The student package, unpacked in a fresh folder and set up as its README says: (folder,
    the README's command lines, the last of which grades)."""
    folder = tmp_path_factory.mktemp("student") / "ps"
    package = folder.parent / "student.zip"
    assert release(committed_copy, "student", package).returncode == 0
    zipfile.ZipFile(package).extractall(folder)
    lines = shell_blocks((folder / "README.md").read_text())
    assert lines[:2] == ["python3 -m venv .venv", "source .venv/bin/activate"] and lines[-1] == "pytest --target=skeletons"
    done = follow(lines[:-1], folder)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return folder, lines


def test_the_student_readme_followed_literally_grades_the_skeletons(student_folder):
    folder, lines = student_folder
    done = follow(["source .venv/bin/activate", lines[-1]], folder)  # "In every new terminal, activate..."
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # pytest: tests failed
    assert re.search(r"^total\s+0\.0 /\s*160\.0$", done.stdout, re.MULTILINE), done.stdout[-2000:]
    report = (folder / "reports" / "report.html").read_text()  # "reports/report.html shows every test"
    listed = re.findall(r"data-test='([\d.]+)'", report)  # every graded test, with its points
    messages = re.findall(r"<div class='test failed'>.*\n<div class='msg'>([^<]*)</div>", report)  # folded by message
    assert len(listed) > 100 and len(set(listed)) == len(listed) and 0 < len(messages) < 30
    assert all(m.startswith("not implemented: ") for m in messages), messages[:3]


def test_plain_pytest_in_the_student_package_grades_the_skeletons(student_folder):
    """The package's pytest.ini names the skeletons as the target: the student needs no option."""
    folder, _ = student_folder
    done = follow(["source .venv/bin/activate", "pytest"], folder)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # pytest: tests failed
    first = done.stdout.splitlines()[:5]
    assert (f"grading: skeletons ({(folder / 'skeletons').resolve()}), Problem set 5, {len(EXERCISES)} exercises"
            in first), first
    possible = sum(exercise.points for exercise in EXERCISES.values())
    assert re.search(rf"^total\s+0\.0 /\s*{possible:.1f}$", done.stdout, re.MULTILINE), done.stdout[-2000:]


def test_the_students_workflow_steps_write_the_points_table_and_the_report(student_folder, tmp_path):
    folder, _ = student_folder
    workflow = yaml.safe_load((folder / ".github" / "workflows" / "grade.yml").read_text())
    steps = workflow["jobs"]["grade"]["steps"]
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s] == \
        ["actions/checkout", "actions/setup-python", "actions/upload-artifact"]
    summary = tmp_path / "summary.md"
    env = {**without_our_venv(), "GITHUB_STEP_SUMMARY": str(summary)}
    for step in (s for s in steps if "run" in s):  # as the runner does: bash -e, in the checkout
        done = subprocess.run(["bash", "-e", "-c", f"source .venv/bin/activate\n{step['run']}"], cwd=folder,
                              capture_output=True, text=True, env=env, timeout=1200)
        if step.get("name") == "Grade":
            assert done.returncode == 1, done.stdout[-2000:]  # the skeletons fail: the job shows red
        else:
            assert done.returncode == 0, (step, done.stdout[-2000:], done.stderr[-2000:])
    table = summary.read_text()
    assert table.startswith("### Points: 0.0 / 160.0")
    for number, exercise in EXERCISES.items():
        assert f"| {number} {exercise.title} | 0.0 / {exercise.points:.1f} |" in table
    assert "not implemented" in table
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    for path in upload["with"]["path"].split():
        assert (folder / path).is_file(), path


def test_a_finished_student_package_draws_its_plots_and_gets_full_marks(student_folder, solutions_run):
    folder, _ = student_folder
    skeletons = {name: (folder / "skeletons" / name).read_bytes() for name in STUDENT_FILES}
    try:
        results = finish_and_grade(folder)
        # a test has the same number for the student as on Gradescope and in the tutor's report
        tutor = {t["name"]: t["number"] for t in solutions_run.results["tests"]}
        assert {t["name"]: t["number"] for t in results["tests"]}.items() <= tutor.items()
    finally:  # the other tests grade the skeletons as shipped
        for name, data in skeletons.items():
            (folder / "skeletons" / name).write_bytes(data)


def finish_and_grade(folder):
    for name in STUDENT_FILES:
        shutil.copyfile(ROOT / "solutions" / name, folder / "skeletons" / name)
    # the README: "run its file inside skeletons/, e.g. cd skeletons then python iter_maxpool.py"
    for script, picture in (("iter_maxpool.py", "iter_maxpool_grid.png"), ("gradients2d.py", "gradients2d.png")):
        done = subprocess.run(["bash", "-c", f"source ../.venv/bin/activate && python {script}"],
                              cwd=folder / "skeletons", capture_output=True, text=True, timeout=600,
                              env=without_our_venv())
        assert done.returncode == 0 and (folder / "skeletons" / picture).is_file(), done.stderr[-2000:]
    done = follow(["source .venv/bin/activate", "pytest --target=skeletons --results-json=results.json"], folder)
    assert done.returncode == 0, done.stdout[-3000:]
    results = json.loads((folder / "results.json").read_text())
    assert results["score"] == pytest.approx(sum(ex.points for ex in EXERCISES.values()))
    assert os.path.getsize(folder / "reports" / "report.html") > 0
    return results


@pytest.mark.parametrize("where", ["copied above the zip's folder", "in the zip's folder"])
def test_run_autograder_works_wherever_it_sits_and_from_any_working_folder(committed_copy, tmp_path, where):
    """Gradescope copies run_autograder to /autograder and runs it from there; a tutor may run the
    unpacked copy. (The whole platform is reproduced in test_gradescope.py; this checks where the
    script finds its files, with this test run's venv standing in for the one setup.sh makes.)"""
    package = tmp_path / "autograder.zip"
    assert release(committed_copy, "gradescope", package).returncode == 0
    root = tmp_path / "autograder"
    zipfile.ZipFile(package).extractall(root / "source")
    (root / "source" / ".venv").symlink_to(sys.prefix)
    script = root / "source" / "run_autograder"
    if where.startswith("copied"):
        script = root / "run_autograder"
        shutil.copyfile(root / "source" / "run_autograder", script)
    os.chmod(script, 0o755)
    submission = root / "submission"
    submission.mkdir()
    shutil.copyfile(ROOT / "solutions" / "softmax_temperature.py", submission / "softmax_temperature.py")
    done = subprocess.run([str(script)], cwd="/", capture_output=True, text=True, timeout=900,
                          env=without_our_venv())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    by_exercise = {}
    for test in results["tests"]:
        by_exercise.setdefault(test["number"].split(".")[0], []).append(test["status"])
    assert set(by_exercise["3"]) == {"passed"} and "passed" not in by_exercise["1"]  # only ex. 3 was submitted
    assert (root / "results" / "report.html").is_file() and (root / "results" / "output.txt").is_file()


CLASSROOM50_ENV = {"CLASSROOM": "pr-2026", "ASSIGNMENT": "ps5", "SUBMISSION_TAG": "submit/2026-12-01T10-00-00Z-abc1234",
                   "COMMIT_URL": "https://github.com/o/r/commit/abc", "RELEASE_URL": "https://github.com/o/r/releases/x"}


def test_the_classroom50_result_follows_its_documented_contract(solutions_run, skeletons_run):
    from autograder.results import Results
    from autograder.tools.classroom50 import result

    for run, full in ((solutions_run, True), (skeletons_run, False)):
        data = result(Results.from_dict(run.results), CLASSROOM50_ENV)
        assert data["schema"] == "classroom50/result/v1"
        for key, name in (("classroom", "CLASSROOM"), ("assignment", "ASSIGNMENT"), ("submission", "SUBMISSION_TAG"),
                          ("commit", "COMMIT_URL"), ("release", "RELEASE_URL")):
            assert data[key] == CLASSROOM50_ENV[name]
        assert data["review"] == CLASSROOM50_ENV["COMMIT_URL"]  # no REVIEW_URL: the contract's fallback
        assert all(type(data[k]) is int for k in ("score", "max-score"))
        assert data["max-score"] == sum(ex.points for ex in EXERCISES.values())
        assert data["score"] == sum(t["score"] for t in data["tests"]) == (data["max-score"] if full else 0)
        assert [t["test-name"] for t in data["tests"]] == [f"exercise {n}: {ex.title}" for n, ex in EXERCISES.items()]
        for test in data["tests"]:
            assert {"test-name", "passed", "score", "max-score"} <= set(test)
            assert type(test["passed"]) is bool and type(test["score"]) is int and type(test["max-score"]) is int
            assert test["passed"] == full and bool(test["failed"]) != full
    hidden = {t["name"] for t in skeletons_run.results["tests"] if t["visibility"] == "hidden"}
    messages = [m for t in result(Results.from_dict(skeletons_run.results), CLASSROOM50_ENV)["tests"] for m in t["failed"]]
    assert hidden and not [m for m in messages if m.split(": ")[0].split(" ", 1)[1] in hidden]


def test_classroom50_says_in_one_line_when_nothing_was_graded(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"score": 0, "output": "not graded: the grading workers could not start", "tests": []}))
    done = subprocess.run([sys.executable, "-m", "autograder.tools.classroom50", str(results), str(tmp_path / "result.json")],
                          capture_output=True, text=True, env={**os.environ, **CLASSROOM50_ENV})
    assert done.returncode == 1 and not (tmp_path / "result.json").exists()
    assert done.stderr.strip() == "classroom50: not graded: the grading workers could not start"
