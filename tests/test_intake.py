"""What arrives is graded: the student files found in every layout a submission arrives in
(autograder/core/intake.py), the worker's sandbox made from them, and a class folder holding one
submission per layout graded in one batch."""
import csv
import io
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import EXERCISES, PROBLEMSET, PROVIDED_FILES, ROOT, STUDENT_FILES

from autograder.core import intake
from autograder.results import Results
from autograder.core.launcher import sandbox_folder
from autograder.core.session import WorkerSession

SOLUTIONS = {name: (ROOT / "solutions" / name).read_bytes() for name in STUDENT_FILES}
POSSIBLE = sum(exercise.points for exercise in EXERCISES.values())
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "  # what Finder writes in __MACOSX/._<name>


# -- layouts, as platforms and operating systems make them -------------------------------------
def write(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def finder_zip(path: Path, folder: str = "ps5", files: dict[str, bytes] = SOLUTIONS) -> Path:
    """A folder compressed by macOS's Finder: the folder's entries, its .DS_Store, and an
    AppleDouble ``__MACOSX/<folder>/._<name>`` beside every file."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{folder}/", b"")
        for name, data in {**files, ".DS_Store": b"\x00\x00\x00\x01Bud1"}.items():
            z.writestr(f"{folder}/{name}", data)
            z.writestr(f"__MACOSX/{folder}/._{name}", APPLE_DOUBLE)
    return path


def tar_of(path: Path, mode: str, folder: str = "ps5", files: dict[str, bytes] = SOLUTIONS) -> Path:
    source = write(Path(tempfile.mkdtemp(dir=path.parent)) / folder, files)
    with tarfile.open(path, mode) as tar:
        tar.add(source, arcname=folder)
    shutil.rmtree(source.parent)
    return path


def moodle_folder(folder: Path) -> Path:
    """Moodle's "Download all submissions": a folder per student holding what they uploaded, here a zip."""
    folder.mkdir(parents=True)
    finder_zip(folder / "ps5.zip")
    return folder


def student_package_copy(folder: Path) -> Path:
    """A student's copy of the student package, answers in skeletons/, with what a working copy
    gathers: a venv, caches, notebook checkpoints, git, reports; decoys named like student files."""
    write(folder / "skeletons", SOLUTIONS)
    for name in PROVIDED_FILES:
        shutil.copyfile(ROOT / "skeletons" / name, folder / "skeletons" / name)
    decoy = b"raise SystemExit('not the answer')\n"
    write(folder, {"README.md": b"# Problem set 5\n", "pytest.ini": b"[pytest]\n", "autograder/__init__.py": b"",
                   "graders/test_ex7_maxpool.py": (ROOT / "graders" / "test_ex7_maxpool.py").read_bytes(),
                   "reports/report.html": b"<html></html>",
                   ".venv/lib/python3.11/site-packages/iter_maxpool.py": decoy,
                   "venv/lib/iter_maxpool.py": decoy, "node_modules/x/gradients2d.py": decoy,
                   "skeletons/.ipynb_checkpoints/iter_maxpool-checkpoint.py": decoy,
                   "skeletons/__pycache__/iter_maxpool.py": decoy, ".git/iter_maxpool.py": decoy})
    return folder


CANVAS = {"iter_maxpool.py": "alice_12345_67890_iter_maxpool.py", "gradients2d.py": "gradients2d-1.py",
          "softmax_temperature.py": "softmax_temperature (1).py",
          "transposed_conv.py": "alice_LATE_12345_67891_transposed_conv-2.py"}


def canvas_folder(folder: Path) -> Path:
    """Files renamed as Canvas's download (and its resubmission suffix) and a browser rename them."""
    return write(folder, {CANVAS.get(name, name): data for name, data in SOLUTIONS.items()})


def found(path: Path, name: str | None = None) -> tuple[dict[str, bytes], dict[str, str], list[Path]]:
    """(student file -> its bytes, student file -> where it was found, the folders that held them)."""
    submission = intake.find(PROBLEMSET, path, name)
    try:
        return ({n: p.read_bytes() for n, p in submission.files.items()}, submission.shown,
                [f.relative_to(path) if path in f.parents or f == path else f for f in submission.folders])
    finally:
        submission.close()


def refused(path: Path) -> str:
    with pytest.raises(intake.IntakeError) as caught:
        intake.find(PROBLEMSET, path).close()
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.fixture(autouse=True)
def scratch_in(tmp_path, monkeypatch):
    """Archives are unpacked under tmp_path/scratch, which every test leaves empty."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    yield
    assert not list((tmp_path / "scratch").iterdir()), "a scratch folder was left behind"


# -- layouts -------------------------------------------------------------------------------------
def test_a_zip_made_by_macos_finder_is_found_in_its_folder_past_the_macosx_copies(tmp_path):
    files, shown, _ = found(finder_zip(tmp_path / "alice.zip"))
    assert files == SOLUTIONS
    assert shown == {name: f"ps5/{name}" for name in STUDENT_FILES}


@pytest.mark.parametrize("suffix, mode", [(".tar.gz", "w:gz"), (".tgz", "w:gz"), (".tar", "w:")])
def test_a_tar_archive_of_a_folder_is_unpacked_and_searched(tmp_path, suffix, mode):
    files, shown, _ = found(tar_of(tmp_path / f"alice{suffix}", mode))
    assert files == SOLUTIONS and set(shown.values()) == {f"ps5/{name}" for name in STUDENT_FILES}


def test_the_files_one_folder_deeper_are_found(tmp_path):
    files, shown, folders = found(write(tmp_path / "bob", {f"ps5/{n}": d for n, d in SOLUTIONS.items()}))
    assert files == SOLUTIONS and folders == [Path("ps5")]


def test_moodles_folder_holding_the_students_zip_is_unpacked_and_searched(tmp_path):
    files, shown, _ = found(moodle_folder(tmp_path / "Alice Smith_12345_assignsubmission_file_"))
    assert files == SOLUTIONS
    assert shown["iter_maxpool.py"] == "ps5.zip/ps5/iter_maxpool.py"


def test_a_copy_of_the_student_package_is_graded_from_its_skeletons_past_venvs_caches_and_git(tmp_path):
    files, shown, folders = found(student_package_copy(tmp_path / "carol"))
    assert files == SOLUTIONS and folders == [Path("skeletons")]
    assert not set(files) & set(PROVIDED_FILES)  # provided files are no student files


def test_a_tar_of_the_student_package_is_not_refused_for_its_venvs_links(tmp_path):
    folder = student_package_copy(tmp_path / "carol")
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".venv" / "bin" / "python").symlink_to("/usr/bin/python3")  # as python3 -m venv makes it
    with tarfile.open(tmp_path / "carol.tgz", "w:gz") as tar:
        tar.add(folder, arcname="carol")
    files, shown, _ = found(tmp_path / "carol.tgz")
    assert files == SOLUTIONS and shown["iter_maxpool.py"] == "carol/skeletons/iter_maxpool.py"


def test_names_canvas_and_browsers_make_of_a_student_file_are_accepted(tmp_path):
    files, shown, _ = found(canvas_folder(tmp_path / "alice"))
    assert files == SOLUTIONS
    assert {name: shown[name] for name in CANVAS} == CANVAS


def test_an_exact_name_is_taken_before_a_platforms_name_for_it(tmp_path):
    folder = write(tmp_path / "alice", {**SOLUTIONS, "iter_maxpool (1).py": b"# an older version\n"})
    assert found(folder)[0] == SOLUTIONS


def test_two_different_files_a_platforms_name_could_stand_for_are_not_graded(tmp_path):
    folder = write(tmp_path / "alice", {"iter_maxpool-1.py": SOLUTIONS["iter_maxpool.py"],
                                        "iter_maxpool-2.py": b"# the other one\n"})
    assert refused(folder) == "two different copies of iter_maxpool.py: iter_maxpool-1.py and iter_maxpool-2.py"


@pytest.mark.parametrize("name", STUDENT_FILES)
def test_a_lone_file_named_by_its_student_is_the_student_file_whose_functions_it_defines(tmp_path, name):
    bob = tmp_path / "bob.py"
    bob.write_bytes(SOLUTIONS[name])
    files, shown, folders = found(bob)
    assert files == {name: SOLUTIONS[name]} and shown == {name: "bob.py"}
    assert folders == []  # nothing beside a lone file is the student's


def test_a_lone_file_that_defines_none_of_the_student_functions_is_one_line(tmp_path):
    (tmp_path / "bob.py").write_text("def main():\n    print('hello')\n")
    assert refused(tmp_path / "bob.py") == (f"bob.py is none of the student files ({', '.join(STUDENT_FILES)}): "
                                            "it defines none of their functions or classes")
    helper = next(name for name in PROVIDED_FILES if name.endswith(".py"))
    assert refused(ROOT / "skeletons" / helper).startswith(f"{helper} is a provided file, not a student file")


def test_two_different_copies_of_a_student_file_are_one_line_naming_both(tmp_path):
    folder = write(tmp_path / "dave", {**{f"ps5/{n}": d for n, d in SOLUTIONS.items()},
                                       "old/iter_maxpool.py": b"# a first try\n"})
    assert refused(folder) == "two different copies of iter_maxpool.py: old/iter_maxpool.py and ps5/iter_maxpool.py"
    (folder / "old" / "iter_maxpool.py").write_bytes(SOLUTIONS["iter_maxpool.py"])  # identical copies are fine
    files, shown, _ = found(folder)
    assert files == SOLUTIONS and shown["iter_maxpool.py"] == "ps5/iter_maxpool.py"  # beside the other files


def test_nothing_found_is_one_line_naming_what_was_looked_for_and_what_was_there(tmp_path):
    folder = write(tmp_path / "erin", {"ps5/iter_maxpool.txt": b"wrong suffix", "notes.pdf": b"%PDF"})
    (folder / "__MACOSX").mkdir()
    assert refused(folder) == (f"{folder} holds none of the student files ({', '.join(STUDENT_FILES)}) at any depth, "
                               "nor in an archive; it holds 2 files: notes.pdf, ps5/iter_maxpool.txt")
    assert refused(tmp_path / "missing") == f"{tmp_path / 'missing'} does not exist"
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    assert refused(tmp_path / "notes.pdf").startswith("not a submission: notes.pdf is a .pdf file")


# -- archives, safely --------------------------------------------------------------------------
def zip_with(path: Path, members: list[tuple[str, bytes, int]]) -> Path:
    """A zip of (name, data, Unix mode) members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


def tar_with(path: Path, member: tarfile.TarInfo, data: bytes = b"") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in SOLUTIONS.items():
            info = tarfile.TarInfo(f"ps5/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        tar.addfile(member, io.BytesIO(data) if data else None)
    return path


def tar_member(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, linkname
    return member


def nested(path: Path, depth: int) -> Path:
    """A zip holding a zip ... ``depth`` archives deep, the innermost holding the solutions."""
    finder_zip(path.with_name("level0.zip"))
    for level in range(1, depth):
        inner = path.with_name(f"level{level - 1}.zip")
        zip_with(path.with_name(f"level{level}.zip"), [(inner.name, inner.read_bytes(), 0o644)])
    path.with_name(f"level{depth - 1}.zip").rename(path)
    return path


ENTRY = 0o100644
UNSAFE = {
    "a path out of the folder (zip)": (lambda p: zip_with(p / "a.zip", [("../evil.py", b"x", ENTRY)]),
                                       "unsafe zip: ../evil.py lies outside the archive's folder"),
    "an absolute path (zip)": (lambda p: zip_with(p / "a.zip", [("/tmp/evil.py", b"x", ENTRY)]),
                               "unsafe zip: /tmp/evil.py lies outside the archive's folder"),
    "a link (zip)": (lambda p: zip_with(p / "a.zip", [("ps5/iter_maxpool.py", b"/etc/passwd", stat.S_IFLNK | 0o777)]),
                     "unsafe zip: ps5/iter_maxpool.py is a link"),
    "a path out of the folder (tar.gz)": (lambda p: tar_with(p / "a.tar.gz", tar_member("../../evil.py", tarfile.REGTYPE)),
                                          "unsafe tar.gz: ../../evil.py lies outside the archive's folder"),
    "a symbolic link (tar.gz)": (lambda p: tar_with(p / "a.tar.gz", tar_member("ps5/x.py", tarfile.SYMTYPE, "/etc/passwd")),
                                 "unsafe tar.gz: ps5/x.py is a link (to /etc/passwd)"),
    "a hard link (tar.gz)": (lambda p: tar_with(p / "a.tar.gz", tar_member("ps5/x.py", tarfile.LNKTYPE, "/etc/shadow")),
                             "unsafe tar.gz: ps5/x.py is a link (to /etc/shadow)"),
    "a device (tar.gz)": (lambda p: tar_with(p / "a.tar.gz", tar_member("ps5/null", tarfile.CHRTYPE)),
                          "unsafe tar.gz: ps5/null is a device"),
    "more than 64 MiB unpacked": (lambda p: zip_with(p / "a.zip", [("ps5/zeros.npy", bytes(65 * 2**20), ENTRY)]),
                                  "unsafe zip: it unpacks to more than 64 MiB"),
    "more than 10000 files": (lambda p: zip_with(p / "a.zip", [(f"ps5/{i}.txt", b"", ENTRY) for i in range(10_001)]),
                              "unsafe zip: more than 10000 files to unpack"),
    "archives nested 4 deep": (lambda p: nested(p / "a.zip", 4),
                               "unsafe zip level2.zip/level1.zip/level0.zip: archives nested more than 3 deep"),
}


@pytest.mark.parametrize("case", UNSAFE)
def test_an_unsafe_archive_is_refused_in_one_line_and_nothing_leaves_the_scratch_folder(tmp_path, case):
    make, expected = UNSAFE[case]
    (tmp_path / "in").mkdir()
    archive = make(tmp_path / "in")
    assert refused(archive) == expected
    written = {p.name for p in tmp_path.rglob("*")}
    assert "evil.py" not in written and "passwd" not in written  # the autouse fixture: the scratch is empty


def test_archives_nested_3_deep_are_unpacked(tmp_path):
    files, shown, _ = found(nested(tmp_path / "a.zip", 3))
    assert files == SOLUTIONS and shown["iter_maxpool.py"] == "level1.zip/level0.zip/ps5/iter_maxpool.py"


def test_an_unreadable_archive_is_one_line_naming_it_inside_what_arrived(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this zip was cut off")
    assert refused(tmp_path / "broken.zip") == "unreadable zip: File is not a zip file"
    (tmp_path / "moodle").mkdir()
    (tmp_path / "moodle" / "ps5.tar.gz").write_bytes(b"\x1f\x8b\x08\x00 cut off")
    assert refused(tmp_path / "moodle").startswith("unreadable tar.gz ps5.tar.gz: ")


def test_an_entry_is_named_by_its_student_and_the_operating_systems_files_are_litter():
    names = {"alice.zip": "alice", "bob.tar.gz": "bob", "carol.tgz": "carol", "dave.tar": "dave", "erin.py": "erin",
             "Frank Li_4711_assignsubmission_file_": "Frank Li_4711_assignsubmission_file_", "notes.pdf": "notes.pdf"}
    assert {name: intake.student_name(Path(name)) for name in names} == names
    litter = [".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX", "._alice.zip"]
    assert [name for name in [*litter, "alice", "alice.zip"] if intake.is_litter(name)] == litter


# -- the sandbox -------------------------------------------------------------------------------
def test_the_sandbox_holds_the_found_files_under_their_own_names_their_folders_files_and_the_provided_files(
        tmp_path, monkeypatch):
    folder = write(tmp_path / "alice", {"ps5/alice_12345_67890_iter_maxpool.py": SOLUTIONS["iter_maxpool.py"],
                                        "ps5/my_utils.py": b"X = 1\n", "ps5/helper_maxpool.py": b"planted = True\n",
                                        "ps5/deeper/more.py": b"", "elsewhere/notes.txt": b"",
                                        "ps6/gradients2d.py": SOLUTIONS["gradients2d.py"]})
    launcher = SimpleNamespace(confinement=SimpleNamespace(wait=lambda: None),  # no audit worker needed
                               folder=sandbox_folder)
    submission = intake.find(PROBLEMSET, folder)
    session = WorkerSession(EXERCISES[7], submission, PROBLEMSET, launcher, timeout=1, memory_bytes=None)
    root = session._prepare_sandbox()
    try:
        work = root / "work"
        assert {p.name for p in work.iterdir()} == {
            "iter_maxpool.py", "alice_12345_67890_iter_maxpool.py", "my_utils.py", "gradients2d.py",
            *EXERCISES[7].provided}  # not deeper/ nor elsewhere/: the folders' plain files only
        assert (work / "iter_maxpool.py").read_bytes() == SOLUTIONS["iter_maxpool.py"]
        for name in EXERCISES[7].provided:  # the framework's copy, never the submission's
            assert (work / name).read_bytes() == (ROOT / "skeletons" / name).read_bytes()
        assert session.submitted
    finally:
        shutil.rmtree(root)
        submission.close()


def test_an_entrys_resume_key_changes_with_its_files_not_with_the_folders_passed_over(tmp_path):
    from autograder.tools.batch import digest

    folder = student_package_copy(tmp_path / "carol")
    before = digest(folder)
    (folder / ".venv" / "lib" / "python3.11" / "site-packages" / "torch.py").write_text("# a library")
    (folder / "skeletons" / "__pycache__" / "iter_maxpool.cpython-311.pyc").write_bytes(b"\x00")
    assert digest(folder) == before  # a student's copied venv is never read
    (folder / "skeletons" / "iter_maxpool.py").write_text("# resubmitted\n")
    assert digest(folder) != before


# -- a class folder of every layout, graded in one batch --------------------------------------
def make_class(folder: Path) -> dict[str, str]:
    """One entry per layout, each the reference solutions: student -> what is expected
    ('full marks', 'exercise <N>' for a lone file, or the status that says why it is not graded)."""
    folder.mkdir()
    finder_zip(folder / "finder.zip")
    tar_of(folder / "targz.tar.gz", "w:gz")
    tar_of(folder / "tgz.tgz", "w:gz")
    tar_of(folder / "tar.tar", "w:")
    write(folder / "deeper", {f"ps5/{n}": d for n, d in SOLUTIONS.items()})
    moodle_folder(folder / "Alice Smith_12345_assignsubmission_file_")
    student_package_copy(folder / "package")
    canvas_folder(folder / "canvas")
    (folder / "bob.py").write_bytes(SOLUTIONS["gradients2d.py"])
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    write(folder / "conflict", {**SOLUTIONS, "old/iter_maxpool.py": b"# a first try\n"})
    finder_zip(folder / "carol.zip")
    write(folder / "carol", SOLUTIONS)
    write(folder / "empty", {"readme.txt": b"I will hand in tomorrow"})
    write(folder, {".DS_Store": b"\x00\x00\x00\x01Bud1", "Thumbs.db": b"", "__MACOSX/._finder.zip": APPLE_DOUBLE})
    full = {s: "full marks" for s in ("finder", "targz", "tgz", "tar", "deeper", "Alice Smith_12345_assignsubmission_file_",
                                      "package", "canvas")}
    looked_for = f"({', '.join(STUDENT_FILES)}) at any depth, nor in an archive"
    return {**full, "bob": f"exercise {next(n for n, e in EXERCISES.items() if e.student_file == 'gradients2d.py')}",
            "notes.pdf": "not a submission: notes.pdf is a .pdf file, not a folder, an archive (.zip, .tar, .tar.gz, "
                         ".tgz) or a .py file",
            "conflict": "two different copies of iter_maxpool.py: iter_maxpool.py and old/iter_maxpool.py",
            "carol": "2 entries name the same student: carol/ and carol.zip",
            "empty": f"empty holds none of the student files {looked_for}; it holds 1 file: readme.txt"}


def batch(submissions: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.tools.batch", str(submissions), str(out), "--workers=2",
                           "--call-timeout=60"], cwd=ROOT, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    expected = make_class(base / "submissions")
    first = batch(base / "submissions", base / "out")
    again = batch(base / "submissions", base / "out")
    return {"expected": expected, "out": base / "out", "first": first, "again": again}


def test_every_layout_of_the_solutions_gets_full_marks_in_a_batch(graded_class):
    assert graded_class["first"].returncode == 0, graded_class["first"].stderr[-3000:]
    rows = {r["student"]: r for r in csv.DictReader(open(graded_class["out"] / "gradebook.csv"))}
    for student, expected in graded_class["expected"].items():
        row = rows[student]
        if expected == "full marks":
            assert row["status"] == "graded" and float(row["total"]) == POSSIBLE, (student, row)
        elif expected.startswith("exercise "):  # a lone file: its exercise at full marks, the others not submitted
            number = int(expected.split()[1])
            assert row["status"].startswith("graded; missing files: "), row
            assert float(row[f"ex{number}"]) == float(row["total"]) == EXERCISES[number].points, row


def test_every_entry_is_in_the_gradebook_with_the_reason_it_was_not_graded(graded_class):
    expected, out = graded_class["expected"], graded_class["out"]
    rows = {r["student"]: r for r in csv.DictReader(open(out / "gradebook.csv"))}
    assert set(rows) == set(expected)  # the operating system's files are no students
    for student, reason in expected.items():
        if reason != "full marks" and not reason.startswith("exercise "):
            assert rows[student]["status"] == reason, rows[student]
            results = Results.read(out / student / "results.json")
            assert (results.score, results.output, results.tests) == (0.0, f"not graded: {reason}", [])
            assert sum(e["points"] for e in results.exercises.values()) == PROBLEMSET.points  # 0 of them
    said = graded_class["first"].stdout.splitlines()
    not_graded = sorted(s for s, r in expected.items() if r != "full marks" and not r.startswith("exercise "))
    assert said[0] == (f"{len(expected)} submissions: {len(expected) - len(not_graded)} graded, 0 graded again, "
                       f"0 unchanged since the last run (not graded again), {len(not_graded)} not graded ("
                       + ", ".join(f"{s}: {expected[s]}" for s in not_graded) + ")"), said[0]
    assert said[1] == "3 entries passed over, the operating system's files, not submissions: .DS_Store, Thumbs.db, __MACOSX"


def test_a_second_run_grades_no_entry_of_any_kind_again(graded_class):
    again = graded_class["again"]
    assert again.returncode == 0, again.stderr[-3000:]
    n = len(graded_class["expected"])
    graded = sum(1 for r in graded_class["expected"].values() if r == "full marks" or r.startswith("exercise "))
    assert again.stdout.startswith(f"{n} submissions: 0 graded, 0 graded again, {graded} unchanged since the last run"
                                   f" (not graded again), {n - graded} not graded ("), again.stdout
