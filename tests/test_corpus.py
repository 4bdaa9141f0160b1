"""The quality gate of the graders, for every problem set: every planted bug loses points in its own
exercise only, every correct variant gets full marks, every grader test can fail, and no failure
names a mistake that was not made. The held-out batches (bugs written before their hints,
tests/heldout/, each folded in once measured) are graded with the corpus; the tables of the corpus
and of every batch close the run.

Each case is graded with --target=PATH as batch grading grades, packed (tests/planted.py), by grading
servers; a pack of each problem set is graded by a single run too, and must get the same verdicts."""
import pytest
from conftest import ROOT
from planted import corpus, grade as grade_planted, grade_pack, heldout, heldout_batches, packs, problem_sets

CASES = [case for problemset in problem_sets() for case in corpus(problemset)]
HELDOUT = [case for batch in heldout_batches() for case in heldout(batch)]  # folded in, once measured
TABLE: dict = {}  # printed by conftest.pytest_terminal_summary


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every case of the corpora and the latest held-out batch, graded once."""
    return grade_planted(CASES + HELDOUT, tmp_path_factory.mktemp("planted"))


def scores(graded_case) -> dict[int, tuple[float, float]]:
    totals: dict[int, tuple[float, float]] = {}
    for test in graded_case.own():
        number = test["extra_data"]["exercise"]
        score, worth = totals.get(number, (0.0, 0.0))
        totals[number] = (score + test["score"], worth + test["max_score"])
    return totals


@pytest.mark.parametrize("case", CASES + HELDOUT, ids=[c.id if c.source == "corpus" else f"{c.source}-{c.name}"
                                                       for c in CASES + HELDOUT])
def test_a_planted_bug_loses_points_in_its_exercise_only_and_a_variant_gets_full_marks(graded, case):
    result = graded[case]
    totals = scores(result)
    assert case.exercise in totals, result.output
    row = TABLE.setdefault("cases", {}).setdefault((case.problemset.name if case.problemset != ROOT else "ps5",
                                                    case.exercise), {"caught": 0, "bugs": 0, "passed": 0, "variants": 0})
    row["bugs" if case.kind == "bug" else "variants"] += 1
    for exercise, (score, worth) in totals.items():
        if case.kind == "bug" and exercise == case.exercise:
            assert score < worth - 1e-9, f"planted bug not caught: {case.name}"
        elif case.kind == "bug" and exercise in case.also:
            continue
        else:
            assert score == pytest.approx(worth), f"{case.name}: exercise {exercise} lost points ({score} / {worth})"
    row["caught" if case.kind == "bug" else "passed"] += 1


def test_no_failure_names_a_mistake_that_was_not_made(graded):
    """A hint is evidence, never a guess: every planted bug declares the hints that name its mistake,
    and no failure of it names another (a fact about the result that names no cause aside)."""
    table: dict[str, dict[str, list]] = {}
    wrong = []
    for case in CASES + HELDOUT:
        if case.kind != "bug":
            continue
        result = graded[case]
        verdict = result.verdict()
        where = "held-out batch " + case.source if case.source != "corpus" else f"corpus {case.problemset.name}"
        table.setdefault(where, {"right": [], "wrong": [], "none": []})[verdict].append(case.name)
        if verdict == "wrong":
            wrong += [f"{case.name} ({test}: {hint})" for test, hint, _ in result.hints() if hint not in case.named]
    TABLE["hints"] = table
    assert not wrong, f"hints that name a mistake that was not made: {wrong}"


def test_every_grader_test_fails_for_some_planted_bug_or_the_skeletons(graded, solutions_run, skeletons_run):
    """A dead test (one that never fails) is reported; tests that only the skeletons fail are listed
    in the table as not yet covered by a planted bug (problem set 5's; problem set 6's in
    tests/test_problemsets.py)."""
    every = {t["name"] for t in solutions_run.results["tests"]}
    by_bugs = {t["name"] for c, r in graded.items() if c.kind == "bug" and c.problemset == ROOT
               for t in r.tests if t["status"] == "failed"}
    by_skeletons = {t["name"] for t in skeletons_run.results["tests"] if t["status"] == "failed"}
    TABLE["uncovered"] = sorted(every - by_bugs)
    dead = sorted(every - by_bugs - by_skeletons)
    assert not dead, f"grader tests that never fail: {dead}"


def test_a_single_run_grades_a_pack_as_the_grading_server_did(graded, tmp_path):
    """The corpus is graded through the batch path (grading servers); a tutor's single run of the
    first pack of each problem set gets the same verdict on every test: status, points and hint."""
    def verdicts(result):
        return sorted((t["name"], t["status"], t["score"], (t["extra_data"].get("hint") or {}).get("id"))
                      for t in result.tests)

    all_packs = packs(CASES + HELDOUT)
    for problemset in problem_sets():
        pack = next(p for p in all_packs if p[0].problemset == problemset.root)
        single = grade_pack(pack, tmp_path)[0]
        assert single.tests and verdicts(single) == verdicts(graded[pack[0]]), (problemset.root.name, single.output)

