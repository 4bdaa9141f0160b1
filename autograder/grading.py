"""One grading run: the target, the exercises' students, every test's outcome, and the points.

Each exercise is worth its points (problemset.toml), shared out over its graded tests by weight
(``@pytest.mark.points(w)``, default 1); a skipped test is not graded and the others share its
points.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from autograder.intake import Submission
from autograder.mistakes import Catalogue
from autograder.problemset import ProblemSet
from autograder.recording import Recording
from autograder.student import Student


@dataclass
class Outcome:
    nodeid: str
    exercise: int
    number: str  # "<exercise>.<n>", e.g. "7.3"
    weight: float  # relative, from @pytest.mark.points(w); default 1
    visibility: str = "visible"  # "hidden" for @pytest.mark.hidden (left out of the student package)
    passed: bool | None = None  # None: skipped, not graded
    message: str = ""
    hint: object = None  # the mistake the failure named (autograder.mistakes.Hint), if any
    attachments: list = field(default_factory=list)
    max_points: float = 0.0

    @property
    def name(self) -> str:
        return self.nodeid.split("/")[-1]

    @property
    def points(self) -> float:
        return self.max_points if self.passed else 0.0

    @property
    def status(self) -> str:
        return "skipped" if self.passed is None else "passed" if self.passed else "failed"


@dataclass
class Grading:
    problemset: ProblemSet
    target_name: str
    target: Submission  # the student files found (autograder.intake)
    timeout: float
    memory_gib: float = 8.0
    ahead: bool = True  # later exercises compute their expensive checks ahead (not with --lean)
    budget_end: float | None = None  # time.monotonic() by which the run must be done
    memory_plan: str = ""  # what the container's memory and CPUs made of the run
    students: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    order: list = field(default_factory=list)  # exercises in the order their tests run
    prefetch: dict = field(default_factory=dict)  # exercise -> [(probe, args, kwargs)] from PREFETCH lists
    recording: Recording | None = None  # release's recording run (--record)
    interrupted: bool = False  # Ctrl-C or SIGTERM: not graded
    catalogue: Catalogue = None  # the known mistakes of the problem set's exercises

    def __post_init__(self):
        self.catalogue = Catalogue(self.problemset.graders, self.problemset.fixtures)

    def student(self, number: int) -> Student:
        if number not in self.students:
            self.students[number] = Student(self.problemset.exercises[number], self.target, self.problemset,
                                            catalogue=self.catalogue, recorder=self.recording,
                                            timeout=self.timeout, memory_bytes=int(self.memory_gib * 2**30))
        return self.students[number]

    def carry(self, earlier: dict) -> None:
        """Take the tests of ``earlier`` (a results.json) of every exercise this run did not
        grade, as they were; each keeps its points (as its weight, which the sharing-out gives
        back). The outcomes are then in the order of their numbers."""
        graded = {o.exercise for o in self.outcomes.values()}
        for test in earlier.get("tests", []):
            number = int(str(test["number"]).split(".")[0])
            if number in graded or number not in self.problemset.exercises:
                continue
            passed = test["status"] == "passed"
            self.outcomes[test["name"]] = Outcome(test["name"], number, str(test["number"]),
                                                  weight=float(test["max_score"]) or 1.0,
                                                  visibility=test.get("visibility", "visible"), passed=passed,
                                                  message="" if passed else str(test.get("output", "")))
        order = lambda o: tuple(int(p) for p in o.number.split("."))  # noqa: E731
        self.outcomes = {o.nodeid: o for o in sorted(self.outcomes.values(), key=order)}

    def withdraw_refuted_hints(self) -> None:
        """A known mistake named by one test but shown by another not to be the submission's (a
        result of the same function that is right where the mistake's is wrong, or wrong in another
        way) named it by coincidence: its hint is taken back everywhere (autograder.mistakes)."""
        for outcome in self.outcomes.values():
            if outcome.hint is not None and outcome.hint.id in self.catalogue.refuted:
                outcome.message = outcome.message.removesuffix(f". Hint: {outcome.hint.text}")
                outcome.hint = None

    def close(self) -> None:
        for student in self.students.values():
            student.close()

    def score(self) -> list[dict]:
        """Share out each exercise's points over its graded tests by weight; one row per exercise."""
        rows = []
        for number in sorted({o.exercise for o in self.outcomes.values()}):
            worth = self.problemset.exercises[number].points
            graded = [o for o in self.outcomes.values() if o.exercise == number and o.passed is not None]
            total_weight = sum(o.weight for o in graded) or 1.0
            for o in graded:  # shares in micro-points; the last takes the rest: the sum is exact
                o.max_points = round(worth * o.weight / total_weight, 6)
            if graded:
                graded[-1].max_points = round(worth - sum(o.max_points for o in graded[:-1]), 6)
            rows.append({"exercise": number, "title": self.problemset.exercises[number].title,
                         "earned": sum(o.points for o in graded), "possible": worth if graded else 0.0,
                         "passed": sum(1 for o in graded if o.passed), "graded": len(graded)})
        return rows
