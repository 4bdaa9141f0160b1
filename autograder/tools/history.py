"""Regrading: what decides a grade, whose points a new grading changed, and the earlier gradebooks.

A batch keeps, per student, the digest of the submission and the digest of what grades it
(:func:`grading_digest`: the framework, the graders, the reference data, the provided files and
the versions of the libraries the checks run on). When either changes, the student is graded
again and :func:`change` tells whose points moved, by how much, in which tests. The earlier
gradebook is kept under ``OUT/history/`` (:func:`archive`), as is the earlier ``changes.json``.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import re
import shutil
from importlib import metadata
from pathlib import Path

from autograder.core import manifest
from autograder.results import Results, ResultsError
from autograder.core.problemset import ProblemSet

FRAMEWORK = Path(__file__).resolve().parent.parent  # the autograder package


def grading_digest(problemset: ProblemSet) -> dict[str, str]:
    """SHA-256s of everything that decides a grade apart from the submission itself, by what it
    decides: ``"common"`` for what every exercise depends on (the framework, problemset.toml,
    pytest.ini, conftest.py, the graders' shared modules, the versions of the libraries the checks
    run on), ``"ex<N>"`` for one exercise's own files (its graders, its known mistakes, its
    reference data, its provided files). A change of one exercise's files regrades that exercise."""
    from autograder.tools.release import framework_dependencies

    common, own = hashlib.sha256(), {n: hashlib.sha256() for n in problemset.exercises}

    def part(path: Path) -> list:
        """The digests a grading file belongs to: its exercise's, or the common one."""
        relative = path.relative_to(problemset.root).parts if path.is_relative_to(problemset.root) else ()
        if relative[:1] == ("fixtures",) and len(relative) > 2 and relative[1].startswith("ex"):
            number = int(relative[1][2:]) if relative[1][2:].isdigit() else None
            return [own[number]] if number in own else [common]
        name = path.name
        for n, ex in problemset.exercises.items():
            if relative[:1] == ("graders",) and (name.startswith(f"test_ex{n}_") or name == f"ex{n}_mistakes.py"):
                return [own[n]]
        if relative[:1] == ("skeletons",):  # a provided file counts for the exercises it serves
            return [own[n] for n, ex in problemset.exercises.items() if name in ex.provided] or [common]
        return [common]

    for top, folders, files in ((FRAMEWORK.parent, [FRAMEWORK], []),
                                (problemset.root, [problemset.graders, problemset.fixtures, problemset.skeletons],
                                 [problemset.root / name for name in ("problemset.toml", "pytest.ini", "conftest.py")])):
        paths = [*files, *(p for f in folders for p in sorted(f.rglob("*")))]
        for path in (p for p in paths if p.is_file() and "__pycache__" not in p.parts):
            if path == problemset.fixtures / manifest.NAME:  # each line counts for the exercise it lists
                for line in path.read_text().splitlines(keepends=True):
                    for h in part(problemset.fixtures / line.partition("  ")[2].strip()):
                        h.update(line.encode())
                continue
            for h in (part(path) if top == problemset.root else [common]):
                h.update(path.relative_to(top).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for requirement in [*framework_dependencies(), *problemset.dependencies]:
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        try:
            common.update(f"{name}=={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            common.update(f"{name} absent\n".encode())
    return {"common": common.hexdigest(), **{f"ex{n}": h.hexdigest() for n, h in own.items()}}


def changed_exercises(before, now: dict[str, str]) -> list[int] | None:
    """The exercises whose own files changed between two gradings, or None when something every
    exercise depends on changed (or the earlier grading kept no digests by exercise)."""
    if not isinstance(before, dict) or before.get("common") != now["common"] or set(before) != set(now):
        return None
    return [int(key[2:]) for key in now if key != "common" and before[key] != now[key]]


def scores(results: Path) -> dict[str, dict] | None:
    """test name -> {number, score, max_score} of a results.json; None when there is none."""
    try:
        tests = Results.read(results).tests
    except ResultsError:
        return None
    return {t.name: {"number": t.number, "score": t.score, "max_score": t.max_score} for t in tests}


def change(student: str, reason: str, before: dict[str, dict], after: dict[str, dict]) -> dict | None:
    """Whose points changed, by how much, in which tests; None when no test's points changed."""
    tests = []
    def order(name):
        return tuple(int(p) for p in (after.get(name) or before.get(name))["number"].split(".") if p.isdigit())

    for name in sorted(set(before) | set(after), key=order):
        old, new = before.get(name), after.get(name)
        old_score, new_score = (old["score"] if old else None), (new["score"] if new else None)
        if old_score is None or new_score is None or abs(old_score - new_score) > 1e-9:
            tests.append({"name": name, "number": (new or old)["number"], "before": old_score, "after": new_score})
    if not tests:
        return None
    total_before = sum(t["score"] for t in before.values())
    total_after = sum(t["score"] for t in after.values())
    return {"student": student, "reason": reason, "before": round(total_before, 4), "after": round(total_after, 4),
            "delta": round(total_after - total_before, 4), "tests": tests}


def _stamp(path: Path) -> str:
    return datetime.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y%m%d-%H%M%S")


def archive(path: Path) -> Path | None:
    """Move ``path`` (an earlier gradebook.csv or changes.json) to OUT/history/<name>-<its time>."""
    if not path.is_file():
        return None
    history = path.parent / "history"
    history.mkdir(exist_ok=True)
    target = history / f"{path.stem}-{_stamp(path)}{path.suffix}"
    n = 1
    while target.exists():
        target = history / f"{path.stem}-{_stamp(path)}-{n}{path.suffix}"
        n += 1
    shutil.move(path, target)
    return target


def write_changes(out: Path, regraded: list[dict], changed: list[dict]) -> Path:
    """OUT/changes.json for this run (the previous one goes to history/)."""
    archive(out / "changes.json")
    path = out / "changes.json"
    path.write_text(json.dumps({"time": datetime.datetime.now().isoformat(timespec="seconds"),
                                "regraded": regraded, "changed": changed}, indent=1))
    return path
