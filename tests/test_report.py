"""What a student reads after a run: the report and the end of the terminal output say each thing
once (failures folded by message, with their count), show small arrays as numbers, titles as the
figure shows them, points whose shown parts add up, and a last line in plain words (the sandbox's
measured details go to the tutor's lines above it and to the report's footer)."""
import html
import json
import re
import subprocess
import sys
import unicodedata

import numpy as np
import pytest
from conftest import ROOT, grade, make_submission
from corpus import BUGS
from planted import apply

# (chosen so that rounding each exercise's points on its own would not add up: see below)
MISTAKES = {3: "T multiplied instead of divided", 7: "average instead of max pooling", 8: "accuracy as a percentage"}


@pytest.fixture(scope="module")
def mistakes(tmp_path_factory):
    """The solutions with one planted bug in exercises 3, 7 and 8, graded on those exercises."""
    folder = make_submission(tmp_path_factory.mktemp("mistakes") / "submission")
    for number, name in MISTAKES.items():
        apply(folder, *BUGS[number][name][:2])
    graders = [str(g) for n in MISTAKES for g in sorted((ROOT / "graders").glob(f"test_ex{n}_*.py"))]
    return grade(folder, *graders, tmp_path=folder.parent)


def block(page: str, number: str) -> str:
    """The report's block that names test ``number`` (a test, or a group of folded tests)."""
    at = page.index(f"<b>{number}</b>")
    start = max(page.rfind("<div class='test ", 0, at), page.rfind("<details class='test ", 0, at))
    ends = [i for i in (page.find("<div class='test ", at), page.find("<details class='test ", at),
                        page.find("<h2", at), page.find("<footer", at)) if i > 0]
    return page[start:min(ends)]


def tenths(text: str) -> int:
    return round(float(text) * 10)


def test_identical_messages_of_an_exercise_are_shown_once_with_their_count(skeletons_run):
    page, lines = skeletons_run.report.read_text(), skeletons_run.stdout.splitlines()
    groups: dict[tuple[int, str], list[str]] = {}
    for test in skeletons_run.results["tests"]:
        groups.setdefault((int(test["number"].split(".")[0]), test["output"]), []).append(test["number"])
    assert max(len(numbers) for numbers in groups.values()) >= 6  # e.g. exercise 1: 6 x strided_conv_matrix
    for (exercise, message), numbers in groups.items():
        same = sum(1 for (n, m) in groups if m == message)  # one block per exercise that says it
        assert page.count(f"<div class='msg'>{html.escape(message)}</div>") == same, message
        assert sum(1 for line in lines if line.endswith(f": {message}")) == same, message
        if len(numbers) > 1:
            found = block(page, numbers[0])
            assert f"<b>{len(numbers)} tests</b>" in found and html.escape(message) in found
            assert all(f"<b>{n}</b>" in found for n in numbers)  # each test still listed, with its points
            line = next(line for line in lines if line.endswith(f": {message}") and line.startswith(f"{exercise}."))
            assert f"({len(numbers)} tests)" in line, line
    assert len(lines) < 80, "the terminal output repeats itself"


def test_a_small_array_is_shown_as_numbers_and_an_image_like_one_as_pictures(mistakes):
    page = mistakes.report.read_text()
    number = next(t["number"] for t in mistakes.results["tests"]
                  if t["output"].startswith("softmax_t(z [2, 5], T=0.5): 10 of 10 values differ"))
    found = block(page, number)  # folded with the other temperatures (the numbers differ): its own panels
    assert "<img" not in found
    own = found[found.index("<i>softmax_t(z [2, 5], T=0.5)</i>"):]
    tables = re.findall(r"<table class='numbers'>(.*?)</table>", own)[:3]
    assert len(tables) == 3  # expected, obtained, difference
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", table) for table in tables]
    with np.load(ROOT / "fixtures" / "ex3" / "softmax_T0.5.npz") as data:
        expected = data["p"].astype(np.float64).ravel()
    assert [float(c) for c in cells[0]] == pytest.approx(expected, rel=1e-3)
    obtained = np.array([float(c) for c in cells[1]])
    assert [float(c) for c in cells[2]] == pytest.approx(obtained - expected, rel=2e-2, abs=1e-3)
    assert len(re.findall(r"<td class='bad'>", tables[1])) == 10  # "10 of 10 values differ"
    image_like = next(t for t in mistakes.results["tests"] if t["output"].startswith("maxpool_iter(x, k=3"))
    found = block(page, image_like["number"])
    own = found[found.index("<i>maxpool_iter(x, k=3"):]
    assert own.count("<img") >= 3 and "<table class='numbers'>" not in found
    assert re.findall(r"<figcaption>([^<]*)</figcaption>", own)[:3][0].startswith("expected")


def test_shown_points_add_up_to_the_shown_totals_which_are_the_exact_totals_rounded(mistakes):
    exact: dict[int, float] = {}
    for test in mistakes.results["tests"]:
        number = int(test["number"].split(".")[0])
        exact[number] = exact.get(number, 0.0) + test["score"]
    assert round(sum(round(v, 1) for v in exact.values()), 1) != round(sum(exact.values()), 1)  # rounding each fails
    rows = dict(re.findall(r"^exercise\s+(\d+)\s.*?\s(\d+\.\d) /\s*\d+\.\d\s+\d+/\d+ tests passed$",
                           mistakes.stdout, re.MULTILINE))
    total = re.search(r"^total\s+(\d+\.\d) /", mistakes.stdout, re.MULTILINE).group(1)
    assert set(map(int, rows)) == set(exact)
    assert sum(tenths(v) for v in rows.values()) == tenths(total) == round(sum(exact.values()) * 10)
    assert all(abs(tenths(rows[str(n)]) - exact[n] * 10) < 1 for n in exact)
    page = mistakes.report.read_text()
    shown = {int(n): tenths(e) for n, e in re.findall(r"data-exercise='(\d+)'>(\d+\.\d) /", page)}
    per_test: dict[int, int] = {}
    for number, earned in re.findall(r"data-test='(\d+)\.\d+'>(\d+\.\d) /", page):
        per_test[int(number)] = per_test.get(int(number), 0) + tenths(earned)
    assert shown == per_test == {n: tenths(rows[str(n)]) for n in exact}
    assert sum(shown.values()) == tenths(re.search(r"data-total>(\d+\.\d) /", page).group(1)) == tenths(total)
    assert mistakes.results["score"] == pytest.approx(sum(exact.values()), abs=1e-4)  # results.json: exact


def test_shown_parts_add_up_for_any_outcomes():
    from autograder import shown

    rng = np.random.default_rng(0)
    for _ in range(300):  # exercises worth whole or half points, shared out as grading.score does
        tests = []
        for exercise in range(1, 6):
            worth, count = rng.choice([10, 20, 30, 12.5]), int(rng.integers(1, 31))
            weights = rng.choice([1.0, 1.0, 2.0], count)
            graded = rng.choice([True, False, None], count, p=[0.5, 0.4, 0.1]) if rng.random() < 0.8 else \
                [bool(rng.random() < 0.5)] * count  # all passed, or all failed
            total = sum(w for w, g in zip(weights, graded) if g is not None) or 1.0
            tests += [(exercise, round(worth * w / total, 6) if g is not None else 0.0, g, str(rng.integers(3)))
                      for w, g in zip(weights, graded)]
        points = shown.points(tests)
        for n, (earned, possible) in points.exercises.items():
            mine = [(t, s) for t, s in zip(tests, points.tests) if t[0] == n]
            assert sum(s for t, s in mine if t[2]) == earned and sum(s for t, s in mine if t[2] is not None) == possible
            assert all(abs(s - t[1] * 10) < 1 if t[2] is not None else s == 0 for t, s in mine)
        assert sum(e for e, _ in points.exercises.values()) == points.total[0] == \
            round(sum(t[1] for t in tests if t[2]) * 10)


def drawn(text: str) -> str:
    """The characters matplotlib draws for ``text``, in order (an independent reading of mathtext)."""
    from matplotlib.mathtext import MathTextParser

    return "".join(chr(glyph[2]) for glyph in MathTextParser("path").parse(text, dpi=72).glyphs)


def test_titles_are_shown_as_the_figure_shows_them():
    from autograder import reference

    with np.load(ROOT / "fixtures" / "ex8" / "plot_scene.npz") as data:
        scene = {k: data[k] for k in data.files}
    title = str(scene["panel0.title"])
    assert "\\mid" in title and "$" in title
    moved = {**scene, "panel0.x range": scene["panel0.x range"] + 1.0}
    with pytest.raises(pytest.fail.Exception) as failed:
        reference.same_scene(moved, scene, "the gradient plot")
    message = str(failed.value)
    assert "\\\\" not in message and "$" not in message and "\\mid" not in message, message
    shown = re.search(r'panel 1 \("(.*)"\): x range', message).group(1)
    assert "".join(unicodedata.normalize("NFKC", shown).split()) == "".join(drawn(title).split())
    with pytest.raises(pytest.fail.Exception) as failed:
        reference.same_scene({**scene, "panel0.title": "p(y=1|x)"}, scene, "the gradient plot")
    assert f'title is "p(y=1|x)", expected "{shown}"' in str(failed.value)


def test_every_text_of_the_reference_figures_is_shown_with_the_characters_drawn():
    from autograder.figures import shown_text

    texts = set()
    for path in ROOT.glob("fixtures/ex*/*_scene.npz"):
        with np.load(path) as data:
            texts |= {str(data[k]) for k in data.files if data[k].dtype.kind == "U"}
    assert any("$" in t for t in texts)
    for text in texts:
        assert "".join(unicodedata.normalize("NFKC", shown_text(text)).split()) == "".join(drawn(text).split()), text


def test_a_syntax_error_names_its_place_once(tmp_path):
    text = (ROOT / "solutions" / "positional_encoding.py").read_text().splitlines(keepends=True)
    text[12] = "x = (\n" + text[12]
    with pytest.raises(SyntaxError) as python:
        compile("".join(text), "positional_encoding.py", "exec")
    folder = make_submission(tmp_path / "submission", {"positional_encoding.py": "".join(text)}, copy_solutions=False)
    run = grade(folder, *map(str, sorted((ROOT / "graders").glob("test_ex4_*.py"))), tmp_path=tmp_path)
    expected = f"positional_encoding.py raised SyntaxError at import, line {python.value.lineno}: {python.value.msg}"
    assert run.results["tests"] and all(t["output"] == expected for t in run.results["tests"]), run.results["tests"]


def test_an_empty_target_is_refused_in_one_line_that_says_what_to_give():
    done = subprocess.run([sys.executable, "-m", "pytest", "--target=", "-q"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    said = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 4 and len(said) == 1, said
    assert "  " not in said[0] and "--target" in said[0] and "skeletons" in said[0] and "solutions" in said[0], said


def test_the_last_line_tells_the_student_the_points_and_the_sandbox_in_plain_words(solutions_run):
    lines = solutions_run.stdout.splitlines()
    last, output = lines[-1], solutions_run.results["output"]
    assert output == last and "\n" not in output
    assert last.startswith("Graded: 160.0 / 160.0 points. Your code ran in a separate"), last
    assert not re.search(r"uid|nobody|Landlock|namespace|confinement|tried|workers|\(", last), last
    measured = next(line for line in lines if line.startswith("sandbox: "))  # the tutor's line, just above
    assert re.match(r"sandbox: workers run as \S+ \(uid \d+\)", measured), measured
    assert ("could open none of" in measured) == ("it could not read the graders' reference data" in last)
    assert ("WARNING" in measured) == ("WARNING" in last)
    footer = solutions_run.report.read_text().split("<footer>")[1]
    assert html.escape(measured.removeprefix("sandbox: ")) in footer


def test_a_ci_summary_adds_up_too(mistakes, tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps(mistakes.results))
    done = subprocess.run([sys.executable, "-m", "autograder.summary", str(results)], capture_output=True, text=True)
    rows = re.findall(r"^\| \d+ .*? \| (\d+\.\d) / \d+\.\d \|", done.stdout, re.MULTILINE)
    total = re.search(r"^### Points: (\d+\.\d) /", done.stdout, re.MULTILINE).group(1)
    assert len(rows) == 3 and sum(map(tenths, rows)) == tenths(total) == round(mistakes.results["score"] * 10)


def test_a_difference_picture_says_its_scale():
    """Drawn on its own scale, a difference of 0.004 is as red as one of 1: its label says which."""
    from autograder import report

    expected = np.linspace(0, 1, 64 * 64).reshape(64, 64)
    panels = report.array_panels(expected * 0.996, expected)
    label = next(k for k in panels if k.startswith("|difference|"))
    assert label == f"|difference|: white 0, red {float(np.abs(expected * 0.996 - expected).max()):.3g} (values span 1)"


def test_failures_whose_messages_differ_only_in_their_numbers_are_one_line_with_their_count(mistakes):
    """One mistake over parametrised cases is said once: "3.2-3.4 (3 tests; the numbers differ): ..."."""
    from autograder.shown import but_numbers

    failed = [t for t in mistakes.results["tests"] if t["status"] == "failed"]
    groups: dict[tuple[int, str], list[dict]] = {}
    for test in failed:
        groups.setdefault((test["extra_data"]["exercise"], but_numbers(test["output"])), []).append(test)
    varied = [g for g in groups.values() if len({t["output"] for t in g}) > 1]
    assert varied  # the planted mistakes give such messages (softmax_t at several temperatures)
    lines = mistakes.stdout.splitlines()
    for group in varied:
        said = [line for line in lines if line.endswith(f": {group[0]['output']}")]
        assert len(said) == 1 and f"({len(group)} tests; the numbers differ)" in said[0], said
        assert not any(line.endswith(f": {t['output']}") for t in group[1:] for line in lines)
