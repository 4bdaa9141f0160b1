"""Start a problem set, or add an exercise to one, in a state that grades out of the box.

    python -m autograder.tools.scaffold problemset DIR --title "Problem set 7" [--subject TEXT]
    python -m autograder.tools.scaffold exercise N --title TITLE --file NAME.py [--function NAME]
                                  [--stars S | --points P] [--problemset DIR]
    python -m autograder.tools.scaffold tables [--check] [--problemset DIR]

``problemset`` makes DIR with problemset.toml, pytest.ini, conftest.py, a student README and the
folders, and adds a placeholder exercise 1 (so that the new problem set grades at once);
``exercise 1 ...`` replaces that placeholder while it is untouched. ``exercise`` adds exercise N to the problem set: its entry in
problemset.toml, a solution with one marked function (in NAME.py, new or existing), the skeleton
made from it, a grader comparing the function's result with the reference, and the reference data
(made by the solution, as ``pytest --target=solutions --regen-all`` makes it). Then the solutions
get full marks and the skeleton fails with "not implemented": replace the example function, its
test and its reference with the real ones (docs/maintainers.md says how). ``tables`` (also run by
``exercise``) rewrites the exercise tables of the problem set's README.md, between their markers.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.core.problemset import FILE, ProblemSet, ProblemSetError, add_option, find
from autograder.tools.skeletons import skeleton_of

PROBLEMSET_TOML = '''# {title}: what the autograder needs to know about it (see docs/maintainers.md).

[problemset]
title = "{title}"
subject = "{subject}"
points_per_star = 10
preload = ["numpy", "matplotlib.pyplot"]  # imported once per run by the process workers are forked from
dependencies = []  # what the exercises need besides the framework's own (numpy, matplotlib, pillow)
student_readme = "student-README.md"
'''
PYTEST_INI = "[pytest]\ntestpaths = tests graders\naddopts = -p no:cacheprovider\n"
CONFTEST = '# The grading framework is a pytest plugin; this folder is a problem set (problemset.toml).\n' \
           'pytest_plugins = ("autograder.plugin",)\n'
STUDENT_README = '''# {title}: coding exercises and their graders

Your files are in `skeletons/`. Fill in the parts marked `# TODO`, then grade them here.

## Set up (once)

You need Python 3.10 or newer. In a terminal, in this folder:

```bash
python3 -m venv .venv
source .venv/bin/activate
{{{{#torch}}}}pip install --isolated {{{{torch}}}} --index-url https://download.pytorch.org/whl/cpu
{{{{/torch}}}}pip install -e .
```

On Windows, type `python` for `python3`, and `.venv\\Scripts\\activate` for the second line.
{{{{#torch}}}}
The third line installs PyTorch's CPU-only build from PyTorch's own index (the exercises need no
GPU, and it is a fraction of the size of the default build). If it fails, go on with the next
line: it then takes torch from PyPI, which works as well but is much larger.
{{{{/torch}}}}
## Grade your files

In every new terminal, activate the environment first, then, in this folder:

```bash
pytest --target=skeletons
```

Every failing test says in one line what is wrong, or which function is still to fill in;
`reports/report.html` shows every test.

## Hand in

Hand in {{{{student_files}}}}, with their names unchanged, as your course asks (a zip of
`skeletons/` is fine): the grader finds them at any depth.
'''
SOLUTION = '''"""Exercise {number}: {title}.

Fill in the parts marked ``# TODO``.
"""
import numpy as np
'''
FUNCTION = '''

def {function}(x: np.ndarray) -> np.ndarray:
    """An example to replace: twice ``x``."""
    # TODO: return twice x.
    # BEGIN SOLUTION
    return 2 * np.asarray(x, dtype=np.float64)
    # END SOLUTION
'''
GRADER = '''"""Exercise {number}: {title}. An example grader to replace (see docs/maintainers.md)."""
import numpy as np


def test_{function}_matches_the_reference(student, reference):
    x = np.linspace(-1.0, 1.0, 7)
    reference.arrays({{"out": student.{function}(x)}}, "{function}", what="{function}(x)", atol=1e-12,
                     dtype="floating")
'''


class ScaffoldError(Exception):
    """One line for the maintainer: what could not be written, and why."""


TABLES = ("<!-- the exercise tables: made from problemset.toml by python -m autograder.tools.scaffold tables -->",
          "<!-- end of the exercise tables -->")


def tables(problemset: ProblemSet) -> str:
    """The README's exercise tables: points (and stars, where the points come from stars), files."""
    exercises = list(problemset.exercises.values())
    lines = ["| exercise | " + " | ".join(str(ex.number) for ex in exercises) + " | total |",
             "| --- |" + " --- |" * (len(exercises) + 1)]
    if all(ex.stars is not None for ex in exercises):
        lines.append("| stars | " + " | ".join(str(ex.stars) for ex in exercises) + " | |")
    lines += ["| points | " + " | ".join(f"{ex.points:g}" for ex in exercises) + f" | {problemset.points:g} |", "",
              "| exercise | student file | provided files |", "| --- | --- | --- |"]
    lines += [f"| {ex.number} {ex.title} | `{ex.student_file}` |" + "".join(f" {', '.join(f'`{n}`' for n in ex.provided)}"
                                                                         for _ in ex.provided[:1]) + " |"
              for ex in exercises]
    return "\n".join(lines)


def readme_tables(folder: Path, write: bool = True) -> bool:
    """Whether the problem set's README.md (if it has the tables' markers) holds the current
    tables; with ``write``, make it so. True when there is nothing to do."""
    readme = folder / "README.md"
    text = readme.read_text() if readme.is_file() else ""
    if TABLES[0] not in text or TABLES[1] not in text:
        return True
    head, rest = text.split(TABLES[0], 1)
    current = f"{TABLES[0]}\n{tables(ProblemSet.load(folder))}\n{TABLES[1]}"
    new = head + current + rest.split(TABLES[1], 1)[1]
    if new == text:
        return True
    if write:
        readme.write_text(new)
    return False


def new_problemset(folder: Path, title: str, subject: str = "") -> None:
    if (folder / FILE).exists():
        raise ScaffoldError(f"{folder / FILE} exists already: add exercises with 'scaffold exercise'")
    for sub in ("skeletons", "solutions", "graders", "fixtures", "tests"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / FILE).write_text(PROBLEMSET_TOML.format(title=title, subject=subject))
    (folder / "pytest.ini").write_text(PYTEST_INI)
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "student-README.md").write_text(STUDENT_README.format(title=title))
    (folder / "README.md").write_text(f"# {title}: for tutors\n\n{TABLES[0]}\n{TABLES[1]}\n")


PLACEHOLDER = (1, "First exercise", "exercise1.py")  # what ``problemset`` adds: number, title, file


def _entry(number: int, title: str, file: str, worth: str) -> str:
    return f'\n[[exercise]]\nnumber = {number}\ntitle = "{title}"\nfile = "{file}"\n{worth}\n'


def _grader(folder: Path, number: int, title: str, function: str) -> Path:
    topic = re.sub(r"\W+", "_", title.lower()).strip("_") or function
    return folder / "graders" / f"test_ex{number}_{topic}.py"


def remove_placeholder(folder: Path) -> bool:
    """Take the placeholder exercise out of the problem set, if it is there as ``problemset``
    wrote it (its entry, solution, skeleton and grader untouched); True when it was."""
    number, title, file = PLACEHOLDER
    function = file.removesuffix(".py")
    toml, solution = folder / FILE, folder / "solutions" / file
    entry = _entry(number, title, file, "stars = 1")
    made = SOLUTION.format(number=number, title=title) + FUNCTION.format(function=function)
    grader = _grader(folder, number, title, function)
    untouched = (entry in toml.read_text() and solution.is_file() and solution.read_text() == made
                 and grader.is_file() and grader.read_text() == GRADER.format(number=number, title=title, function=function))
    if not untouched:
        return False
    toml.write_text(toml.read_text().replace(entry, "", 1))
    for path in (solution, folder / "skeletons" / file, grader):
        path.unlink(missing_ok=True)
    shutil.rmtree(folder / "fixtures" / f"ex{number}", ignore_errors=True)
    return True


def new_exercise(folder: Path, number: int, title: str, file: str, function: str | None = None,
                 stars: int | None = None, points: float | None = None) -> list[str]:
    """Add exercise ``number`` (in place of the untouched placeholder, for exercise 1); returns the
    files written."""
    folder = folder.resolve()
    problemset = ProblemSet.load(folder)
    if number in problemset.exercises and not (number == PLACEHOLDER[0] and remove_placeholder(folder)):
        raise ScaffoldError(f"exercise {number} is in {folder / FILE} already")
    if not re.fullmatch(r"[A-Za-z_]\w*\.py", file):
        raise ScaffoldError(f"--file {file}: a student file is a Python module name ending in .py")
    function = function or file.removesuffix(".py")
    worth = f"points = {points:g}" if points is not None else f"stars = {stars or 1}"
    with open(folder / FILE, "a") as toml:
        toml.write(_entry(number, title, file, worth))
    solution = folder / "solutions" / file
    text = solution.read_text() if solution.is_file() else SOLUTION.format(number=number, title=title)
    if re.search(rf"^def {function}\(", text, re.M):
        raise ScaffoldError(f"{solution} has a function {function} already: choose another with --function")
    solution.write_text(text + FUNCTION.format(function=function))
    (folder / "skeletons" / file).write_text(skeleton_of(solution.read_text(), f"solutions/{file}"))
    grader = _grader(folder, number, title, function)
    grader.write_text(GRADER.format(number=number, title=title, function=function))
    regenerate = subprocess.run([sys.executable, "-m", "pytest", "--target=solutions", "--regen-all", "--report=",
                                 "-q", str(grader)], cwd=folder, capture_output=True, text=True)
    if regenerate.returncode != 0:
        raise ScaffoldError(f"the reference data of exercise {number} could not be made: "
                            f"{(regenerate.stdout.strip().splitlines() or ['pytest failed'])[-1]}")
    written = [str(p.relative_to(folder)) for p in (solution, folder / "skeletons" / file, grader)] + [f"fixtures/ex{number}/"]
    return written + ([] if readme_tables(folder) else ["README.md (its exercise tables)"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.tools.scaffold", description=__doc__.split("\n\n")[0])
    kinds = parser.add_subparsers(dest="kind", required=True)
    ps = kinds.add_parser("problemset", help="start a problem set in a new folder")
    ps.add_argument("folder", type=Path)
    ps.add_argument("--title", required=True)
    ps.add_argument("--subject", default="")
    ex = kinds.add_parser("exercise", help="add an exercise to the problem set")
    ex.add_argument("number", type=int)
    ex.add_argument("--title", required=True)
    ex.add_argument("--file", required=True, help="the student file, e.g. ridge.py")
    ex.add_argument("--function", default=None, help="the example function's name (default: the file's)")
    worth = ex.add_mutually_exclusive_group()
    worth.add_argument("--stars", type=int, default=None)
    worth.add_argument("--points", type=float, default=None)
    add_option(ex)
    tb = kinds.add_parser("tables", help="rewrite the exercise tables of the problem set's README.md from "
                          "problemset.toml (between their markers)")
    tb.add_argument("--check", action="store_true", help="only say whether they are current (exit 1 if not)")
    add_option(tb)
    args = parser.parse_args(argv)
    try:
        if args.kind == "tables":
            folder = args.problemset or find()
            current = readme_tables(folder, write=not args.check)
            print(f"{folder / 'README.md'}: the exercise tables " + ("are current" if current else
                  "are not problemset.toml's: run python -m autograder.tools.scaffold tables" if args.check else "rewritten"))
            return 1 if args.check and not current else 0
        if args.kind == "problemset":
            new_problemset(args.folder, args.title, args.subject)
            written = new_exercise(args.folder, *PLACEHOLDER)
            print(f"wrote {args.folder}: problemset.toml, pytest.ini, conftest.py, student-README.md, {', '.join(written)}")
        else:
            folder = args.problemset or find()
            written = new_exercise(folder, args.number, args.title, args.file, args.function, args.stars, args.points)
            print(f"wrote {', '.join(written)} in {folder}")
    except (ScaffoldError, ProblemSetError, OSError) as exc:
        print(f"scaffold: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
