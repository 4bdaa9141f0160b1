"""Same verdict on every CPU: the solutions and every correct variant get full marks under each
of torch's CPU kernel settings, and fixtures regenerated under one setting hold under another."""
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ROOT, grade, make_submission
from corpus import VARIANTS
from test_corpus import apply

from autograder.exercises import EXERCISES


def cpu_has(flag: str) -> bool:
    try:
        return flag in open("/proc/cpuinfo").read().split()
    except OSError:
        return False


SETTINGS = {"ATEN_CPU_CAPABILITY": ["default", "avx2"] + (["avx512"] if cpu_has("avx512f") else []),
            "ONEDNN_MAX_CPU_ISA": ["SSE41"]}  # the machine's own setting is every other test's
CASES = [{name: value} for name, values in SETTINGS.items() for value in values]
IDS = [f"{k}={v}" for case in CASES for k, v in case.items()]
FULL = sum(ex.points for ex in EXERCISES.values())


@pytest.mark.parametrize("env", CASES, ids=IDS)
def test_the_solutions_and_every_correct_variant_get_full_marks(env, tmp_path):
    variants = [(n, name, edit) for n, table in VARIANTS.items() for name, edit in table.items()]

    def run(case):
        if case is None:
            return "solutions", grade("solutions", tmp_path=tmp_path, env=env)
        number, name, (file, edits) = case
        folder = make_submission(tmp_path / f"ex{number}-{name}".replace(" ", "_").replace("/", "_"))
        apply(folder, file, edits)
        graders = [str(g) for n, ex in EXERCISES.items() if ex.student_file == file
                   for g in sorted((ROOT / "graders").glob(f"test_ex{n}_*.py"))]
        return name, grade(folder, *graders, tmp_path=tmp_path, env=env)

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(pool.map(run, [None, *variants]))
    assert runs["solutions"].results["score"] == pytest.approx(FULL), runs["solutions"].stdout[-3000:]
    for name, done in runs.items():
        failed = [f"{t['name']}: {t['output']}" for t in done.results["tests"] if t["status"] != "passed"]
        assert not failed, (name, failed)


def test_fixtures_regenerated_under_other_kernels_give_the_solutions_full_marks(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "reports", "__pycache__", "*.egg-info"))
    other = {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"}
    import subprocess
    import sys

    regen = subprocess.run([sys.executable, "-m", "pytest", "--target=solutions", "--regen-all", "-q", "--report="],
                           cwd=copy, capture_output=True, text=True, env={**os.environ, **other}, timeout=900)
    assert regen.returncode == 0, regen.stdout[-2000:]
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "pytest", "--target=solutions", f"--results-json={results}", "-q",
                           "--report="], cwd=copy, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    import json

    assert json.loads(results.read_text())["score"] == pytest.approx(FULL)
