"""Same verdict on every CPU: the solutions and every correct variant get full marks under each
of torch's CPU kernel settings, and fixtures regenerated under one setting hold under another."""
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import EXERCISES, ROOT, grade, make_submission
from corpus import VARIANTS
from planted import apply



def cpu_has(flag: str) -> bool:
    try:
        return flag in open("/proc/cpuinfo").read().split()
    except OSError:
        return False


def native_capability() -> str:
    """The kernels torch picks by itself here: every other test grades with them already."""
    import torch

    return torch.backends.cpu.get_cpu_capability().lower()


SETTINGS = {"ATEN_CPU_CAPABILITY": [c for c in ["default", "avx2"] + (["avx512"] if cpu_has("avx512f") else [])
                                    if c != native_capability()],
            "ONEDNN_MAX_CPU_ISA": ["SSE41"]}  # the machine's own setting is every other test's
CASES = [{name: value} for name, values in SETTINGS.items() for value in values]
IDS = [f"{k}={v}" for case in CASES for k, v in case.items()]
FULL = sum(ex.points for ex in EXERCISES.values())


def variant_submissions() -> list[dict[str, tuple[str, tuple]]]:
    """The correct variants packed into as few submissions as possible, at most one per student
    file: a failure in an exercise names the one variant in that exercise's file."""
    packs: list[dict] = []
    for number, table in VARIANTS.items():
        for name, (file, edits) in table.items():
            pack = next((p for p in packs if file not in p), None)
            if pack is None:
                packs.append(pack := {})
            pack[file] = (f"ex{number} {name}", edits)
    return packs


@pytest.mark.parametrize("env", CASES, ids=IDS)
def test_the_solutions_and_every_correct_variant_get_full_marks(env, tmp_path):
    def run(index_pack):
        index, pack = index_pack
        if pack is None:
            return "the solutions", {}, grade("solutions", tmp_path=tmp_path, env=env)
        folder = make_submission(tmp_path / f"variants{index}")
        for file, (_, edits) in pack.items():
            apply(folder, file, edits)
        return f"variants {index}", pack, grade(folder, tmp_path=tmp_path, env=env)

    packs = variant_submissions()
    assert sum(len(p) for p in packs) == sum(len(t) for t in VARIANTS.values())
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(run, enumerate([None, *packs])))
    for label, pack, done in runs:
        assert done.results is not None, (label, done.stdout[-2000:])
        failed = [(t["number"], t["output"]) for t in done.results["tests"] if t["status"] != "passed"]
        culprits = {pack.get(EXERCISES[int(n.split(".")[0])].student_file, ("?",))[0] for n, _ in failed}
        assert not failed, f"{label} ({', '.join(sorted(culprits))}): {failed[:3]}"
        assert done.results["score"] == pytest.approx(FULL)


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
