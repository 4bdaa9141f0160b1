"""The run states what holds for the workers, measured: in detail for the tutor (the terminal's
"sandbox:" line) and in plain words for the student (the last line); each mode is tried here:
as this machine runs it, without CAP_SYS_ADMIN (Docker's and Gradescope's default), and as a
non-root user where one can run this Python."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

PROBE = [sys.executable, str(ROOT / "tests" / "sandbox_probe.py")]


def modes() -> dict[str, list[str]]:
    found = {"as it is": PROBE}
    if os.geteuid() == 0 and shutil.which("capsh"):
        found["root without CAP_SYS_ADMIN"] = ["capsh", "--drop=cap_sys_admin", "--", "-c", " ".join(PROBE)]
        # Nothing but file modes left: the line must then say what the worker can read.
        found["root without CAP_SYS_ADMIN or Landlock"] = ["capsh", "--drop=cap_sys_admin", "--", "-c",
                                                          "AUTOGRADER_LANDLOCK=off " + " ".join(PROBE)]
    return found


def check_line_against_the_worker(result: dict) -> None:
    line, sentence = result["line"], result["sentence"]
    claimed = re.search(r"workers run as \S+ \(uid (\d+)\)", line)
    assert claimed and int(claimed.group(1)) == result["uid"], line
    assert sentence.startswith(("Your code ran in a separate", "WARNING: your code ran in a separate")), sentence
    if result["opened"]:
        assert "WARNING: the workers could read" in line, line
        assert "could read the graders' reference data" in sentence and "could not" not in sentence, sentence
    else:
        assert "could open none of" in line and "WARNING" not in line, line
        assert "it could not read the graders' reference data" in sentence and "WARNING" not in sentence, sentence


@pytest.mark.parametrize("mode", list(modes()))
def test_the_last_line_says_what_the_worker_can_do(mode):
    done = subprocess.run(modes()[mode], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    check_line_against_the_worker(result)
    assert result["no_new_privs"] == 1  # no setuid program can give student code privileges, Landlock or not
    if os.geteuid() == 0 and "Landlock" not in mode:  # protected: the reference data must be out of reach
        assert not result["opened"], result


def test_without_any_confinement_the_line_warns(monkeypatch):
    """Guards the check above: a worker that can read the reference data is reported as such."""
    from autograder.core import sandbox

    report = {"uid": 1000, "user": "student", "readable": [str(ROOT / "fixtures" / "MANIFEST.sha256")],
              "checked": 3, "namespace": False, "landlock": False, "python": ""}
    line = sandbox.describe(report, judge_is_root=True, root=ROOT)
    sentence = sandbox.plain(report, judge_is_root=True)
    check_line_against_the_worker({"line": line, "sentence": sentence, "uid": 1000, "opened": report["readable"]})
    assert "confinement: none" in line and sentence.startswith("WARNING")
    own = sandbox.plain(report, judge_is_root=False)  # a student grading their own work on their machine
    check_line_against_the_worker({"line": sandbox.describe(report, judge_is_root=False, root=ROOT), "sentence": own,
                                   "uid": 1000, "opened": report["readable"]})
