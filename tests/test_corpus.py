"""The quality gate of the graders: every planted bug loses points in its own exercise only, every
correct variant gets full marks, every grader test can fail. Each submission is graded with
--target=PATH, as a tutor would; a table of the results closes the run."""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import EXERCISES, ROOT, grade, make_submission
from corpus import ALSO, BUGS, UNNAMED, VARIANTS


CASES = [(kind, n, name, edit) for kind, table in (("bug", BUGS), ("variant", VARIANTS))
         for n, entries in table.items() for name, edit in entries.items()]
WHOLE_CORPUS_TESTS = {"test_every_planted_bug_is_named_or_listed_with_a_reason",
                      "test_every_grader_test_fails_for_some_planted_bug_or_the_skeletons"}
# Messages that say only that a result differs, not what the mistake is: anything else names it
# (a hint, or a check of one property such as "load_model returned a model in training mode").
GENERIC = re.compile(r"values differ from the reference|has shape \(.*\), expected \(|relative error .* \(allowed"
                     r"|differs visibly from the reference picture|NaN or Inf|differs from the reference's in \d+ of"
                     r"| is -?[\d.e+-]+, expected -?[\d.e+-]+$")
TABLE: dict[int, dict[str, int]] = {}  # exercise -> counts, printed by conftest.pytest_terminal_summary


def apply(folder, file: str, edits) -> None:
    """Edit ``file`` of the submission in ``folder`` (a copy of the solutions)."""
    text = (folder / file).read_text()
    for old, new in edits:
        assert text.count(old) == 1, f"{file}: the text to replace must occur exactly once: {old!r}"
        text = text.replace(old, new)
    (folder / file).write_text(text)


def packs(cases) -> list[list]:
    """The cases packed into submissions, at most one case per student file in each: a student
    file is imported only by its own exercises' workers, so the cases of one pack cannot reach
    each other's exercises (isolation is tested in test_targets.py and test_hostile.py), and the
    corpus costs a grading per pack, not per case."""
    by_file: dict[str, list] = {}
    for case in cases:
        by_file.setdefault(case[3][0], []).append(case)
    return [[group[i] for group in by_file.values() if i < len(group)]
            for i in range(max(map(len, by_file.values()), default=0))]


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory, solutions_run):
    """Grade the selected corpus submissions (all of them for the whole-corpus checks), packed,
    two packs at a time: one per core. Returns each case's run (its pack's)."""
    def run(pack):
        folder = make_submission(tmp_path_factory.mktemp("corpus"))
        for _, _, _, (file, edits) in pack:
            apply(folder, file, edits)
        files = {case[3][0] for case in pack}  # only these files' exercises can change
        graders = [str(g) for n, ex in EXERCISES.items() if ex.student_file in files
                   for g in sorted((ROOT / "graders").glob(f"test_ex{n}_*.py"))]
        return grade(folder, *graders, tmp_path=folder.parent)

    items = [item for item in request.session.items if item.path == request.path]
    selected = [item.callspec.params for item in items if hasattr(item, "callspec")]
    everything = any(item.originalname in WHOLE_CORPUS_TESTS for item in items)
    cases = [c for c in CASES if everything or any((p["kind"], p["number"], p["name"]) == c[:3] for p in selected)]
    grouped = [pack for kind in ("bug", "variant") for pack in packs([c for c in cases if c[0] == kind])]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(run, grouped))
    return {case[:3]: result for pack, result in zip(grouped, runs) for case in pack}


@pytest.mark.parametrize("kind, number, name, edit", CASES, ids=[f"{c[0]}-ex{c[1]}-{c[2]}" for c in CASES])
def test_corpus_submission(graded, solutions_run, kind, number, name, edit):
    full = solutions_run.by_exercise()
    scores = graded[(kind, number, name)].by_exercise()
    assert number in scores and set(scores) <= set(full)
    row = TABLE.setdefault(number, {"caught": 0, "planted": 0, "passed": 0, "variants": 0})
    row["planted" if kind == "bug" else "variants"] += 1
    own = {n for n, ex in EXERCISES.items() if ex.student_file == edit[0]}  # a pack's other cases have the rest
    for exercise, (score, worth) in ((e, v) for e, v in scores.items() if e in own):
        if kind == "bug" and exercise == number:
            assert score < worth, f"planted bug not caught: {name}"
        elif kind == "bug" and exercise in ALSO.get(name, ()):
            continue
        else:
            assert score == worth, f"{name}: exercise {exercise} lost points ({score} / {worth})"
    row["caught" if kind == "bug" else "passed"] += 1


def names_the_mistake(message: str) -> bool:
    return "Hint:" in message or not GENERIC.search(message)


def test_every_planted_bug_is_named_or_listed_with_a_reason(graded):
    """Feedback that teaches: a planted bug's failures name its mistake (a hint, or a check of the
    property it breaks), or the bug is in corpus.UNNAMED with the reason."""
    named, unnamed = [], []
    for (kind, number, name), run in graded.items():
        if kind != "bug":
            continue
        failed = [t["output"] for t in run.results["tests"]
                  if t["status"] == "failed" and int(t["number"].split(".")[0]) == number]
        (named if any(names_the_mistake(m) for m in failed) else unnamed).append(name)
    TABLE["named"] = (len(named), len(named) + len(unnamed), sorted(unnamed))
    assert sorted(unnamed) == sorted(UNNAMED), \
        f"planted bugs whose failures name no mistake (hint them, or list them in corpus.UNNAMED with the reason): " \
        f"{sorted(set(unnamed) - set(UNNAMED))}; listed but named now: {sorted(set(UNNAMED) - set(unnamed))}"


def test_every_grader_test_fails_for_some_planted_bug_or_the_skeletons(graded, solutions_run, skeletons_run):
    """A dead test (one that never fails) is reported; tests that only the skeletons fail are
    listed in the table as not yet covered by a planted bug."""
    every = {t["name"] for t in solutions_run.results["tests"]}
    by_bugs = {t["name"] for (kind, _, _), run in graded.items() if kind == "bug"
               for t in run.results["tests"] if t["status"] == "failed"}
    by_skeletons = {t["name"] for t in skeletons_run.results["tests"] if t["status"] == "failed"}
    TABLE["uncovered"] = sorted(every - by_bugs)
    dead = sorted(every - by_bugs - by_skeletons)
    assert not dead, f"grader tests that never fail: {dead}"
