"""Scoring, Gradescope's results.json and the HTML report, on the solutions, the skeletons and a
submission with one typical mistake per exercise."""
import re

import pytest
from conftest import EXERCISES, grade, make_submission
from corpus import BUGS
from planted import apply


VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}
ONE_MISTAKE_EACH = {1: "flipped filter", 3: "T multiplied instead of divided", 4: "block instead of interleaved encodings",
                    5: "attention not scaled", 6: "biases forgotten", 7: "blur without padding",
                    8: "P transposed against XX, YY", 9: "softmax probability backpropagated"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    folder = make_submission(tmp_path_factory.mktemp("mixed") / "submission")
    for number, name in ONE_MISTAKE_EACH.items():
        apply(folder, *BUGS[number][name][:2])
    return grade(folder, tmp_path=folder.parent)


def check_gradescope_format(results: dict) -> None:
    # Gradescope's documented top-level fields; extra_data is stored, not shown
    assert {"score", "output", "tests"} <= set(results) <= {"score", "output", "tests", "extra_data"}
    assert isinstance(results["score"], (int, float)) and isinstance(results.get("extra_data", {}), dict)
    assert results["output"].startswith("Graded: ") and "\n" not in results["output"]  # for the student
    for test in results["tests"]:
        assert set(test) == {"name", "number", "score", "max_score", "status", "output", "visibility", "extra_data"}
        assert test["extra_data"]["exercise"] == int(test["number"].split(".")[0])  # the test's own exercise
        if "hint" in test["extra_data"]:  # the named mistake, as its own field: a stable name and the text
            assert set(test["extra_data"]["hint"]) == {"id", "text"} and test["output"].endswith(
                f". Hint: {test['extra_data']['hint']['text']}")
        assert isinstance(test["name"], str) and re.fullmatch(r"\d+\.\d+", test["number"])
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert test["status"] in {"passed", "failed"} and test["visibility"] in VISIBILITY
        assert isinstance(test["output"], str) and test["output"] and "\n" not in test["output"]
        assert test["score"] == (test["max_score"] if test["status"] == "passed" else 0)
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]), abs=1e-3)


def test_results_json_has_gradescopes_format(solutions_run, skeletons_run, mixed):
    for run in (solutions_run, skeletons_run, mixed):
        check_gradescope_format(run.results)


def test_each_exercise_is_worth_ten_points_per_star(solutions_run, skeletons_run):
    assert solutions_run.by_exercise() == {n: (pytest.approx(ex.points, abs=1e-6), pytest.approx(ex.points, abs=1e-6))
                                           for n, ex in EXERCISES.items()}
    assert all(score == 0 for score, _ in skeletons_run.by_exercise().values())
    closing = solutions_run.stdout.splitlines()[-5:]  # the table closes the output: total, report, memory, sandbox,
    assert closing[0].startswith("total") and closing[1].startswith("report: "), closing  # and the student's line
    assert closing[2].startswith("memory: ") and closing[3].startswith("sandbox: "), closing
    assert closing[4] == solutions_run.results["output"], closing
    assert "160.0 / 160.0" in solutions_run.stdout


def test_one_mistake_per_exercise_costs_exactly_those_exercises(mixed, solutions_run):
    full = solutions_run.by_exercise()
    for number, (score, worth) in mixed.by_exercise().items():
        if number in ONE_MISTAKE_EACH:
            assert score < worth, number
        else:
            assert score == full[number][0], number


def test_the_report_shows_expected_obtained_and_difference_pictures(mixed):
    html = mixed.report.read_text()
    assert "Problem set 5" in html and "<table>" in html
    # self-contained: every picture and link is embedded or in the page (base64 may spell "http")
    targets = re.findall(r"(?:src|href)=['\"]?([^'\" >]*)", html)
    assert targets and all(t.startswith(("data:", "#")) for t in targets), \
        sorted({t[:20] for t in targets if not t.startswith(("data:", "#"))})
    assert "url(" not in html and "@import" not in html
    for test_name in ("test_the_rendered_grid_matches_the_reference_picture",
                      "test_the_rendered_plot_matches_the_reference_picture"):
        section = html[html.index(test_name):][:2_000_000].split("<div class='test ")[0]
        for caption in ("expected", "obtained", "difference"):
            assert f"alt='{caption}'" in section, (test_name, caption)
    for test in mixed.results["tests"]:  # every message is in the report
        if test["status"] == "failed":
            assert test["output"][:60].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")\
                .replace("'", "&#x27;").replace('"', "&quot;") in html
