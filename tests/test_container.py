"""The container courses grade in: its memory limit is read and acted on, and a whole-run time
budget ends every run in time, whatever the submission does."""
import time

import pytest
from conftest import EXERCISES, STUDENT_FILES, grade, make_submission


ENDLESS = '''
import time


def _endless(*args, **kwargs):
    while True:
        time.sleep(0.05)


def __getattr__(name):  # every function and class of this module runs forever
    return _endless
'''


def test_a_container_too_small_to_grade_in_is_told_which_setting_to_raise(tmp_path):
    run = grade("solutions", tmp_path=tmp_path, env={"AUTOGRADER_MEMORY_LIMIT": str(700 * 2**20)})
    assert run.returncode == 4 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "raise Gradescope's autograder memory" in run.stderr and "700 MiB" in run.stderr
    assert "to at least 1 GB" in run.stderr
    assert (run.results["score"], run.results["output"], run.results["tests"]) == (
        0.0, run.stderr.strip().removeprefix("ERROR: "), [])


def test_a_tight_limit_read_from_a_cgroup_file_makes_the_run_lean(tmp_path):
    limit = tmp_path / "memory.max"
    limit.write_text(f"{900 * 2**20}\n")
    run = grade("solutions", tmp_path=tmp_path, env={"AUTOGRADER_MEMORY_LIMIT": str(limit)})
    assert "memory: memory limit 900 MiB" in run.stdout and "nothing computed ahead" in run.stdout, run.stdout[-1500:]
    assert run.results["score"] == pytest.approx(sum(ex.points for ex in EXERCISES.values()))


def test_a_single_cpu_makes_the_run_lean_and_two_compute_ahead(tmp_path):
    plans = {}
    for cpus in ("0.5", "2"):
        limit = tmp_path / "memory.max"
        limit.write_text("max\n")
        run = grade("solutions", "graders/test_ex6_count_parameters.py", tmp_path=tmp_path,
                    env={"AUTOGRADER_MEMORY_LIMIT": str(limit), "AUTOGRADER_CPU_LIMIT": cpus})
        assert run.returncode == 0, run.stdout[-1500:]
        plans[cpus] = next(line for line in run.stdout.splitlines() if line.startswith("memory: "))
    assert plans["0.5"] == "memory: no memory limit, 0.5 CPU (AUTOGRADER_CPU_LIMIT): one exercise computing at a time, " \
                           "nothing computed ahead", plans
    assert plans["2"].endswith("2 CPUs (AUTOGRADER_CPU_LIMIT): the next exercise's expensive checks computed ahead"), plans


def test_the_cpu_quota_is_read_from_the_cgroup(tmp_path, monkeypatch):
    from autograder.core import container

    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "cpu.max").write_text("50000 100000\n")
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "cpu.cfs_quota_us").write_text("150000\n")
    (tmp_path / "v1" / "cpu.cfs_period_us").write_text("100000\n")
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "cpu.max").write_text("max 100000\n")
    monkeypatch.delenv("AUTOGRADER_CPU_LIMIT", raising=False)
    for folder, expected in (("v2", 0.5), ("v1", 1.5)):
        monkeypatch.setattr(container, "_cgroup_folders", lambda controller, f=folder: [tmp_path / "none", tmp_path / f])
        assert container.cpu_limit() == (expected, str(tmp_path / folder / ("cpu.max" if folder == "v2" else "cpu.cfs_quota_us")))
    monkeypatch.setattr(container, "_cgroup_folders", lambda controller: [tmp_path / "none"])
    assert container.cpu_limit()[1] == "cores"


def test_lean_is_kept_when_asked_for(tmp_path):
    limit = tmp_path / "memory.max"
    limit.write_text("max\n")
    run = grade("solutions", "--lean", "graders/test_ex6_count_parameters.py", tmp_path=tmp_path,
                env={"AUTOGRADER_MEMORY_LIMIT": str(limit), "AUTOGRADER_CPU_LIMIT": "2"})
    assert run.returncode == 0 and "memory: no memory limit, 2 CPUs (AUTOGRADER_CPU_LIMIT): --lean: one exercise computing at a time" \
        in run.stdout, \
        run.stdout[-1500:]


def test_endless_functions_in_every_exercise_end_within_the_time_budget(tmp_path):
    folder = make_submission(tmp_path / "sub", {name: ENDLESS for name in STUDENT_FILES}, copy_solutions=False)
    budget = 20
    start = time.monotonic()
    run = grade(folder, f"--time-budget={budget}", "--call-timeout=60", tmp_path=tmp_path, timeout=600)
    elapsed = time.monotonic() - start
    assert elapsed < budget + 30, f"the run took {elapsed:.0f} s with a budget of {budget} s"
    assert run.results is not None and run.results["score"] == 0
    outputs = [t["output"] for t in run.results["tests"]]
    graded = {int(t["number"].split(".")[0]) for t in run.results["tests"]}
    assert graded == set(EXERCISES), graded  # every exercise graded or marked as out of time
    assert all(o.startswith(("out of time", "timed out")) for o in outputs), set(outputs)
    assert sum(o.startswith("out of time") for o in outputs) > len(EXERCISES)
