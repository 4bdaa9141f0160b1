"""Tutor and course tooling: batch grading, the student release, the Gradescope autograder."""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT, make_submission
from hostile import files as hostile_files

from autograder.exercises import STUDENT_FILES


def run(*args, cwd=ROOT, env=None, timeout=900):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_a_mixed_batch_grades_into_a_gradebook_and_resumes(tmp_path):
    batch = tmp_path / "submissions"
    make_submission(batch / "correct")
    buggy = make_submission(batch / "buggy")
    (buggy / "softmax_temperature.py").write_text((buggy / "softmax_temperature.py").read_text()
                                                  .replace("scaled = z / T", "scaled = z * T"))
    marker = tmp_path / "marker"
    marker.mkdir()
    make_submission(batch / "hostile", hostile_files("infinite loop", ROOT / "solutions", marker))
    partial = make_submission(batch / "partial", copy_solutions=False)
    shutil.copyfile(ROOT / "solutions" / "iter_maxpool.py", partial / "iter_maxpool.py")
    with zipfile.ZipFile(batch / "zipped.zip", "w") as z:
        for name in STUDENT_FILES:
            z.write(ROOT / "solutions" / name, f"my-folder/{name}")
    (batch / "broken.zip").write_text("not a zip")
    out = tmp_path / "out"
    graded = run("-m", "autograder.batch", str(batch), str(out), "--workers=2", "--time-limit=300", "--call-timeout=5")
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert "grading" in graded.stderr  # the progress bar
    rows = {r["student"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
    assert set(rows) == {"correct", "buggy", "hostile", "partial", "zipped", "broken"}
    assert float(rows["correct"]["total"]) == float(rows["zipped"]["total"]) == 160.0
    assert float(rows["buggy"]["ex3"]) < 10 and float(rows["buggy"]["total"]) == 160 - 10 + float(rows["buggy"]["ex3"])
    assert float(rows["hostile"]["ex7"]) < 10 and float(rows["hostile"]["ex8"]) == 20.0
    assert float(rows["partial"]["total"]) == 10.0 and "missing files" in rows["partial"]["status"]
    assert rows["broken"]["status"].startswith("unreadable zip")
    assert json.loads((out / "correct" / "results.json").read_text())["score"] == 160.0
    assert (out / "buggy" / "report.html").is_file()
    stamp = (out / "correct" / "results.json").stat().st_mtime_ns
    again = run("-m", "autograder.batch", str(batch), str(out), "--workers=2")
    assert again.returncode == 0 and (out / "correct" / "results.json").stat().st_mtime_ns == stamp  # resumed


def test_the_student_release_grades_the_skeletons_and_holds_no_solution(tmp_path):
    package = tmp_path / "student.zip"
    assert run("-m", "autograder.release", "student", str(package)).returncode == 0
    names = zipfile.ZipFile(package).namelist()
    assert not [n for n in names if n.startswith("solutions/") or "_hidden_" in n or "/hidden_" in n]
    assert ".github/workflows/grade.yml" in names and "README.md" in names
    unpacked = tmp_path / "student"
    zipfile.ZipFile(package).extractall(unpacked)
    for name in STUDENT_FILES:  # no solution body: every student file is the skeleton
        assert (unpacked / "skeletons" / name).read_text() == (ROOT / "skeletons" / name).read_text()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    graded = run("-m", "pytest", "--target=skeletons", "-q", "-p", "no:cacheprovider",
                 f"--results-json={tmp_path / 'r.json'}", cwd=unpacked, env=env)
    assert graded.returncode == 1, graded.stdout[-2000:]
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["tests"] and all(t["output"].startswith("not implemented:") for t in results["tests"])
    assert all(t["visibility"] == "visible" for t in results["tests"])


def test_the_gradescope_autograder_grades_a_submission_into_results_json(tmp_path):
    package = tmp_path / "autograder.zip"
    assert run("-m", "autograder.release", "gradescope", str(package)).returncode == 0
    root = tmp_path / "autograder"
    source = root / "source"
    with zipfile.ZipFile(package) as z:
        z.extractall(source)
        assert not [n for n in z.namelist() if n.startswith("solutions/")]
        assert any("_hidden_" in n for n in z.namelist())
    for script in ("setup.sh", "run_autograder"):
        os.chmod(source / script, 0o755)
    make_submission(root / "submission")
    (source / ".python").write_text(sys.executable)  # what setup.sh records after installing
    # run_autograder must use that interpreter, not whatever python3 is first on PATH
    env = {**os.environ, "PS5_AUTOGRADER_ROOT": str(root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == pytest.approx(sum(t["max_score"] for t in results["tests"]), abs=1e-6)
    assert results["score"] > 0
    assert {t["visibility"] for t in results["tests"]} == {"visible", "hidden"}
    assert results["output"].startswith("sandbox: workers run as ")
    setup = (source / "setup.sh").read_text()
    assert "chmod -R go-rwx fixtures graders" in setup and "autograder.check" in setup


def test_the_machine_check_passes_here_and_fails_on_a_broken_reference(tmp_path):
    ok = run("-m", "autograder.check")
    assert ok.returncode == 0 and "OK: the reference gets 160 / 160" in ok.stdout, ok.stdout[-2000:]
    assert ok.stdout.startswith("machine: ") and "sandbox: workers run as" in ok.stdout
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "reports", "__pycache__", "*.egg-info"))
    (copy / "solutions" / "softmax_temperature.py").write_text(
        (copy / "solutions" / "softmax_temperature.py").read_text().replace("scaled = z / T", "scaled = z * T"))
    env = {**os.environ, "PYTHONPATH": str(copy)}
    broken = run("-m", "autograder.check", cwd=copy, env=env)
    assert broken.returncode == 1 and "FAILED: the reference gets" in broken.stdout, broken.stdout[-2000:]
    assert "failed 3." in broken.stdout  # the failing tests are listed, exercise 3's among them
