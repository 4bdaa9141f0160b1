"""The quality gate of the graders: every planted bug loses points in its own exercise only, every
correct variant gets full marks, every grader test can fail. Each submission is graded with
--target=PATH, as a tutor would; a table of the results closes the run."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import EXERCISES, ROOT, grade, make_submission
from corpus import ALSO, BUGS, VARIANTS


CASES = [(kind, n, name, edit) for kind, table in (("bug", BUGS), ("variant", VARIANTS))
         for n, entries in table.items() for name, edit in entries.items()]
WHOLE_CORPUS_TESTS = {"test_every_exercise_has_a_hint_that_fires_on_a_planted_bug",
                      "test_every_grader_test_fails_for_some_planted_bug_or_the_skeletons"}
TABLE: dict[int, dict[str, int]] = {}  # exercise -> counts, printed by conftest.pytest_terminal_summary


def apply(folder, file: str, edits) -> None:
    """Edit ``file`` of the submission in ``folder`` (a copy of the solutions)."""
    text = (folder / file).read_text()
    for old, new in edits:
        assert text.count(old) == 1, f"{file}: the text to replace must occur exactly once: {old!r}"
        text = text.replace(old, new)
    (folder / file).write_text(text)


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory, solutions_run):
    """Grade the selected corpus submissions (all of them for the whole-corpus checks), two at a
    time: one per core."""
    def run(case):
        kind, number, name, (file, edits) = case
        folder = make_submission(tmp_path_factory.mktemp("corpus"))
        apply(folder, file, edits)
        # Only the exercises of the edited file can change: the others run in their own workers
        # on untouched reference files (isolation is tested in test_targets.py and test_hostile.py).
        graders = [str(g) for n, ex in EXERCISES.items() if ex.student_file == file
                   for g in sorted((ROOT / "graders").glob(f"test_ex{n}_*.py"))]
        return grade(folder, *graders, tmp_path=folder.parent)

    items = [item for item in request.session.items if item.path == request.path]
    selected = [item.callspec.params for item in items if hasattr(item, "callspec")]
    everything = any(item.originalname in WHOLE_CORPUS_TESTS for item in items)
    cases = [c for c in CASES if everything or any((p["kind"], p["number"], p["name"]) == c[:3] for p in selected)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip([c[:3] for c in cases], pool.map(run, cases)))


@pytest.mark.parametrize("kind, number, name, edit", CASES, ids=[f"{c[0]}-ex{c[1]}-{c[2]}" for c in CASES])
def test_corpus_submission(graded, solutions_run, kind, number, name, edit):
    full = solutions_run.by_exercise()
    scores = graded[(kind, number, name)].by_exercise()
    assert number in scores and set(scores) <= set(full)
    row = TABLE.setdefault(number, {"caught": 0, "planted": 0, "passed": 0, "variants": 0})
    row["planted" if kind == "bug" else "variants"] += 1
    for exercise, (score, worth) in scores.items():
        if kind == "bug" and exercise == number:
            assert score < worth, f"planted bug not caught: {name}"
        elif kind == "bug" and exercise in ALSO.get(name, ()):
            continue
        else:
            assert score == worth, f"{name}: exercise {exercise} lost points ({score} / {worth})"
    row["caught" if kind == "bug" else "passed"] += 1


def test_every_exercise_has_a_hint_that_fires_on_a_planted_bug(graded):
    hinted = {int(test["number"].split(".")[0]) for (kind, _, _), run in graded.items() if kind == "bug"
              for test in run.results["tests"] if "Hint:" in test["output"]}
    assert hinted >= set(EXERCISES), f"no hint fired for exercises {sorted(set(EXERCISES) - hinted)}"


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
