"""An interruption costs no grade and leaves nothing behind: a grading stopped by Ctrl-C or SIGTERM
ends at once and says it was not graded; a judge killed outright takes its workers with it."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import ROOT, make_submission

BUSY = '''
import subprocess as _subprocess
import sys as _sys


def maxpool_iter(x, k=3, iters=1):
    _subprocess.Popen([_sys.executable, "-c", "import time; time.sleep(600)", {marker!r}])  # marks this worker
    while True:  # busy in the student's code when the judge is stopped
        pass
'''


def busy_submission(tmp_path: Path) -> tuple[Path, str]:
    """The solutions, with exercise 7's maxpool_iter starting a child that carries a marker in its
    command line (the worker's sandbox lets it write nowhere else) and looping."""
    marker = f"ps5-busy-{os.urandom(6).hex()}"
    folder = make_submission(tmp_path / "submission")
    with open(folder / "iter_maxpool.py", "a") as f:
        f.write(BUSY.format(marker=marker))
    return folder, marker


def marked(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().decode(errors="ignore"):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def start_and_wait_until_busy(folder: Path, marker: str, results: Path) -> tuple[subprocess.Popen, list[int]]:
    """The judge, and the pids of the busy worker and its child, once both run."""
    judge = subprocess.Popen([sys.executable, "-m", "pytest", f"--target={folder}", f"--results-json={results}",
                              f"--report={results.with_suffix('.html')}", "-q", "-p", "no:cacheprovider",
                              "--call-timeout=120", "graders/test_ex7_maxpool.py"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marked(marker):
        assert judge.poll() is None and time.monotonic() < deadline, judge.communicate()
        time.sleep(0.1)
    child = marked(marker)[0]
    return judge, [parent(child), child]


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_stopped_grading_ends_at_once_records_no_grade_and_leaves_nothing(tmp_path, signum):
    folder, marker = busy_submission(tmp_path)
    results = tmp_path / "results.json"
    judge, workers = start_and_wait_until_busy(folder, marker, results)
    start = time.monotonic()
    judge.send_signal(signum)
    out, err = judge.communicate(timeout=60)
    took = time.monotonic() - start
    assert judge.returncode == 2 and took < 3, (judge.returncode, took, err[-2000:])
    assert "Traceback" not in out + err
    assert json.loads(results.read_text())["output"] == "not graded: the grading was interrupted before it ended"
    assert "interrupted" in results.with_suffix(".html").read_text()
    assert all(gone(pid, 2) for pid in workers), "the worker or its child still runs"
    assert not list(Path(tempfile.gettempdir()).glob(f"grader-{judge.pid}-*")), "sandbox folders left behind"


def test_a_judge_killed_outright_takes_its_workers_with_it(tmp_path):
    folder, marker = busy_submission(tmp_path)
    judge, workers = start_and_wait_until_busy(folder, marker, tmp_path / "results.json")
    judge.kill()
    judge.communicate(timeout=60)
    assert all(gone(pid, 3) for pid in workers), "a worker or its child outlived the judge"
