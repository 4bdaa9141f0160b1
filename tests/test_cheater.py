"""What reaches a student gives no answer away: an automated cheater (tests/cheater.py) calls every
function and class the student package of each problem set ships with every student function's
recorded arguments, and none may return an answer. It would have caught the package of
2026-12-02 (commit 7e8c283): 15 callables answering 9 student functions (every one of exercises 1,
3, 4 and 7, and exercise 6's count from the parameter shapes of graders/ex5_shared.py) and a
grader's probe; and it finds an answer planted in a copy of today's package."""
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT
from planted import problem_sets

HERE = ROOT / "tests"
PROBLEM_SETS = {p.root.relative_to(ROOT).as_posix() if p.root != ROOT else ".": p for p in problem_sets()}


@pytest.fixture(scope="module", params=list(PROBLEM_SETS))
def shipped(request, committed_copy, tmp_path_factory):
    """(the student package of a problem set, built from a committed copy, and the recording of
    the calls its public graders make of the reference solutions)."""
    folder = committed_copy / request.param
    out = tmp_path_factory.mktemp("cheater")
    env = {"PYTHONPATH": str(committed_copy)}  # the copy's framework, as a tutor's clone runs it
    built = subprocess.run([sys.executable, "-m", "autograder.tools.release", "student", str(out / "student.zip")], cwd=folder,
                           capture_output=True, text=True, timeout=600, env=_env(env))
    assert built.returncode == 0, built.stderr
    problemset = PROBLEM_SETS[request.param]
    public = [str(g.relative_to(problemset.root)) for n in problemset.exercises for g in problemset.graders_of(n)
              if not problemset.judge_only(str(g.relative_to(problemset.root)))]
    recorded = subprocess.run([sys.executable, "-m", "pytest", "--target=solutions", f"--record={out / 'recording'}",
                               "--report=", "-q", "-p", "no:cacheprovider", *public], cwd=folder, capture_output=True,
                              text=True, timeout=900, env=_env(env))
    assert recorded.returncode == 0, recorded.stdout[-2000:]
    return out / "student.zip", out / "recording"


def _env(extra: dict) -> dict:
    import os

    return {**os.environ, **extra}


def cheat(package, recording, *only: str):
    done = subprocess.run([sys.executable, str(HERE / "cheater.py"), str(package), str(recording), *only],
                          capture_output=True, text=True, timeout=1200)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, lines


def test_nothing_the_student_package_ships_computes_an_answer(shipped):
    package, recording = shipped
    code, lines = cheat(package, recording)
    assert code == 0 and '"answered": 0' in lines[-1], "\n".join(lines)
    assert '"calls": 0' not in lines[-1]  # it tried something


def test_the_cheater_finds_an_answer_planted_in_a_copy_of_the_package(shipped, tmp_path):
    package, recording = shipped
    if "softmax_temperature.py" not in zipfile.ZipFile(package).namelist() and \
            "skeletons/softmax_temperature.py" not in zipfile.ZipFile(package).namelist():
        pytest.skip("the planted answer is one of problem set 5's")
    leaky = tmp_path / "leaky.zip"
    shutil.copyfile(package, leaky)
    with zipfile.ZipFile(leaky, "a") as z:  # a shared grader module that computes softmax_t's answer
        z.writestr("graders/softmax_helpers.py", "import numpy as np\n\n\ndef tempered(z, T):\n"
                                                 "    s = np.asarray(z, dtype=np.float64) / T\n"
                                                 "    e = np.exp(s - s.max(axis=-1, keepdims=True))\n"
                                                 "    return e / e.sum(axis=-1, keepdims=True)\n")
    code, lines = cheat(leaky, recording, "softmax_helpers")  # the rest of the package is the test above's
    assert code == 1 and any('"callable": "tempered"' in line and '"answers": "softmax_t"' in line for line in lines), \
        "\n".join(lines)
