"""Build what a course hands out for a problem set, from committed files only.

    python -m autograder.tools.release student OUT.zip      # what students get
    python -m autograder.tools.release gradescope OUT.zip   # Gradescope's autograder zip
    python -m autograder.tools.release classroom50 OUT.zip  # a Classroom 50 autograder bundle

Run inside a problem set's folder (or name it with ``--problemset DIR``). Every package holds the
framework (``autograder/``), the problem set's ``problemset.toml``, ``pytest.ini`` and
``conftest.py``, and a ``pyproject.toml`` made for it (the framework's dependencies and the
problem set's):

- the student package: the skeletons (student and provided files), the public graders and their
  reference data, the framework without the tutors' tools, the problem set's student README and a
  GitHub Actions workflow. No solutions, no hidden graders or their data;
- the Gradescope zip: the graders (hidden ones included) and reference data, setup.sh and
  run_autograder, and the reference solutions for setup.sh's self-check (it deletes them before
  any submission is graded);
- the Classroom 50 bundle: what Gradescope's zip holds but the solutions, with ``autograder.py``,
  which Classroom 50's runner calls in the student's checkout.

Hidden graders are the files named ``graders/test_ex<N>_hidden_*.py``; their reference data is
``fixtures/ex<N>/hidden_*``. The added files' templates are in ``autograder/tools/templates/``. A changed
or untracked file among those a package ships is refused with one line naming it, so a tutor's
filled-in skeleton never ships.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from autograder.core.diagnosis import RECORDED
from autograder.core.problemset import ProblemSet, ProblemSetError, add_option, chosen, tomllib

FRAMEWORK = Path(__file__).resolve().parent.parent  # the autograder package
DISTRIBUTION = "course-autograder"
PROBLEM_SET = ["problemset.toml", "pytest.ini", "conftest.py", "skeletons/*", "graders/*.py",
               "fixtures/MANIFEST.sha256", "fixtures/ex*/*"]
SOLUTIONS = ["solutions/*"]
# The framework in its rooms: the grader API and the plugin at the top, the run core, the tutor's
# tools (with the packages' templates). A student gets the first two; the tutor's packages all three.
GRADING = ["autograder/*.py", "autograder/core/*.py"]
TOOLS = ["autograder/tools/*.py", "autograder/tools/templates/*/*"]
STUDENT_GITIGNORE = ".venv/\nreports/\n__pycache__/\n*.egg-info/\nresults.json\n"


class ReleaseError(Exception):
    """A package that must not be built; the message is one line for the tutor."""


def _matches(relative: str, patterns: list[str]) -> bool:
    return any(relative.count("/") == p.count("/") and Path(relative).match(p) for p in patterns)


def _git(folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)
    except FileNotFoundError:
        raise ReleaseError("git is not installed: a package is built from committed files") from None
    if done.returncode != 0:
        raise ReleaseError(f"{folder} is not in a git checkout: a package is built from committed files "
                           f"({(done.stderr.strip().splitlines() or ['git failed'])[-1]})")
    return done.stdout


def committed_files(folder: Path, patterns: list[str]) -> dict[str, Path]:
    """The files under ``folder`` that git tracks and ``patterns`` match, by their path in
    ``folder``; refused when one of the files they cover differs from the last commit or is not
    committed."""
    prefix = _git(folder, "rev-parse", "--show-prefix").strip()  # folder's path in the repository
    tracked = [p[len(prefix):] for p in _git(folder, "ls-files", "-z", "--full-name").split("\0")
               if p.startswith(prefix)]
    entries = iter(_git(folder, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".").split("\0"))
    for entry in entries:
        state, path = entry[:2], entry[3:]
        if "R" in state or "C" in state:
            next(entries, None)  # a rename's second path is its old name
        if path.startswith(prefix) and _matches(path[len(prefix):], patterns):
            what = "is not committed" if state == "??" else "has uncommitted changes"
            raise ReleaseError(f"{path} {what}: a package is built from committed files only "
                               "(commit it, or stash or remove it, and build again)")
    return {rel: folder / rel for rel in sorted(tracked) if _matches(rel, patterns)}


def framework_files(rooms: list[str]) -> dict[str, Path]:
    """The framework's files in ``rooms`` (:data:`GRADING`, :data:`TOOLS`): committed ones where it
    is a checkout, else as installed."""
    try:
        return committed_files(FRAMEWORK.parent, rooms)
    except ReleaseError as exc:
        if "not in a git checkout" not in str(exc):
            raise
    return {p.relative_to(FRAMEWORK.parent).as_posix(): p for p in sorted(FRAMEWORK.rglob("*"))
            if p.is_file() and _matches(p.relative_to(FRAMEWORK.parent).as_posix(), rooms)}


TORCH = {"torch", "torchvision", "torchaudio"}  # what PyTorch's CPU-only index serves


def torch_packages(problemset: ProblemSet) -> list[str]:
    """The problem set's dependencies that PyTorch's CPU-only index serves (by their names)."""
    names = [re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].strip().lower() for d in problemset.dependencies]
    return [name for name in names if name in TORCH]


def render(template: str, problemset: ProblemSet) -> str:
    """A template (or a student README) filled for the problem set: ``{{torch}}`` is its PyTorch
    packages; the lines between ``{{#torch}}`` and ``{{/torch}}`` are kept only when it has some,
    those between ``{{^torch}}`` and ``{{/torch}}`` only when it has none (a numpy-only problem
    set's students install no torch); ``{{student_files}}`` the files students hand in."""
    packages = " ".join(torch_packages(problemset))
    text = re.sub(r"\{\{#torch\}\}(.*?)\{\{/torch\}\}", lambda m: m.group(1) if packages else "", template, flags=re.S)
    text = re.sub(r"\{\{\^torch\}\}(.*?)\{\{/torch\}\}", lambda m: "" if packages else m.group(1), text, flags=re.S)
    files = ", ".join(f"`{name}`" for name in problemset.student_files)
    return text.replace("{{torch}}", packages).replace("{{student_files}}", files)


def framework_dependencies() -> list[str]:
    """The framework's own requirements (not its extras): from its pyproject.toml in this
    repository, else those of the installed distribution that holds it (a package's: the
    framework's and its problem set's), else none known."""
    source = FRAMEWORK.parent / "pyproject.toml"
    if source.is_file():
        project = tomllib.loads(source.read_text()).get("project", {})
        if project.get("name") == DISTRIBUTION:
            return list(project.get("dependencies", []))
    for name in metadata.packages_distributions().get("autograder", [DISTRIBUTION]):
        try:
            return [r for r in metadata.requires(name) or [] if "extra ==" not in r]
        except metadata.PackageNotFoundError:
            continue
    return []


def pyproject(problemset: ProblemSet, tools: bool) -> str:
    """The package's pyproject.toml: the framework's rooms it ships (``tools``: the tutor's too)
    and its dependencies and the problem set's."""
    name = re.sub(r"[^a-z0-9]+", "-", problemset.title.lower()).strip("-") or "problem-set"
    dependencies = "".join(f'    "{d}",\n' for d in [*framework_dependencies(), *problemset.dependencies])
    packages = ", ".join(f'"{p}"' for p in ["autograder", "autograder.core", *(["autograder.tools"] if tools else [])])
    return (f'[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "{name}"\nversion = "1"\ndescription = "{problemset.title}: {problemset.subject}"\n'
            f'requires-python = ">=3.10"\ndependencies = [\n{dependencies}]\n\n'
            f'[tool.setuptools]\npackages = [{packages}]\n')


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


class Package:
    """The files of one package: the framework's rooms it ships and the problem set's files, and
    the files it adds (made from the templates of autograder/tools/templates/ for the problem set)."""

    def __init__(self, problemset: ProblemSet, patterns: list[str], rooms: list[str]):
        self.problemset = problemset
        for required in ("pytest.ini", "conftest.py"):
            if not (problemset.root / required).is_file():
                raise ReleaseError(f"{problemset.root / required} is missing: a problem set's packages ship it")
        self.files = framework_files(rooms)
        self.files.update(committed_files(problemset.root, patterns))
        self.extra: dict[str, tuple[str | bytes, int]] = {
            "pyproject.toml": (pyproject(problemset, tools=rooms == GRADING + TOOLS), 0o644)}

    def template(self, name: str, mode: int = 0o644) -> tuple[str, int]:
        return render((FRAMEWORK / "tools" / "templates" / name).read_text(), self.problemset), mode

    def write(self, out: Path) -> None:
        write_zip(out, self.files, self.extra)


def _manifest_of(files: dict[str, Path], added: dict[str, bytes] = {}) -> str:  # noqa: B006 - read only
    """fixtures/MANIFEST.sha256 restricted to the reference files that ship, with ``added`` ones."""
    if "fixtures/MANIFEST.sha256" not in files:
        raise ReleaseError("fixtures/MANIFEST.sha256 is not committed: make the reference data with "
                           "pytest --target=solutions --regen-all, and commit it")
    lines = files["fixtures/MANIFEST.sha256"].read_text().splitlines()
    lines = [line for line in lines if f"fixtures/{line.partition('  ')[2]}" in files]
    lines += [f"{hashlib.sha256(data).hexdigest()}  {rel.removeprefix('fixtures/')}" for rel, data in added.items()]
    return "".join(f"{line}\n" for line in sorted(lines, key=lambda line: line.partition("  ")[2]))


def recorded_mistakes(problemset: ProblemSet, graders: list[str]) -> dict[str, bytes]:
    """The known mistakes' results on every call of the public ``graders`` (their paths in the
    problem set), recorded by grading the committed reference solutions (autograder.core.recording):
    {"fixtures/ex<N>/known_mistakes.npz": its bytes}."""
    committed_files(problemset.root, SOLUTIONS)  # the data is theirs: refused while they differ from the commit
    with tempfile.TemporaryDirectory(prefix="autograder-record-") as tmp:
        done = subprocess.run([sys.executable, "-m", "pytest", "--target=solutions", f"--record={tmp}", "--report=",
                               "-q", "-p", "no:cacheprovider", *graders], cwd=problemset.root, capture_output=True,
                              text=True, timeout=1800)
        if done.returncode not in (0, 1) or not (Path(tmp) / "calls.npz").is_file():
            last = (done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}").splitlines()[-1]
            raise ReleaseError(f"recording the known mistakes' results failed: {last}")
        return {f"fixtures/{p.relative_to(tmp).as_posix()}": p.read_bytes()
                for p in sorted(Path(tmp).glob(f"ex*/{RECORDED}"))}


def build_student(problemset: ProblemSet, out: Path) -> None:
    package = Package(problemset, PROBLEM_SET, GRADING)
    if problemset.student_readme is None:
        raise ReleaseError(f"{problemset.root / 'problemset.toml'}: no student_readme for the student package")
    readme = committed_files(problemset.root, [problemset.student_readme.relative_to(problemset.root).as_posix()])
    package.files = {rel: path for rel, path in package.files.items() if not problemset.judge_only(rel)}
    recorded = recorded_mistakes(problemset, [rel for rel in package.files if problemset.exercise_of(rel)
                                              and rel.startswith("graders/")])
    package.extra.update({
        "README.md": (render(next(iter(readme.values())).read_text(), problemset), 0o644),
        ".github/workflows/grade.yml": package.template("student/grade.yml"),
        ".gitignore": (STUDENT_GITIGNORE, 0o644),
        "fixtures/MANIFEST.sha256": (_manifest_of(package.files, recorded), 0o644),
        "pytest.ini": (_grading_the_skeletons(package.files["pytest.ini"].read_text()), 0o644),
        **{rel: (data, 0o644) for rel, data in recorded.items()},
    })
    package.write(out)


def _grading_the_skeletons(ini: str) -> str:
    """The student package's pytest.ini: plain ``pytest`` grades the student's files."""
    lines = ini.splitlines()
    at = next((i + 1 for i, line in enumerate(lines) if line.strip() == "[pytest]"), None)
    if at is None:
        lines, at = [*lines, "[pytest]"], len(lines) + 1
    lines[at:at] = ["# plain `pytest` grades your files in skeletons/, as pytest --target=skeletons does",
                    "target = skeletons"]
    return "\n".join(lines) + "\n"


def build_gradescope(problemset: ProblemSet, out: Path) -> None:
    package = Package(problemset, PROBLEM_SET + SOLUTIONS, GRADING + TOOLS)
    package.extra.update({
        "README.md": package.template("gradescope/README.md"),
        "setup.sh": package.template("gradescope/setup.sh", 0o755),
        "run_autograder": package.template("gradescope/run_autograder", 0o755),
    })
    package.write(out)


def build_classroom50(problemset: ProblemSet, out: Path) -> None:
    package = Package(problemset, PROBLEM_SET, GRADING + TOOLS)
    package.extra.update({
        "README.md": package.template("classroom50/README.md"),
        "autograder.py": package.template("classroom50/autograder.py", 0o755),
    })
    package.write(out)


BUILDERS = {"student": build_student, "gradescope": build_gradescope, "classroom50": build_classroom50}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.tools.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=list(BUILDERS))
    parser.add_argument("out", type=Path)
    add_option(parser)
    args = parser.parse_args(argv)
    try:
        problemset = chosen(args)
        BUILDERS[args.kind](problemset, args.out)
    except (ReleaseError, ProblemSetError) as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
