"""Hostile and broken submissions cost their own exercise at most: never another exercise's
points, never the judge's time beyond the limits, never a byte of the project or its results."""
import hashlib
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hostile import CASES, files

from autograder.tools.server import Pool
from conftest import (
    CAN_DROP_CAP_SYS_ADMIN,
    ROOT,
    marked,
    make_submission,
    serve,
    without_cap_sys_admin,
)

TIMEOUT = 5  # seconds per call into student code, to keep the corpus fast


def tree_digest() -> str:
    """A digest of every file of the project that a grading must not change."""
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in {".git", "__pycache__", "reports", ".pytest_cache"}
                         and not d.endswith(".egg-info") and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg")))
        for name in sorted(names):
            path = os.path.join(folder, name)
            digest.update(path.encode())
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


MODES = {"as it is": None}
if CAN_DROP_CAP_SYS_ADMIN:  # Docker's and Gradescope's default: root without CAP_SYS_ADMIN
    MODES["without CAP_SYS_ADMIN"] = without_cap_sys_admin
# What CAP_SYS_ADMIN changes is how the protected folders are kept from the workers (a private
# mount namespace, else Landlock: autograder/core/sandbox.py); timeouts, crashes, stray processes and
# output limits work alike either way. So every case is graded as this machine runs, and the
# cases that reach for the project's files (with the plain wrong answer they are compared with)
# again without CAP_SYS_ADMIN.
FILE_CASES = ["writes into the project", "copies the reference data", "plain wrong answer",
              "planted conftest.py and pytest.ini"]
CASES_OF = {mode: list(CASES) if mode == "as it is" else FILE_CASES for mode in MODES}


@pytest.fixture(scope="module")
def graded_in_every_mode(tmp_path_factory, solutions_run):
    """Every case graded in every mode, three gradings at a time (the endless cases mostly wait
    out their time limits, the others use a core), the slowest first, by grading servers (the
    batch path; in each mode its own, started as that mode starts commands), so a hostile
    submission is followed by others in the same server."""
    before = tree_digest()
    seen: dict[str, set[int]] = {}
    running = threading.Event()
    running.set()

    def watch(marker):  # the daemon is killed with its grading: look for it while that runs
        seen.setdefault(marker, set())
        while running.is_set():
            seen[marker] |= set(marked(f"ps5-daemon-{marker}"))
            time.sleep(0.2)

    def run(job):
        mode, name = job
        base = tmp_path_factory.mktemp("hostile")
        marker = Path(tempfile.mkdtemp(prefix="ps5-marker-"))  # outside pytest's private tmp tree:
        os.chmod(marker, 0o777)  # the worker, possibly running as nobody, must reach it
        folder = make_submission(base / "submission", files(name, ROOT / "solutions", marker))
        watcher = threading.Thread(target=watch, args=(marker.name,), daemon=True)
        watcher.start()
        start = time.monotonic()
        result = serve(pools[mode], folder, f"--call-timeout={TIMEOUT}", tmp_path=base)
        return result, time.monotonic() - start, marker

    jobs = sorted(((mode, name) for mode in MODES for name in CASES_OF[mode]), key=lambda job: job[1] != "infinite loop")
    pools = {mode: Pool(ROOT, 3, wrap=wrap) for mode, wrap in MODES.items()}  # servers started when first needed
    try:
        with ThreadPoolExecutor(max_workers=3) as threads:
            results = dict(zip(jobs, threads.map(run, jobs)))
    finally:
        for pool in pools.values():
            pool.close()
    running.clear()
    yield results, before, tree_digest(), seen
    for _, _, marker in results.values():  # outside pytest's tmp tree: nothing else removes them
        shutil.rmtree(marker, ignore_errors=True)


JOBS = [(mode, name) for mode in MODES for name in CASES_OF[mode]]


@pytest.mark.parametrize("mode, name", JOBS, ids=[f"{mode}-{name}" for mode, name in JOBS])
def test_hostile_submission(graded_in_every_mode, solutions_run, mode, name):
    results, before, after, seen = graded_in_every_mode
    run, seconds, marker = results[(mode, name)]
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
    survivors = {pid for pid in seen.get(marker.name, ()) if os.path.exists(f"/proc/{pid}")}
    assert not survivors, f"{name}: a stray process survived: {survivors}"
    assert "WARNING" not in run.results["output"], run.results["output"]  # the reference data was out of reach
    if mode != "as it is":  # the grading server really ran without CAP_SYS_ADMIN: no mount namespace of its own
        assert "confinement: " in run.stdout and "private mount namespace" not in run.stdout, run.stdout[-1000:]


@pytest.mark.parametrize("mode", MODES)
def test_reading_the_reference_data_earns_nothing_over_a_plain_wrong_answer(graded_in_every_mode, mode):
    results = graded_in_every_mode[0]
    thief = results[(mode, "copies the reference data")][0].by_exercise()[7]
    plain = results[(mode, "plain wrong answer")][0].by_exercise()[7]
    assert thief[0] <= plain[0], f"the submission that looks for the reference data earned {thief[0]} > {plain[0]}"


def test_the_detached_daemon_really_started(graded_in_every_mode):
    """Guards the stray-process check above: the daemon case did start its daemon."""
    results, _, _, seen = graded_in_every_mode
    assert seen.get(results[("as it is", "detached daemon")][2].name), "the daemon was never seen running"
