"""The pretrained-weights path of exercise 9, exercised offline with stand-in weights.

A copy of the project gets a torch cache holding seeded weights under the file name of
IMAGENET1K_V1 (torch.hub trusts a cached file without re-checking its hash). Then the tutor's
workflow runs as documented: regenerate the pretrained reference, grade the solutions and a bug.
"""
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")


def test_the_pretrained_checks_run_and_grade_when_the_weights_are_cached(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info"))
    checkpoints = tmp_path / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.manual_seed(3)
    torch.save(torchvision.models.resnet50(weights=None).state_dict(), checkpoints / "resnet50-0676ba61.pth")
    env = {**os.environ, "TORCH_HOME": str(tmp_path / "torch")}

    def pytest_run(*args):
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfs", "-p", "no:cacheprovider",
                               "graders/test_ex9_pretrained.py", *args],
                              cwd=project, env=env, capture_output=True, text=True, timeout=600)

    for name in ("pretrained_saliency.npz", "pretrained_saliency.png", "pretrained_saliency_scene.npz"):
        (project / "fixtures" / "ex9" / name).unlink(missing_ok=True)
    # A student who ran load_model with internet has the weights, not the course's reference: the
    # two checks are not graded (a correct submission loses nothing) and the tutor's check says so.
    unreferenced = pytest_run("--target=solutions")
    assert unreferenced.returncode == 0 and "2 skipped" in unreferenced.stdout, unreferenced.stdout[-2000:]
    assert "not graded: the course provides no reference data for this check (fixtures/ex9/pretrained_saliency" \
        in unreferenced.stdout
    # the grading's own summary says why, folded, without pytest's -rs
    section = unreferenced.stdout.split("not graded (no points lost)", 1)[-1].splitlines()
    for number, name in (("9.1", "pretrained_saliency.npz"), ("9.2", "pretrained_saliency_scene.npz")):  # a figure's scene first
        assert f"{number}: not graded: the course provides no reference data for this check (fixtures/ex9/{name})" \
            in section, section[:4]
    check = subprocess.run([sys.executable, "-m", "autograder.tools.selfcheck"], cwd=project, env=env, capture_output=True,
                           text=True, timeout=600)
    assert check.returncode == 0 and "missing reference data: 2 check(s) are not graded" in check.stdout, check.stdout
    regen = pytest_run("--target=solutions", "--regen-all")
    assert regen.returncode == 0 and "2 passed" in regen.stdout, regen.stdout[-2000:]
    assert (project / "fixtures" / "ex9" / "pretrained_saliency.npz").is_file()

    graded = pytest_run("--target=solutions")
    assert graded.returncode == 0 and "2 passed" in graded.stdout, graded.stdout[-2000:]

    buggy = tmp_path / "buggy"
    buggy.mkdir()
    text = (project / "solutions" / "guided_backprop.py").read_text()
    (buggy / "guided_backprop.py").write_text(text.replace("    scores = model(x)\n",
                                                           "    scores = torch.softmax(model(x), dim=1)\n"))
    failed = pytest_run(f"--target={buggy}")
    # With random stand-in weights the softmax is nearly uniform, so the normalised picture of the
    # softmax gradient looks like the right one; the saliency values show the mistake.
    assert failed.returncode == 1, failed.stdout[-2000:]
    assert "FAILED graders/test_ex9_pretrained.py::test_the_saliency_of_the_exercise_image" in failed.stdout
