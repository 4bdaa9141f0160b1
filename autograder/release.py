"""Build what a course hands out: the student package and the Gradescope autograder.

    python -m autograder.release student OUT.zip      # what students get
    python -m autograder.release gradescope OUT.zip   # Gradescope's autograder zip

The student package holds the skeletons (student files and provided files), the public graders
and their reference data, the framework, conftest.py, pyproject.toml, a student README and a
GitHub Classroom workflow; never the solutions or hidden graders. Hidden graders are the files
named ``graders/test_ex<N>_hidden_*.py``; their reference data is ``fixtures/ex<N>/hidden_*``.
The Gradescope zip holds everything the autograder needs (hidden graders included, solutions
not), with setup.sh and run_autograder.
"""
from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from autograder.exercises import ROOT

FRAMEWORK = ["autograder/*.py", "conftest.py", "pyproject.toml", "skeletons/*", "graders/*.py",
             "fixtures/MANIFEST.sha256", "fixtures/ex*/*"]


def is_hidden(relative: str) -> bool:
    name = Path(relative).name
    return name.startswith("test_ex") and "_hidden_" in name or name.startswith("hidden_")


def project_files(include_hidden: bool) -> dict[str, Path]:
    files = {}
    for pattern in FRAMEWORK:
        for path in sorted(ROOT.glob(pattern)):
            relative = path.relative_to(ROOT).as_posix()
            if path.is_file() and "__pycache__" not in relative and (include_hidden or not is_hidden(relative)):
                files[relative] = path
    return files


STUDENT_README = """# Problem set 5: coding exercises and their graders

Fill in the `# TODO` parts of the files in `skeletons/`, then grade them:

```bash
pip install -e .              # once: torch, torchvision and the grader's libraries
pytest --target=skeletons     # grade your files; reports/report.html shows the details
```

Each failing test says in one line what is wrong (or which function is still to fill in); the
HTML report shows your pictures beside the expected ones. Run `python iter_maxpool.py` (and the
other files) inside `skeletons/` to draw the plots of the exercises.
"""

CLASSROOM_WORKFLOW = """name: grade
on: [push, workflow_dispatch]
jobs:
  grade:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -e .
      - run: pytest --target=skeletons --results-json=results.json
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: grading-report
          path: |
            reports/report.html
            results.json
"""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope: install the autograder (runs once, when the image is built).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PS5_PYTHON:-python3}"
# torch's CPU-only wheels (no CUDA libraries: a smaller image and a smaller import) where the image
# can reach PyTorch's CPU wheel index; PS5_TORCH_INDEX names another index, or "pypi" to skip this.
INDEX="${PS5_TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"
if [ "$INDEX" != pypi ]; then
    "$PYTHON" -m pip install torch torchvision --index-url "$INDEX" \\
        || echo "setup.sh: $INDEX not reachable; torch comes from PyPI with the project"
fi
"$PYTHON" -m pip install -e .
"$PYTHON" -c 'import sys; print(sys.executable)' > .python  # run_autograder uses this interpreter
# Reference data and graders readable by root only: the workers (nobody) cannot open them even
# where the container allows no mount namespace. The judge measures this again at every run.
chown -R root:root fixtures graders
chmod -R go-rwx fixtures graders
# Does this image grade the reference at full marks? A broken image fails here, not on students.
"$PYTHON" -m autograder.check
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope: grade /autograder/submission into /autograder/results/results.json.
# PS5_AUTOGRADER_ROOT replaces /autograder (for tests).
set -uo pipefail
ROOT="${PS5_AUTOGRADER_ROOT:-/autograder}"
cd "$(dirname "$0")"
PYTHON="$(cat .python 2>/dev/null || command -v python3)"  # the interpreter setup.sh installed into
mkdir -p "$ROOT/results"
"$PYTHON" -m pytest --target="$ROOT/submission" --results-json="$ROOT/results/results.json" \\
    --report="$ROOT/results/report.html" -q -p no:cacheprovider > "$ROOT/results/output.txt" 2>&1
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then  # nothing gradeable: say so in Gradescope's format
    "$PYTHON" - "$ROOT/results/results.json" "$ROOT/results/output.txt" <<'EOF_PY'
import json, sys
message = open(sys.argv[2]).read().strip().splitlines()
json.dump({"score": 0, "output": message[-1] if message else "grading failed", "tests": []}, open(sys.argv[1], "w"))
EOF_PY
fi
exit 0  # Gradescope reads results.json; a failing test is not a failing autograder ($status)
"""


def write_zip(out: Path, files: dict[str, Path], extra: dict[str, tuple[str, int]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for relative, path in files.items():
            z.write(path, relative)
        for relative, (text, mode) in extra.items():
            info = zipfile.ZipInfo(relative)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)


def build_student(out: Path) -> None:
    write_zip(out, project_files(include_hidden=False), {
        "README.md": (STUDENT_README, 0o644),
        ".github/workflows/grade.yml": (CLASSROOM_WORKFLOW, 0o644),
    })


def build_gradescope(out: Path) -> None:
    write_zip(out, project_files(include_hidden=True), {
        "README.md": ("Problem set 5 autograder for Gradescope: setup.sh, run_autograder.\n", 0o644),
        "setup.sh": (SETUP_SH, 0o755),
        "run_autograder": (RUN_AUTOGRADER, 0o755),
    })


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["student", "gradescope"])
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    (build_student if args.kind == "student" else build_gradescope)(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
