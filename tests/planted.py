"""Planted bugs and correct variants of every problem set, as one kind of record, and their grading.

A problem set's corpus is its ``tests/corpus.py`` (or package ``tests/corpus/``), with

    BUGS = {name: (exercise, file, [(old, new), ...], {hint ids that name the mistake})}
    VARIANTS = {name: (exercise, file, [(old, new), ...])}
    ALSO = {bug name: {other exercises it may rightly cost points in}}    # optional

(problem set 5's corpus package builds these from its per-exercise modules). Held-out batches,
bugs written by someone who never saw the hints before they were measured, are the modules of
``tests/heldout/``: ``BUGS = [{"name", "problemset", "exercise", "file", "edits", "mistake",
"named"}]``. Every bug declares the hints that name its mistake (``named``; empty: no hint is
right for it): a failure that names another mistake is a wrong hint.

Each case is a copy of the reference solutions with its edits applied. Cases are packed, one per
student file in each submission: a student file is imported only by its own exercises' workers,
so the cases of one pack cannot reach each other's exercises, and a pack costs one grading.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from autograder.core.problemset import ProblemSet
from autograder.core.relations import FACTS
from autograder.tools.server import Pool

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "heldout"


@dataclass(frozen=True)
class Planted:
    problemset: Path  # the problem set's folder
    kind: str  # "bug" or "variant"
    exercise: int
    name: str
    file: str
    edits: tuple
    named: frozenset = frozenset()  # the hint ids that name this bug's mistake
    also: frozenset = frozenset()  # other exercises a bug may rightly cost points in
    source: str = "corpus"  # "corpus", or the held-out batch it came from
    mistake: str = ""  # the mistake in words (held-out batches)

    @property
    def id(self) -> str:
        where = "" if self.problemset == ROOT else f"{self.problemset.name}-"
        return f"{where}{self.kind}-ex{self.exercise}-{self.name}"


def problem_sets() -> list[ProblemSet]:
    """Every problem set of the repository: its top folder and every folder with a problemset.toml."""
    roots = [ROOT, *sorted(p.parent for p in ROOT.glob("*/problemset.toml"))]
    return [ProblemSet.load(root) for root in roots]


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=[str(path.parent)]
                                                  if path.name == "__init__.py" else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def corpus(problemset: ProblemSet) -> list[Planted]:
    """The problem set's planted bugs and variants (none where it has no corpus)."""
    folder = problemset.root / "tests"
    path = folder / "corpus.py" if (folder / "corpus.py").is_file() else folder / "corpus" / "__init__.py"
    if not path.is_file():
        return []
    module = _module(path, "corpus" if path.name == "__init__.py" else f"corpus_{problemset.root.name}")
    also = getattr(module, "ALSO", {})
    cases = [Planted(problemset.root, "bug", n, name, file, tuple(edits), frozenset(named), frozenset(also.get(name, ())))
             for name, n, file, edits, named in _flat(module.BUGS)]
    cases += [Planted(problemset.root, "variant", n, name, file, tuple(edits))
              for name, n, file, edits, *_ in _flat(module.VARIANTS)]
    return cases


def _flat(entries) -> list[tuple]:
    """(name, exercise, file, edits[, named]) from {name: (exercise, file, edits[, named])}, or
    from problem set 5's {exercise: {name: (file, edits[, named])}}."""
    flat = []
    for key, value in entries.items():
        if isinstance(value, dict):
            flat += [(name, key, *entry) for name, entry in value.items()]
        else:
            flat.append((key, *value))
    return flat


def heldout_batches() -> list[str]:
    """The held-out batches, oldest first (their files are named by date)."""
    return sorted(p.stem for p in HELDOUT.glob("batch_*.py"))


def heldout(batch: str) -> list[Planted]:
    module = _module(HELDOUT / f"{batch}.py", f"heldout_{batch}")
    return [Planted(ROOT if b["problemset"] == "ps5" else ROOT / b["problemset"], "bug", b["exercise"], b["name"],
                    b["file"], tuple(tuple(e) for e in b["edits"]), frozenset(b["named"]), frozenset(b.get("also", ())),
                    source=batch, mistake=b["mistake"]) for b in module.BUGS]


def apply(folder: Path, file: str, edits) -> None:
    """Edit ``file`` of the submission in ``folder`` (a copy of the solutions)."""
    text = (folder / file).read_text()
    for old, new in edits:
        assert text.count(old) == 1, f"{file}: the text to replace must occur exactly once: {old!r}"
        text = text.replace(old, new)
    (folder / file).write_text(text)


def packs(cases: list[Planted]) -> list[list[Planted]]:
    """The cases packed into submissions of one problem set each, at most one case per student file."""
    by_file: dict[tuple, list[Planted]] = {}
    for case in cases:
        by_file.setdefault((case.problemset, case.kind, case.file), []).append(case)
    out = []
    for problemset in dict.fromkeys(c.problemset for c in cases):
        for kind in ("bug", "variant"):
            groups = [g for (p, k, _), g in by_file.items() if p == problemset and k == kind]
            out += [[g[i] for g in groups if i < len(g)] for i in range(max(map(len, groups), default=0))]
    return out


@dataclass
class Graded:
    """A case's grading: every test of its pack's run (results.json's tests), and the run's output."""
    case: Planted
    tests: list[dict] = field(default_factory=list)
    output: str = ""

    def own(self) -> list[dict]:
        """The tests of the exercises that grade the case's file."""
        problemset = ProblemSet.load(self.case.problemset)
        mine = {n for n, ex in problemset.exercises.items() if ex.student_file == self.case.file}
        return [t for t in self.tests if t["extra_data"]["exercise"] in mine]

    def hints(self) -> list[tuple[str, str, str]]:
        """(test number, hint id, hint text) of every failed test of the case's own exercises that names a mistake."""
        return [(t["number"], t["extra_data"]["hint"]["id"], t["extra_data"]["hint"]["text"]) for t in self.own()
                if t["status"] == "failed" and t["extra_data"].get("hint")]

    def verdict(self) -> str:
        """How the case's failures name its mistake: "right" (a hint names it and none names another),
        "wrong" (a hint names a mistake that was not made), or "none" (no hint names one; a fact
        about the result that names no cause, such as a constant factor, is neither)."""
        said = {hint for _, hint, _ in self.hints()}
        if said - self.case.named - set(FACTS):
            return "wrong"
        return "right" if said & self.case.named else "none"


def pack_folder(pack: list[Planted], tmp: Path) -> tuple[Path, list[str]]:
    """The pack's submission (the solutions with its cases' edits) and the graders of its files."""
    problemset = ProblemSet.load(pack[0].problemset)
    folder = Path(tempfile.mkdtemp(prefix="planted-", dir=tmp)) / "submission"
    folder.mkdir()
    for name in problemset.student_files:
        shutil.copyfile(problemset.solutions / name, folder / name)
    for case in pack:
        apply(folder, case.file, case.edits)
    files = {case.file for case in pack}
    return folder, [str(g) for n, ex in problemset.exercises.items() if ex.student_file in files
                    for g in problemset.graders_of(n)]


def pack_args(folder: Path, graders: list[str]) -> list[str]:
    return [f"--target={folder}", f"--results-json={folder.parent / 'results.json'}", "--report=", "-q",
            "-p", "no:cacheprovider", *graders]


def graded_pack(pack: list[Planted], folder: Path, output: str) -> list[Graded]:
    results = folder.parent / "results.json"
    tests = json.loads(results.read_text())["tests"] if results.is_file() else []
    return [Graded(case, tests, output[-5000:]) for case in pack]


def grade_pack(pack: list[Planted], tmp: Path, python: str = sys.executable) -> list[Graded]:
    """One pack graded by its own ``pytest --target=...`` process, as a tutor grades one submission."""
    folder, graders = pack_folder(pack, tmp)
    done = subprocess.run([python, "-m", "pytest", *pack_args(folder, graders)], cwd=pack[0].problemset,
                          capture_output=True, text=True, timeout=900)
    return graded_pack(pack, folder, done.stdout + done.stderr)


def grade(cases: list[Planted], tmp: Path, workers: int = 2) -> dict[Planted, Graded]:
    """Every case graded, packed, ``workers`` packs at a time, by grading servers as batch grading
    grades (:mod:`autograder.tools.server`: the libraries imported once per server;
    tests/test_corpus.py checks that a single run grades a pack the same)."""
    pools = {root: Pool(root, workers) for root in dict.fromkeys(c.problemset for c in cases)}

    def one(pack: list[Planted]) -> list[Graded]:
        folder, graders = pack_folder(pack, tmp)
        output = folder.parent / "output.txt"
        pools[pack[0].problemset].grade(pack_args(folder, graders), output, timeout=900)
        return graded_pack(pack, folder, output.read_text(errors="replace"))

    try:
        with ThreadPoolExecutor(max_workers=workers) as threads:
            return {g.case: g for graded in threads.map(one, packs(cases)) for g in graded}
    finally:
        for pool in pools.values():
            pool.close()
