"""Build what a course hands out, from the project's committed files only.

    python -m autograder.release student OUT.zip      # what students get
    python -m autograder.release gradescope OUT.zip   # Gradescope's autograder zip
    python -m autograder.release classroom50 OUT.zip  # a Classroom 50 autograder bundle

- The student package: the skeletons (student and provided files), the public graders and their
  reference data, the framework without the tutors' tools, conftest.py, pyproject.toml, a student
  README and a GitHub Actions workflow. No solutions, no hidden graders or their data.
- The Gradescope zip: everything the autograder needs (hidden graders included), setup.sh and
  run_autograder, and the reference solutions for setup.sh's self-check (it deletes them before
  any submission is graded).
- The Classroom 50 bundle: what Gradescope's zip holds but the solutions, with ``autograder.py``,
  which Classroom 50's runner calls in the student's checkout; it grades the checkout's
  ``skeletons/`` with the bundle's own framework and graders and writes ``result.json``.

Hidden graders are the files named ``graders/test_ex<N>_hidden_*.py``; their reference data is
``fixtures/ex<N>/hidden_*``. Templates of the added files are in ``autograder/templates/``.
A package is built from what git has committed: a changed or untracked file under a shipped
folder is refused with one line naming it, so a tutor's filled-in skeleton never ships.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder.exercises import ROOT

SHIPPED = ["autograder/*.py", "conftest.py", "pyproject.toml", "skeletons/*", "graders/*.py",
           "fixtures/MANIFEST.sha256", "fixtures/ex*/*"]
SOLUTIONS = ["solutions/*"]
ADDED = ["autograder/templates/*/*"]  # the templates of the files each package adds
TUTOR_ONLY = {"autograder/batch.py", "autograder/check.py", "autograder/release.py", "autograder/classroom50.py"}
STUDENT_GITIGNORE = ".venv/\nreports/\n__pycache__/\n*.egg-info/\nresults.json\n"


class ReleaseError(Exception):
    """A package that must not be built; the message is one line for the tutor."""


def is_hidden(relative: str) -> bool:
    name = Path(relative).name
    return name.startswith("test_ex") and "_hidden_" in name or name.startswith("hidden_")


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    except FileNotFoundError:
        raise ReleaseError("git is not installed: a package is built from the project's committed files") from None
    if done.returncode != 0:
        raise ReleaseError(f"{ROOT} is not a git checkout: a package is built from the project's committed files "
                           f"({done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'git failed'})")
    return done.stdout


def _matches(relative: str, patterns: list[str]) -> bool:
    return any(relative.count("/") == p.count("/") and Path(relative).match(p) for p in patterns)


def committed_files(patterns: list[str]) -> dict[str, Path]:
    """The files git tracks that match ``patterns`` (and the templates); refused when any file
    they cover differs from the last commit or is not committed yet."""
    patterns = patterns + ADDED
    tracked = [rel for rel in _git("ls-files", "-z").split("\0") if rel and _matches(rel, patterns)]
    entries = iter(_git("status", "--porcelain", "-z", "--untracked-files=all").split("\0"))
    for entry in entries:
        state, path = entry[:2], entry[3:]
        if "R" in state or "C" in state:
            next(entries, None)  # a rename's second path is its old name
        if path and _matches(path, patterns):
            what = "is not committed" if state == "??" else "has uncommitted changes"
            raise ReleaseError(f"{path} {what}: a package is built from committed files only "
                               "(commit it, or stash or remove it, and build again)")
    return {rel: ROOT / rel for rel in sorted(tracked)}


def _manifest_of(files: dict[str, Path]) -> str:
    """fixtures/MANIFEST.sha256 restricted to the reference files that ship."""
    lines = (ROOT / "fixtures" / "MANIFEST.sha256").read_text().splitlines()
    return "".join(f"{line}\n" for line in lines if f"fixtures/{line.partition('  ')[2]}" in files)


def write_zip(out: Path, files: dict[str, Path], extra: dict[str, tuple[str | bytes, int]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for relative, path in files.items():
            if relative not in extra:
                z.write(path, relative)
        for relative, (data, mode) in extra.items():
            info = zipfile.ZipInfo(relative)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def _template(files: dict[str, Path], name: str, mode: int = 0o644) -> tuple[str, int]:
    return files[f"autograder/templates/{name}"].read_text(), mode


def _shipped(files: dict[str, Path]) -> dict[str, Path]:
    return {rel: path for rel, path in files.items() if not _matches(rel, ADDED)}


def build_student(out: Path) -> None:
    files = committed_files(SHIPPED)
    shipped = {rel: path for rel, path in _shipped(files).items() if not is_hidden(rel) and rel not in TUTOR_ONLY}
    write_zip(out, shipped, {
        "README.md": _template(files, "student/README.md"),
        ".github/workflows/grade.yml": _template(files, "student/grade.yml"),
        ".gitignore": (STUDENT_GITIGNORE, 0o644),
        "fixtures/MANIFEST.sha256": (_manifest_of(shipped), 0o644),
    })


def build_gradescope(out: Path) -> None:
    files = committed_files(SHIPPED + SOLUTIONS)
    write_zip(out, _shipped(files), {
        "README.md": _template(files, "gradescope/README.md"),
        "setup.sh": _template(files, "gradescope/setup.sh", 0o755),
        "run_autograder": _template(files, "gradescope/run_autograder", 0o755),
    })


def build_classroom50(out: Path) -> None:
    files = committed_files(SHIPPED)
    write_zip(out, _shipped(files), {
        "README.md": _template(files, "classroom50/README.md"),
        "autograder.py": _template(files, "classroom50/autograder.py", 0o755),
    })


BUILDERS = {"student": build_student, "gradescope": build_gradescope, "classroom50": build_classroom50}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=list(BUILDERS))
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    try:
        BUILDERS[args.kind](args.out)
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
