"""Can this machine be trusted with students' work? Grades the reference solutions here.

    python -m autograder.tools.selfcheck

Prints the machine (CPU kernels, library versions), the reference's points, how the workers
are confined and which checks are not graded here (their reference data or the pretrained weights
are missing), and exits 0 only when the reference gets full marks on every graded check. The Gradescope image runs it
when it is built, so a broken image fails then, not when students submit.
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from autograder.core.manifest import NOT_PROVIDED
from autograder.results import Results
from autograder.core.problemset import ProblemSet, ProblemSetError, add_option, chosen
from autograder.tools.release import framework_dependencies


TIMEOUT = 1200  # seconds: twice the default time budget of a grading run, with room for start-up


def versions(problemset: ProblemSet) -> str:
    """The installed version of every library the framework and the problem set depend on, on
    this Python (a requirement whose marker excludes it, like tomli's on 3.11, is left out)."""
    found = []
    requirements = [Requirement(r) for r in [*problemset.dependencies, *framework_dependencies()]]
    names = [r.name for r in requirements if r.marker is None or r.marker.evaluate()]
    for name in dict.fromkeys(names):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} missing")
    return ", ".join(found)


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.tools.selfcheck", description=__doc__.split("\n\n")[0])
    add_option(parser)
    args = parser.parse_args(argv)
    try:
        problemset = chosen(args)
    except ProblemSetError as exc:
        print(f"check: {exc}", file=sys.stderr)
        return 2
    print(f"machine: {platform.machine()}, {cpu()}, Python {platform.python_version()}, {versions(problemset)}")
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
        results = Path(tmp) / "results.json"
        try:  # the grading ends within its time budget; this is for a machine where it cannot
            proc = subprocess.run([sys.executable, "-m", "pytest", "--target=solutions", f"--results-json={results}",
                                   "--report=", "-q", "-p", "no:cacheprovider"], cwd=problemset.root,
                                  capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"FAILED: the grading did not finish in {TIMEOUT} s")
            return 1
        if not results.is_file():
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            print(f"FAILED: the grading did not finish: {lines[-1] if lines else proc.returncode}")
            return 1
        data = Results.read(results)
    possible = problemset.points
    failed = [t for t in data.tests if t.status != "passed"]
    measured = [line for line in proc.stdout.splitlines() if line.startswith("sandbox: ")]  # the tutor's line
    print(measured[-1] if measured else data.output)
    not_graded = data.not_graded
    missing = [t for t in not_graded if t["reason"].startswith(NOT_PROVIDED)]
    if missing:
        print(f"missing reference data: {len(missing)} check(s) are not graded, at no cost to students, until "
              "the course provides it (pytest --target=solutions --regen-all, see README):")
    for test in not_graded:
        print(f"  not graded {test['number']} {test['name']}: {test['reason']}")
    for test in failed:
        print(f"  failed {test.number} {test.name}: {test.output}")
    if failed or abs(data.score - possible) > 1e-6:
        print(f"FAILED: the reference gets {data.score:g} / {possible:g} here; do not grade students on this "
              "machine until this is fixed (see README, 'Same verdict everywhere')")
        return 1
    print(f"OK: the reference gets {data.score:g} / {possible:g} on this machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
