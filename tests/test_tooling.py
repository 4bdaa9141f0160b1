"""Tutor tooling: batch grading, the machine check. (Packages: test_packages.py, test_gradescope.py.)"""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

from conftest import ROOT, STUDENT_FILES, make_submission
from hostile import files as hostile_files



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
    graded = run("-m", "autograder.tools.batch", str(batch), str(out), "--workers=2", "--time-limit=300", "--call-timeout=5")
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
    again = run("-m", "autograder.tools.batch", str(batch), str(out), "--workers=2")
    assert again.returncode == 0 and (out / "correct" / "results.json").stat().st_mtime_ns == stamp  # resumed


def test_the_machine_check_passes_here_and_fails_on_a_broken_reference(tmp_path):
    ok = run("-m", "autograder.tools.selfcheck")
    assert ok.returncode == 0 and "OK: the reference gets 160 / 160" in ok.stdout, ok.stdout[-2000:]
    assert ok.stdout.startswith("machine: ") and "sandbox: workers run as" in ok.stdout
    # every library it names is installed here: none that this Python does not need (tomli on 3.11)
    assert " missing" not in ok.stdout.split("\n", 1)[0] and ("tomli" in ok.stdout) == (sys.version_info < (3, 11)), \
        ok.stdout[:1000]
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "reports", "__pycache__", "*.egg-info"))
    (copy / "solutions" / "softmax_temperature.py").write_text(
        (copy / "solutions" / "softmax_temperature.py").read_text().replace("scaled = z / T", "scaled = z * T"))
    env = {**os.environ, "PYTHONPATH": str(copy)}
    broken = run("-m", "autograder.tools.selfcheck", cwd=copy, env=env)
    assert broken.returncode == 1 and "FAILED: the reference gets" in broken.stdout, broken.stdout[-2000:]
    assert "failed 3." in broken.stdout  # the failing tests are listed, exercise 3's among them
