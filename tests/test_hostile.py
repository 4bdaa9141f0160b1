"""Hostile and broken submissions cost their own exercise at most: never another exercise's
points, never the judge's time beyond the limits, never a byte of the project or its results."""
import hashlib
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, grade, make_submission
from hostile import CASES, files

TIMEOUT = 5  # seconds per call into student code, to keep the corpus fast


def tree_digest() -> str:
    """A digest of every file of the project that a grading must not change."""
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in {".git", "__pycache__", "reports", ".pytest_cache"}
                         and not d.endswith(".egg-info"))
        for name in sorted(names):
            path = os.path.join(folder, name)
            digest.update(path.encode())
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, solutions_run):
    before = tree_digest()

    def run(name):
        base = tmp_path_factory.mktemp("hostile")
        marker = Path(tempfile.mkdtemp(prefix="ps5-marker-"))  # outside pytest's private tmp tree:
        os.chmod(marker, 0o777)  # the worker, possibly running as nobody, must reach it
        folder = make_submission(base / "submission", files(name, ROOT / "solutions", marker))
        start = time.monotonic()
        result = grade(folder, f"--call-timeout={TIMEOUT}", tmp_path=base, timeout=600)
        return result, time.monotonic() - start, marker

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(CASES, pool.map(run, CASES)))
    return results, before, tree_digest()


@pytest.mark.parametrize("name", CASES)
def test_hostile_submission(graded, solutions_run, name):
    results, before, after = graded
    run, seconds, marker = results[name]
    loser, _ = CASES[name]
    assert run.results is not None, run.stdout[-2000:] + run.stderr[-2000:]
    # The results are genuine: every graded test is there, with the reference's points.
    assert [(t["number"], t["max_score"]) for t in run.results["tests"]] == \
           [(t["number"], t["max_score"]) for t in solutions_run.results["tests"]]
    full = solutions_run.by_exercise()
    for exercise, (score, worth) in run.by_exercise().items():
        if exercise == loser:
            assert score < worth, f"{name}: exercise {exercise} kept full marks"
        else:
            assert score == full[exercise][0], f"{name}: exercise {exercise} lost points ({score} / {worth})"
    assert seconds < 240, f"{name}: grading took {seconds:.0f} s"
    assert after == before, "the project tree changed during the hostile gradings"
    pid_file = marker / "daemon.pid"
    if pid_file.exists():  # a daemon started by the submission must be gone
        assert not os.path.exists(f"/proc/{pid_file.read_text().strip()}"), f"{name}: a stray process survived"


def test_the_detached_daemon_really_started(graded):
    """Guards the stray-process check above: the daemon case did leave its pid."""
    results, _, _ = graded
    assert (results["detached daemon"][2] / "daemon.pid").exists()
