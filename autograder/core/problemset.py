"""A problem set is data: ``problemset.toml`` and the folders beside it.

    problemset.toml   title, exercises, libraries the workers preload, measured settings
    skeletons/        what students get: the student files (made from solutions/) and provided files
    solutions/        the reference answers, their answer parts marked (see autograder.tools.skeletons)
    graders/          pytest graders, test_ex<N>_<topic>.py: one file per exercise and topic
    fixtures/ex<N>/   reference data of exercise N, made by the solutions

The framework knows a problem set only through this module; an exercise's files are found from
its number alone. ``docs/maintainers.md`` describes every key of problemset.toml.
"""
from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE = "problemset.toml"
GRADER_NAME = re.compile(r"test_ex(\d+)_\w+\.py$")
HIDDEN_GRADER = re.compile(r"test_ex\d+_hidden_\w*\.py$")
MISTAKES = re.compile(r"ex\d+_mistakes\.py$")


class ProblemSetError(ValueError):
    """problemset.toml is missing or malformed; the message is one line."""


@dataclass(frozen=True)
class Exercise:
    number: int
    title: str
    student_file: str
    points: float
    provided: tuple[str, ...] = ()  # helper and data files; the framework's copy lives in skeletons/
    fixtures: Path = Path()
    stars: int | None = None  # the handout's difficulty, when the points are given in stars

    @property
    def module(self) -> str:
        return self.student_file.removesuffix(".py")


@dataclass(frozen=True)
class Container:
    """What grading needs of its container, measured on this problem set's solutions."""
    needs_mib: int = 768  # below: not graded, with one line naming the setting to raise
    ahead_mib: int = 1024  # below, or with fewer than ahead_cpus: nothing computed ahead
    ahead_cpus: float = 2.0


@dataclass(frozen=True)
class ProblemSet:
    root: Path
    title: str
    exercises: dict[int, Exercise]
    subject: str = ""
    preload: tuple[str, ...] = ()
    warm_up: Path | None = None
    dependencies: tuple[str, ...] = ()
    student_readme: Path | None = None
    container: Container = field(default_factory=Container)

    @property
    def skeletons(self) -> Path:
        return self.root / "skeletons"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def graders(self) -> Path:
        return self.root / "graders"

    @property
    def fixtures(self) -> Path:
        return self.root / "fixtures"

    def judges_code(self, path: Path) -> bool:
        """Whether ``path`` (resolved) is the problem set's own code that a grading imports in the
        judge: its conftest.py and graders/ (the grader files, their helpers, the known mistakes)."""
        conftest, graders = self._judges_code
        return path == conftest or graders in path.parents

    @functools.cached_property
    def _judges_code(self) -> tuple[Path, Path]:
        return self.root.resolve() / "conftest.py", self.graders.resolve()  # conftest.py as named (it may be a link)

    @property
    def student_files(self) -> list[str]:
        return sorted({ex.student_file for ex in self.exercises.values()})

    @property
    def provided_files(self) -> list[str]:
        return sorted({name for ex in self.exercises.values() for name in ex.provided})

    @property
    def points(self) -> float:
        return sum(ex.points for ex in self.exercises.values())

    def judge_only(self, relative: str) -> bool:
        """Whether a file of the problem set (its path in the problem set's folder) is the judge's
        only, never shipped to students: hidden graders and their reference data
        (``graders/test_ex<N>_hidden_*.py``, ``fixtures/ex<N>/hidden_*``) and the known mistakes,
        which are the correct functions with one change each (``graders/ex<N>_mistakes.py``)."""
        parts = Path(relative).parts
        name = parts[-1] if parts else ""
        if parts[:1] == ("graders",):
            return bool(HIDDEN_GRADER.match(name) or MISTAKES.match(name))
        return parts[:1] == ("fixtures",) and len(parts) == 3 and name.startswith("hidden_")

    def exercise_of(self, path: str | Path) -> Exercise | None:
        """The exercise a grader file belongs to, from its name ``test_ex<N>_<topic>.py``."""
        match = GRADER_NAME.search(Path(path).name)
        return self.exercises.get(int(match.group(1))) if match else None

    def graders_of(self, number: int, judge_only: bool = False) -> list[Path]:
        """The grader files of exercise ``number``; with ``judge_only``, its known mistakes too
        (``ex<N>_mistakes.py``, which some compute in the worker)."""
        mistakes = [self.graders / f"ex{number}_mistakes.py"] if judge_only else []
        return sorted(self.graders.glob(f"test_ex{number}_*.py")) + [m for m in mistakes if m.is_file()]

    @classmethod
    def load(cls, root: str | Path) -> ProblemSet:
        """The problem set in ``root``; a :class:`ProblemSetError` (one line) when it cannot be read."""
        root = Path(root).resolve()
        path = root / FILE
        try:
            data = tomllib.loads(path.read_text())
        except OSError:
            raise ProblemSetError(f"{path} not found: a problem set is a folder with a {FILE}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ProblemSetError(f"{path}: {exc}") from None
        try:
            return cls._parse(root, data)
        except (KeyError, TypeError, ValueError) as exc:
            what = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ProblemSetError(f"{path}: {what}") from None

    @classmethod
    def _parse(cls, root: Path, data: dict) -> ProblemSet:
        head = data["problemset"]
        per_star = float(head.get("points_per_star", 10))
        exercises = {}
        for entry in data.get("exercise", []):
            number = int(entry["number"])
            if number in exercises:
                raise ValueError(f"exercise {number} is listed twice")
            if ("points" in entry) == ("stars" in entry):
                raise ValueError(f"exercise {number}: give either points or stars")
            points = float(entry["points"]) if "points" in entry else per_star * int(entry["stars"])
            exercises[number] = Exercise(number, str(entry["title"]), str(entry["file"]), points,
                                         tuple(entry.get("provided", ())), root / "fixtures" / f"ex{number}",
                                         int(entry["stars"]) if "stars" in entry else None)
        optional = lambda key: root / head[key] if head.get(key) else None  # noqa: E731
        return cls(root, str(head["title"]), dict(sorted(exercises.items())), str(head.get("subject", "")),
                   tuple(head.get("preload", ())), optional("warm_up"), tuple(head.get("dependencies", ())),
                   optional("student_readme"), Container(**head.get("container", {})))


def find(start: str | Path = ".") -> Path:
    """The nearest folder, from ``start`` up, that holds a problemset.toml."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / FILE).is_file():
            return folder
    raise ProblemSetError(f"no {FILE} in {start} or above it: run this inside a problem set's folder")


def add_option(parser) -> None:
    """The commands' ``--problemset DIR`` option."""
    parser.add_argument("--problemset", type=Path, default=None,
                        help="the problem set's folder (default: the one the working folder is in)")


def chosen(args) -> ProblemSet:
    """The problem set a command's ``--problemset`` names, else the one the working folder is in."""
    return ProblemSet.load(args.problemset or find())


def chosen_or_exit(parser, args) -> ProblemSet:
    """:func:`chosen`, or the command's usage error in one line."""
    try:
        return chosen(args)
    except ProblemSetError as exc:
        parser.error(str(exc))
