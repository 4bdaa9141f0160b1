"""The class view: a generated class of 30 submissions graded in a batch (run by a copy of the
project whose exercise-3 reference is first wrong, then fixed), its class page, gallery,
similarity pairs, exports and regrading report."""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from conftest import ROOT, STUDENT_FILES, make_submission
from corpus import BUGS, VARIANTS
from corpus.authors import AUTHORS, renamed
from planted import apply


# name -> (kind, what): kind is "correct", "copy", "variant", "bug" or "corrupt"
PLANTED = [(3, "T multiplied instead of divided", 3), (8, "probability of class 0", 3),
           (7, "average instead of max pooling", 2), (4, "attention not scaled", 2),
           (9, "argmax class instead of target_class", 2), (5, "mask ignored", 1), (7, "one iteration too many", 1),
           (8, "GX and GY swapped", 1), (1, "flipped filter", 1), (3, "unstable softmax", 1), (6, "biases forgotten", 1)]
MOODLE_NAME = "Ada Lovelace_4711_assignsubmission_file_"  # as Moodle's "Download all submissions" names folders
CANVAS_NAME = "turingalan_31337_900"  # as Canvas's "Download Submissions" names files


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_class(folder: Path) -> dict[str, tuple[str, str]]:
    """At least 30 submissions: independent correct ones, renamed copies, correct variants,
    planted bugs (several students sharing one), a corrupt zip; one folder named as Moodle's
    download names them, one as Canvas's."""
    students = {"correct-a": ("correct", "a")}
    make_submission(folder / "correct-a")
    for author, edits in AUTHORS.items():
        students[f"correct-{author}"] = ("correct", author)
        original = make_submission(folder / f"correct-{author}")
        for file, changes in edits.items():
            apply(original, file, changes)
        copy = make_submission(folder / f"copy-of-{author}")
        for file, changes in renamed(author).items():
            apply(copy, file, changes)
        students[f"copy-of-{author}"] = ("copy", author)
    with zipfile.ZipFile(folder / "copy-of-c.zip", "w") as z:  # one copy handed in as a zip
        for name in STUDENT_FILES:
            z.write(folder / "copy-of-c" / name, f"ps5/{name}")
    shutil.rmtree(folder / "copy-of-c")
    for number, entries in VARIANTS.items():
        if number in (1, 3, 4, 7, 8, 9):
            name, (file, changes) = next(iter(entries.items()))
            student = MOODLE_NAME if number == 1 else f"variant-ex{number}-{slug(name)}"
            apply(make_submission(folder / student), file, changes)
            students[student] = ("variant", name)
    for number, name, count in PLANTED:
        file, changes, _ = BUGS[number][name]
        for i in range(1, count + 1):
            student = CANVAS_NAME if (number, i) == (1, 1) else f"bug-ex{number}-{slug(name)}-{i}"
            apply(make_submission(folder / student), file, changes)
            students[student] = ("bug", name)
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 this zip was cut off")
    students["broken"] = ("corrupt", "")
    return students


def python(*args, cwd: Path, timeout: float = 3000, cancel: threading.Event | None = None) -> subprocess.CompletedProcess:
    """``python ARGS`` in ``cwd`` (the project copy on the path); interrupted as a tutor would
    (Ctrl-C) when ``cancel`` is set."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    command = [sys.executable, *args]
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        deadline = time.monotonic() + timeout
        while True:
            try:
                out, err = proc.communicate(timeout=1)
                break
            except subprocess.TimeoutExpired:
                if (cancel is not None and cancel.is_set()) or time.monotonic() > deadline:
                    proc.send_signal(signal.SIGINT)
                    try:
                        out, err = proc.communicate(timeout=60)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        out, err = proc.communicate()
                    break
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


Z = np.array([[1.0, 2.0, 0.5, -1.0, 3.0], [0.0, 0.0, 0.1, -2.0, 1.0]])  # the exercise-3 grader's logits
WRONG_REFERENCE = "ex3/softmax_T2.0.npz"


def write_reference(project: Path, p: np.ndarray) -> None:
    """Replace a reference file of the project copy and record it in its manifest, as regenerating does."""
    np.savez(project / "fixtures" / WRONG_REFERENCE, p=p.astype(np.float32))
    done = python("-c", "from pathlib import Path; from autograder.core import manifest; manifest.write(Path('fixtures'))",
                  cwd=project)
    assert done.returncode == 0, done.stderr


def grade_the_class(tmp: Path, cancel: threading.Event) -> dict:
    """Grade the class with a wrong exercise-3 reference (softmax(z * T), what the 'T multiplied'
    bug returns), then again with the reference fixed, then once more with nothing changed. One
    batch worker: this runs in the background beside the rest of the suite (tests/conftest.py)."""
    start = time.monotonic()
    project = tmp / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".venv", "reports", "__pycache__",
                                                                 "*.egg-info", "tests"))
    correct = np.load(ROOT / "fixtures" / WRONG_REFERENCE)["p"]
    e = np.exp(Z * 2.0 - (Z * 2.0).max(axis=-1, keepdims=True))
    write_reference(project, e / e.sum(axis=-1, keepdims=True))
    submissions = tmp / "submissions"
    students = make_class(submissions)
    out = tmp / "out"
    command = ["-m", "autograder.tools.batch", str(submissions), str(out), "--workers=1", "--call-timeout=20"]
    first = python(*command, cwd=project, cancel=cancel)
    assert first.returncode == 0, first.stderr[-3000:]
    before = {s: json.loads((out / s / "results.json").read_text()) for s in students}
    gradebook_before = (out / "gradebook.csv").read_text()
    write_reference(project, correct)
    second = python(*command, cwd=project, cancel=cancel)
    assert second.returncode == 0, second.stderr[-3000:]
    third = python(*command, cwd=project, cancel=cancel)
    assert third.returncode == 0, third.stderr[-3000:]
    return {"out": out, "students": students, "first": first, "second": second, "third": third,
            "before": before, "gradebook_before": gradebook_before, "seconds": time.monotonic() - start}


BACKGROUND: dict = {}


def start_in_background(items) -> None:
    """Start grading the class (called by tests/conftest.py at collection)."""
    if not BACKGROUND:
        tmp = Path(tempfile.mkdtemp(prefix="classview-test-"))
        cancel = threading.Event()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="classview")
        BACKGROUND.update(tmp=tmp, cancel=cancel, pool=pool, batch=pool.submit(grade_the_class, tmp, cancel))


def stop_background() -> list[str]:
    """Interrupt the batch if it still runs, remove its folder; its wall time."""
    if not BACKGROUND:
        return []
    BACKGROUND["cancel"].set()
    BACKGROUND["pool"].shutdown(wait=True)
    future = BACKGROUND["batch"]
    lines = [f"class batch (3 runs): {future.result()['seconds']:.0f} s"] if not future.exception() else []
    shutil.rmtree(BACKGROUND["tmp"], ignore_errors=True)
    BACKGROUND.clear()
    return lines


@pytest.fixture(scope="module")
def batch():
    start_in_background([])
    return BACKGROUND["batch"].result()


class Links(HTMLParser):
    """Every src/href of a page, the CSS url()s, and the text of its headings."""

    def __init__(self):
        super().__init__()
        self.links, self.headings, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("src", "href"):
                self.links.append(value)
        self._in = tag if tag in ("h1", "h2", "h3") else None

    def handle_data(self, data):
        if self._in:
            self.headings.append(data.strip())

    def handle_endtag(self, tag):
        self._in = None


def parse(page: Path) -> tuple[Links, str]:
    text = page.read_text(encoding="utf-8")
    links = Links()
    links.feed(text)
    links.links += re.findall(r"url\(([^)]*)\)", text)
    return links, text


def assert_self_contained(page: Path, out: Path) -> list[str]:
    """Every link is embedded data, an anchor, or a relative link to a file in OUT; returns the
    students' reports linked."""
    links, _ = parse(page)
    reports = []
    for link in links.links:
        if link.startswith(("data:", "#")):
            continue
        assert "://" not in link and not link.startswith("/"), f"{page.name} links outside OUT: {link}"
        assert (out / unquote(link)).is_file(), f"{page.name} links to a missing file: {link}"
        if link.endswith("/report.html"):
            reports.append(unquote(link).removesuffix("/report.html"))
    return reports


def test_the_class_has_at_least_30_submissions_and_every_one_is_in_the_gradebook(batch):
    rows = {r["student"]: r for r in csv.DictReader(open(batch["out"] / "gradebook.csv"))}
    assert len(batch["students"]) >= 30 and set(rows) == set(batch["students"])
    for student, (kind, _) in batch["students"].items():
        if kind in ("correct", "copy", "variant"):
            assert float(rows[student]["total"]) == 160.0, (student, rows[student])
        elif kind == "bug":
            assert float(rows[student]["total"]) < 160.0, student


def test_a_corrupt_zip_gets_results_a_report_and_output_saying_why(batch):
    folder = batch["out"] / "broken"
    results = json.loads((folder / "results.json").read_text())
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("not graded: unreadable zip")
    assert "unreadable zip" in (folder / "output.txt").read_text()
    report = (folder / "report.html").read_text()
    assert "Not graded: unreadable zip" in report and "<b>0.0 / 160.0 points</b>" in report
    # the run says it in its summary, not counted as graded: the counts add up to the submissions
    said, n = batch["first"].stdout.splitlines()[0], len(batch["students"])
    assert said == (f"{n} submissions: {n - 1} graded, 0 graded again, 0 unchanged since the last run "
                    "(not graded again), 1 not graded (broken: unreadable zip: File is not a zip file)"), said


def test_a_students_report_is_titled_by_the_student_not_by_the_tutors_paths(batch):
    for student in ("correct-a", "copy-of-c"):  # a folder, a zip unpacked in a temporary folder
        page = (batch["out"] / student / "report.html").read_text()
        title = re.search(r"<title>(.*?)</title>", page).group(1)
        assert title == f"Problem set 5: {student}", title
        assert "/tmp" not in page.split("<footer", 1)[0] and str(batch["out"].parent) not in page


def test_the_class_page_is_self_contained_and_has_the_tutors_sections(batch):
    out = batch["out"]
    reports = assert_self_contained(out / "class.html", out)
    assert set(reports) == set(batch["students"])  # every student is linked
    links, text = parse(out / "class.html")
    for heading in ("Score distribution", "Mistakes the class made", "Pass rate of every test", "Look twice",
                    "Not graded", "Similar submissions", "Points changed by the last regrading", "Students"):
        assert heading in links.headings, heading
    assert "data:image/png;base64," in text  # the distribution plots


def agenda(page: str) -> list[tuple[int, str, set[str]]]:
    """The mistakes table of the class page: (students, mistake, who), in page order."""
    section = page.split("id='agenda'", 1)[1].split("id='tests'", 1)[0]
    rows = re.findall(r"<tr><td class='num'>(\d+)</td><td>(.*?)</td><td>.*?</td><td>(.*?)</td></tr>", section)
    return [(int(n), mistake, {unquote(h).removesuffix("/report.html") for h in re.findall(r"href='([^']+)'", who)})
            for n, mistake, who in rows]


def test_the_mistakes_are_counted_by_student_most_frequent_first_with_who_made_them(batch):
    rows = agenda((batch["out"] / "class.html").read_text())
    counts = [n for n, _, _ in rows]
    assert rows and counts == sorted(counts, reverse=True)
    assert all(n == len(who) for n, _, who in rows)
    planted: dict[str, set[str]] = {}
    for student, (kind, name) in batch["students"].items():
        if kind == "bug":
            planted.setdefault(name, set()).add(student)
    # Students who planted the same bug are named together by one mistake whenever a hint fired
    # for them; the hinted bugs the corpus test relies on are among them.
    for name in ("T multiplied instead of divided", "probability of class 0", "attention not scaled"):
        assert any(planted[name] <= who for _, _, who in rows), name
    for _, mistake, who in rows:  # nobody with a correct submission is listed under a mistake
        assert not [s for s in who if batch["students"][s][0] in ("correct", "copy", "variant")], mistake


def test_the_pass_rate_of_a_test_counts_the_students_who_passed_it(batch):
    page = (batch["out"] / "class.html").read_text()
    results = {s: json.loads((batch["out"] / s / "results.json").read_text()) for s in batch["students"]}
    name = "test_ex8_plot.py::test_the_rendered_plot_matches_the_reference_picture"
    passed = sum(1 for r in results.values() for t in r["tests"] if t["name"] == name and t["status"] == "passed")
    graded = sum(1 for r in results.values() for t in r["tests"] if t["name"] == name)
    row = page.split("the rendered plot matches the reference picture", 1)[1]
    assert re.search(r"<td class='num'>(\d+) / (\d+)</td>", row).groups() == (str(passed), str(graded))
    assert 0 < passed < graded


def test_the_gallery_shows_the_reference_and_every_students_picture_linking_to_their_report(batch):
    out = batch["out"]
    reports = assert_self_contained(out / "gallery.html", out)
    links, text = parse(out / "gallery.html")
    with_grid = {s for s in batch["students"] if (out / s / "figures" / "ex7_grid.png").is_file()}
    with_plot = {s for s in batch["students"] if (out / s / "figures" / "ex8_plot.png").is_file()}
    assert len(with_grid) >= 25 and len(with_plot) >= 25
    assert reports.count("correct-a") == 2  # grid and plot
    for student in with_grid | with_plot:
        assert reports.count(student) == (student in with_grid) + (student in with_plot), student
    assert text.count("class='tile reference'") == 2
    # the figures are those the gradings rendered: exercise 9's pretrained saliency is skipped here (no weights)
    assert [h for h in links.headings if h.startswith("Exercise ")] == ["Exercise 7: the 2 x 5 grid",
                                                                         "Exercise 8: the gradient plot"]
    groups = [h for h in links.headings if ":" in h and "student(s)" in h]
    assert any(h.startswith("differs: this is p(y=0 | x)") for h in groups), groups
    # identical pictures are embedded once: far fewer pictures than tiles
    assert len(re.findall(r"data:image/webp", text)) < len(with_grid) + len(with_plot)


def pair_set(batch) -> set[frozenset]:
    pairs = json.loads((batch["out"] / "similarity.json").read_text())["pairs"]
    return {frozenset((p["a"], p["b"])) for p in pairs}


def test_renamed_copies_are_flagged_and_independent_submissions_are_not(batch):
    assert pair_set(batch) == {frozenset(("correct-b", "copy-of-b")), frozenset(("correct-c", "copy-of-c"))}
    page = (batch["out"] / "class.html").read_text()
    similar = page.split("id='similar'", 1)[1].split("id='changes'", 1)[0]
    assert similar.count("<details id='pair") == 2 and "<mark>" in similar  # the side-by-side view, shared code marked


def test_the_exports_carry_every_students_total_with_the_platforms_columns(batch):
    out = batch["out"]
    totals = {r["student"]: float(r["total"]) for r in csv.DictReader(open(out / "gradebook.csv"))}
    moodle = list(csv.DictReader(open(out / "moodle.csv", encoding="utf-8")))
    assert list(moodle[0]) == ["Identifier", "Full name", "Grade", "Maximum Grade", "Feedback comments"]
    by_id = {r["Identifier"]: r for r in moodle}
    assert by_id["Participant 4711"]["Full name"] == "Ada Lovelace"
    assert float(by_id["Participant 4711"]["Grade"]) == totals[MOODLE_NAME]
    assert by_id["broken"]["Feedback comments"].startswith("not graded: unreadable zip")
    assert by_id["broken"]["Grade"] == ""  # no grade rather than 0: the platform leaves it alone
    canvas = list(csv.reader(open(out / "canvas.csv", encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Problem set 5"]
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][-1] == "160"
    rows = {r[0]: r for r in canvas[2:]}
    assert rows[CANVAS_NAME][1] == "31337" and float(rows[CANVAS_NAME][-1]) == totals[CANVAS_NAME]
    assert rows["broken"][-1] == ""
    assert len(moodle) == len(canvas) - 2 == len(totals)


def test_regrading_after_the_reference_was_fixed_reports_exactly_the_students_whose_points_changed(batch):
    out, before = batch["out"], batch["before"]
    test = "test_ex3_softmax_temperature.py::test_values_match_the_reference[2.0]"
    expected = {}
    for student in batch["students"]:
        old = {t["name"]: t for t in before[student]["tests"]}
        new = {t["name"]: t for t in json.loads((out / student / "results.json").read_text())["tests"]}
        if test in old and old[test]["status"] != new[test]["status"]:
            expected[student] = new[test]["score"] - old[test]["score"]
    kinds = batch["students"]
    # the oracle: ex3-correct students gain that test's points, the 'T multiplied' bug loses them
    assert {s for s, d in expected.items() if d < 0} == {s for s, k in kinds.items() if k == ("bug", "T multiplied instead of divided")}
    assert {s for s, d in expected.items() if d > 0} >= {s for s, k in kinds.items() if k[0] in ("correct", "copy")}
    changes = json.loads((out / "changes.json").read_text())
    assert {c["student"]: c["delta"] for c in changes["changed"]} == pytest.approx(expected, abs=1e-3)
    assert all([t["name"] for t in c["tests"]] == [test] for c in changes["changed"])
    # only exercise 3 was graded again (its reference changed); the corrupt zip, never graded, is tried in full
    reasons = {r["student"]: r["reason"] for r in changes["regraded"]}
    assert set(reasons) == set(kinds) and reasons.pop("broken") == "graders changed"
    assert set(reasons.values()) == {"graders of exercise 3 changed"}
    for student in reasons:  # the other exercises' results were carried over whole
        names = lambda results: [t["name"] for t in results["tests"]]  # noqa: E731
        assert names(json.loads((out / student / "results.json").read_text())) == names(before[student]), student
    said = batch["second"].stdout
    assert f"points changed for {len(expected)} of the {len(kinds) - 1} graded again" in said  # not the corrupt zip
    assert sorted(re.findall(r"^  (\S.*?): [\d.]+ -> ", said, re.M)) == sorted(expected)
    history = list((out / "history").glob("gradebook-*.csv"))
    assert [h.read_text() for h in history] == [batch["gradebook_before"]]  # the earlier gradebook is kept
    assert "class='num passed'>+" in (out / "class.html").read_text()


def test_a_run_with_nothing_changed_grades_nobody_and_says_so(batch):
    said = batch["third"].stdout
    n = len(batch["students"])
    assert (f"{n} submissions: 0 graded, 0 graded again, {n - 1} unchanged since the last run (not graded again), "
            "1 not graded (broken: unreadable zip: File is not a zip file)") in said  # still named


def test_the_class_view_rebuilds_from_the_folder_alone(batch, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(batch["out"], copy)
    (copy / "class.html").unlink()
    (copy / "gallery.html").unlink()
    built = subprocess.run([sys.executable, "-m", "autograder.tools.classview", str(copy)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert (copy / "class.html").is_file() and (copy / "gallery.html").is_file()
    missing = subprocess.run([sys.executable, "-m", "autograder.tools.classview", str(tmp_path / "nothing")], cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "holds no gradebook.csv" in missing.stderr.strip().splitlines()[-1]


def test_a_regenerated_reference_changes_only_its_exercises_digest(tmp_path):
    """The manifest lists every exercise's reference files: each of its lines counts for the
    exercise it names, so regenerating one exercise's reference regrades that exercise alone."""
    from autograder.core import manifest
    from autograder.tools import history
    from autograder.core.problemset import ProblemSet
    project = tmp_path / "project"
    for folder in ("graders", "fixtures", "skeletons"):
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("problemset.toml", "pytest.ini", "conftest.py"):
        shutil.copy(ROOT / name, project / name)
    before = history.grading_digest(ProblemSet.load(project))
    (project / "fixtures" / WRONG_REFERENCE).write_bytes(b"changed")
    manifest.write(project / "fixtures")
    after = history.grading_digest(ProblemSet.load(project))
    assert history.changed_exercises(before, after) == [3]
    (project / "conftest.py").write_text((project / "conftest.py").read_text() + "\n# changed\n")
    assert history.changed_exercises(after, history.grading_digest(ProblemSet.load(project))) is None
