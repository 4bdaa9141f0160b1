"""Graders tell right from wrong: every planted bug loses points in its own exercise only, every
correct variant gets full marks. Each submission is graded with --target=PATH, as a tutor would."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import ROOT, grade, make_submission
from corpus import ALSO, BUGS, VARIANTS

from autograder.exercises import EXERCISES

CASES = [(kind, n, name, edit) for kind, table in (("bug", BUGS), ("variant", VARIANTS))
         for n, entries in table.items() for name, edit in entries.items()]


def apply(folder, file: str, edits) -> None:
    """Edit ``file`` of the submission in ``folder`` (a copy of the solutions)."""
    text = (folder / file).read_text()
    for old, new in edits:
        assert text.count(old) == 1, f"{file}: the text to replace must occur exactly once: {old!r}"
        text = text.replace(old, new)
    (folder / file).write_text(text)


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory, solutions_run):
    """Grade the selected corpus submissions, two at a time (one per core)."""
    def run(case):
        kind, number, name, (file, edits) = case
        folder = make_submission(tmp_path_factory.mktemp("corpus"))
        apply(folder, file, edits)
        # Only the exercises of the edited file can change: the others run in their own workers
        # on untouched reference files (isolation is tested in test_targets.py).
        graders = [str(g) for n, ex in EXERCISES.items() if ex.student_file == file
                   for g in sorted((ROOT / "graders").glob(f"test_ex{n}_*.py"))]
        return grade(folder, *graders, tmp_path=folder.parent)

    selected = [item.callspec.params for item in request.session.items
                if item.path == request.path and hasattr(item, "callspec")]
    hints_selected = any(item.name == "test_every_exercise_has_a_hint_that_fires_on_a_planted_bug"
                         for item in request.session.items)
    cases = [c for c in CASES if any((p["kind"], p["number"], p["name"]) == c[:3] for p in selected)
             or (hints_selected and c[0] == "bug")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip([c[:3] for c in cases], pool.map(run, cases)))


@pytest.mark.parametrize("kind, number, name, edit", CASES, ids=[f"{c[0]}-ex{c[1]}-{c[2]}" for c in CASES])
def test_corpus_submission(graded, solutions_run, kind, number, name, edit):
    full = solutions_run.by_exercise()
    scores = graded[(kind, number, name)].by_exercise()
    assert number in scores and set(scores) <= set(full)
    for exercise, (score, worth) in scores.items():
        if kind == "bug" and exercise == number:
            assert score < worth, f"planted bug not caught: {name}"
        elif kind == "bug" and exercise in ALSO.get(name, ()):
            continue
        else:
            assert score == worth, f"{name}: exercise {exercise} lost points ({score} / {worth})"


def test_every_exercise_has_a_hint_that_fires_on_a_planted_bug(graded):
    hinted = {int(test["number"].split(".")[0]) for (kind, _, _), run in graded.items() if kind == "bug"
              for test in run.results["tests"] if "Hint:" in test["output"]}
    assert hinted >= set(EXERCISES), f"no hint fired for exercises {sorted(set(EXERCISES) - hinted)}"
