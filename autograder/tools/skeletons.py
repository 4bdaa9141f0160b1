"""Skeletons made from the solutions: one source, two versions (as nbgrader and Otter do).

In a solution file, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` (comment lines
indented like the code they hold) are the answer. The skeleton replaces them with
``raise NotImplementedError("<name>")``, named after the function (``Class.method`` for a method)
they sit in; everything else, the ``# TODO`` comment above the markers included, is the same in
both files. The committed skeletons are what students get and what ``--target=skeletons`` grades:

    python -m autograder.tools.skeletons            # write skeletons/ from solutions/
    python -m autograder.tools.skeletons --check    # exit 1, one line per file, where they differ
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"


class MarkerError(ValueError):
    """A solution whose markers do not pair up, or sit outside a function."""


def _functions(tree: ast.AST, prefix: str = "") -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function, innermost last."""
    found = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node.lineno, node.end_lineno, prefix + node.name))
            found += _functions(node, prefix + node.name + ".")
        elif isinstance(node, ast.ClassDef):
            found += _functions(node, prefix + node.name + ".")
    return found


def skeleton_of(solution: str, name: str = "solution") -> str:
    """The skeleton text of a solution text (``name`` for messages)."""
    functions = _functions(ast.parse(solution))
    lines = solution.splitlines(keepends=True)
    out, begin = [], None
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                raise MarkerError(f"{name}:{number}: {BEGIN} inside another one (line {begin})")
            begin = number
            inside = [f for f in functions if f[0] < number <= f[1]]
            if not inside:
                raise MarkerError(f"{name}:{number}: {BEGIN} outside a function")
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("{inside[-1][2]}")\n')
        elif marker == END:
            if begin is None:
                raise MarkerError(f"{name}:{number}: {END} without {BEGIN}")
            begin = None
        elif begin is None:
            out.append(line)
    if begin is not None:
        raise MarkerError(f"{name}:{begin}: {BEGIN} is never ended")
    return "".join(out)


def differing(solutions: Path, skeletons: Path, files: list[str]) -> list[str]:
    """One line per student file whose committed skeleton is not what its solution makes."""
    lines = []
    for name in files:
        made = skeleton_of((solutions / name).read_text(), f"solutions/{name}")
        path = skeletons / name
        if not path.is_file() or path.read_text() != made:
            lines.append(f"skeletons/{name} is not what solutions/{name} makes: run python -m autograder.tools.skeletons")
    return lines


def main(argv=None) -> int:
    from autograder.core.problemset import ProblemSetError, add_option, chosen

    parser = argparse.ArgumentParser(prog="python -m autograder.tools.skeletons", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 where a skeleton differs")
    add_option(parser)
    args = parser.parse_args(argv)
    try:
        problemset = chosen(args)
        files = problemset.student_files
        if args.check:
            lines = differing(problemset.solutions, problemset.skeletons, files)
            print("\n".join(lines) or f"the {len(files)} skeletons are what the solutions make")
            return 1 if lines else 0
        for name in files:
            made = skeleton_of((problemset.solutions / name).read_text(), f"solutions/{name}")
            (problemset.skeletons / name).write_text(made)
    except (MarkerError, SyntaxError, ProblemSetError) as exc:
        print(f"skeletons: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(files)} skeletons from the solutions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
