"""An interruption costs no grade and leaves nothing behind: a grading stopped by Ctrl-C or SIGTERM
ends at once and says it was not graded; a judge killed outright takes its workers with it."""
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import PROBLEMSET, ROOT, make_submission, marked

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


def alive_in_session(session: int) -> list[str]:
    """The processes of ``session`` still running (zombies waiting to be reaped aside)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if entry.name.isdigit() and int(fields[3]) == session and fields[0] != "Z":
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120])
        except (OSError, IndexError):
            pass
    return found


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_stopped_batch_ends_at_once_records_nothing_half_done_and_the_same_command_goes_on(tmp_path, signum):
    """Ctrl-C reaches the whole process group (the batch and its grading servers), SIGTERM only the
    batch (a tutor's kill): either way the batch ends within 2 s with one line, the submission under
    way is not recorded, nothing is left running or on disk, and the same command grades it."""
    submissions = tmp_path / "class"
    for student in ("ann", "ben"):
        make_submission(submissions / student)
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    command = [sys.executable, "-m", "autograder.tools.batch", str(submissions), str(out), "--workers=1"]
    env = {**os.environ, "TMPDIR": str(tmp)}
    batch = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(tmp.glob("grader-*-ex*")):  # a submission's exercise is being graded
        assert batch.poll() is None and time.monotonic() < deadline, batch.communicate()
        time.sleep(0.05)
    start = time.monotonic()
    os.killpg(batch.pid, signal.SIGINT) if signum == signal.SIGINT else batch.send_signal(signum)
    stdout, stderr = batch.communicate(timeout=60)
    took = time.monotonic() - start
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("grading")]
    assert batch.returncode == 130 and took < 2, (batch.returncode, took, stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("interrupted: "), stderr[-2000:]
    under_way = [d.name for d in out.iterdir() if d.is_dir() and not (d / "done.json").exists()]
    assert under_way, "the interrupted submission was recorded as done"
    deadline = time.monotonic() + 3
    while alive_in_session(batch.pid) and time.monotonic() < deadline:  # killed: gone within moments
        time.sleep(0.1)
    assert not alive_in_session(batch.pid) and not list(tmp.glob("grader-*")), (alive_in_session(batch.pid),
                                                                                list(tmp.iterdir()))
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    gradebook = {row["student"]: row for row in csv.DictReader((out / "gradebook.csv").open())}
    assert all(gradebook[s]["status"] == "graded" and float(gradebook[s]["total"]) == PROBLEMSET.points
               for s in ("ann", "ben")), gradebook
