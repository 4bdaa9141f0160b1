"""The Gradescope autograder zip, graded the way Gradescope runs it (tests/gradescope.py): the zip
from ``python -m autograder.tools.release gradescope``, the image built by its setup.sh, each submission
in a fresh container from /autograder with Gradescope's limits.

The image build and the runs take minutes (pip installs torch; a submission whose functions never
return runs the judge's whole time budget), so they start in the background as soon as collection
finishes (tests/conftest.py), and these tests run last: each waits for what it checks.
"""
from __future__ import annotations

import ast
import hashlib
import json
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import gradescope
import pytest
from conftest import EXERCISES, ROOT, STUDENT_FILES, make_submission
from hostile import files as hostile_files

REASON = gradescope.unavailable()
THIEF, PLAIN = "copies the reference data", "plain wrong answer"


def endless(source: str) -> str:
    """``source`` with ``while True: pass`` as the first statement of every function and method."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.body.insert(0, ast.While(test=ast.Constant(True), body=[ast.Pass()], orelse=[]))
    return ast.unparse(ast.fix_missing_locations(tree))


def copy_of(folder: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for item in folder.iterdir():
        if item.is_file():
            shutil.copyfile(item, target / item.name)
    return target


def snapshot(image: Path) -> dict[str, tuple]:
    """Every path of the image with its kind, size, mode and modification time."""
    found = {}
    for folder, dirs, names in os.walk(image):
        for name in dirs + names:
            info = os.lstat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), image)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


def hostile(case: str):
    return lambda d: make_submission(d, hostile_files(case, ROOT / "solutions", d.parent / "marker"))


ZIPPED = "a zipped folder"


def unpacked_upload(folder: Path) -> Path:
    """What Gradescope makes of an uploaded zip of a folder made by macOS's Finder: the folder
    (with its .DS_Store) and the AppleDouble copies in __MACOSX/, unpacked in the submission folder."""
    copy_of(ROOT / "solutions", folder / "ps5")
    (folder / "ps5" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "__MACOSX" / "ps5").mkdir(parents=True)
    for name in STUDENT_FILES:
        (folder / "__MACOSX" / "ps5" / f"._{name}").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    return folder


# name -> (how to make the submission in a folder, Landlock available)
SUBMISSIONS = {
    "endless functions": (lambda d: make_submission(d, {name: endless((ROOT / "solutions" / name).read_text())
                                                        for name in STUDENT_FILES}), True),
    "solutions": (lambda d: copy_of(ROOT / "solutions", d), True),
    ZIPPED: (unpacked_upload, True),
    "skeletons": (lambda d: copy_of(ROOT / "skeletons", d), True),
    THIEF: (hostile(THIEF), True),
    f"{THIEF}, no Landlock": (hostile(THIEF), False),
    PLAIN: (hostile(PLAIN), True),
}


class Campaign:
    """The zip, the image and the runs the selected tests need, computed in background threads."""

    def __init__(self, runs: set[str]):
        self.base = Path(tempfile.mkdtemp(prefix="gradescope-test-"))
        os.chmod(self.base, 0o755)
        self.cancel = threading.Event()
        self.as_built: dict[str, tuple] = {}  # the image's snapshot after the build
        self.pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="gradescope")
        self.build: Future = self.pool.submit(self._build)
        self.runs: dict[str, Future] = {name: self.pool.submit(self._run, name) for name in SUBMISSIONS if name in runs}

    def _build(self) -> gradescope.Build:
        package = self.base / "autograder.zip"
        made = subprocess.run([sys.executable, "-m", "autograder.tools.release", "gradescope", str(package)], cwd=ROOT,
                              capture_output=True, text=True)
        if made.returncode != 0:
            return gradescope.Build(self.base / "image", made.returncode, made.stdout + made.stderr, 0.0)
        build = gradescope.build_image(package, self.base / "image", cancel=self.cancel)
        self.as_built = snapshot(build.image)
        return build

    def _run(self, name: str) -> gradescope.Run:
        build = self.build.result()
        if not build.ok:
            raise RuntimeError(f"the image did not build: {build.error}")
        make, landlock = SUBMISSIONS[name]
        folder = make(self.base / "submissions" / name / "files")
        return gradescope.run_submission(build.image, folder, landlock=landlock, cancel=self.cancel,
                                         keep=self.base / "results" / name)

    def timings(self) -> list[str]:
        lines = []
        if self.build.done() and not self.build.exception():
            build = self.build.result()
            lines.append(f"image build: {build.seconds:.0f} s, exit status {build.returncode}")
        for name, future in self.runs.items():
            if future.done() and not future.exception():
                run = future.result()
                lines.append(f"{name}: {run.seconds:.0f} s, peak {run.peak_mib:.0f} MiB, "
                             f"OOM kills {run.oom_kills}, score {run.results.get('score') if run.results else None}"
                             + (f", {run.failure}" if run.failure else ""))
        return lines

    def stop(self) -> None:
        self.cancel.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.base, ignore_errors=True)


CAMPAIGN: Campaign | None = None


def start_in_background(items) -> None:
    """Start the build and the runs ``items`` need (called by tests/conftest.py at collection)."""
    global CAMPAIGN
    if CAMPAIGN is None and not REASON:
        CAMPAIGN = Campaign({name for item in items for mark in item.iter_markers("gradescope") for name in mark.args})


def stop_background() -> list[str]:
    """Cancel what still runs, remove the image; the timings measured."""
    global CAMPAIGN
    if CAMPAIGN is None:
        return []
    lines = [f"Gradescope {line}" for line in CAMPAIGN.timings()]
    CAMPAIGN.stop()
    CAMPAIGN = None
    return lines


@pytest.fixture(scope="module")
def campaign(request) -> Campaign:
    if REASON:
        pytest.skip(f"the Gradescope harness {REASON}")
    start_in_background([item for item in request.session.items if item.path == request.path])
    return CAMPAIGN


def graded(campaign: Campaign, name: str) -> gradescope.Run:
    """The run of ``name``, with results Gradescope accepts, as documented."""
    run = campaign.runs[name].result()
    assert not run.failure, f"{name}: {run.failure}\n{run.stdout[-3000:]}"
    problems = gradescope.results_problems(run.results)
    assert not problems, f"{name}: results.json is not as Gradescope documents it: {problems}"
    return run


def by_exercise(results: dict) -> dict[int, float]:
    totals: dict[int, float] = {}
    for test in results["tests"]:
        number = int(test["number"].split(".")[0])
        totals[number] = totals.get(number, 0.0) + test["score"]
    return totals


# -- the image ---------------------------------------------------------------------------------
@pytest.mark.gradescope()
def test_the_image_builds_from_the_release_zip(campaign):
    build = campaign.build.result()
    if not build.ok:
        pytest.fail(f"the image build failed (exit status {build.returncode}): {build.error}\n"
                    f"{build.output[-4000:]}", pytrace=False)


def solutions_in(image: Path) -> list[str]:
    """Folders named solutions/, copies of the solutions' own files (by content) and bytecode
    compiled from a solution, in ``image``."""
    secrets, code = {}, {}  # the solutions' files that differ from what students get
    for path in (ROOT / "solutions").iterdir():
        skeleton = ROOT / "skeletons" / path.name
        if path.is_file() and not (skeleton.exists() and skeleton.read_bytes() == path.read_bytes()):
            secrets[hashlib.sha256(path.read_bytes()).hexdigest()] = path.stat().st_size
            if path.suffix == ".py":
                code[path.stem] = compile(path.read_text(), path.name, "exec", dont_inherit=True)
    assert len(secrets) >= len(STUDENT_FILES) and code  # the check looks for something
    sizes = set(secrets.values())
    found = []
    for folder, dirs, names in os.walk(image):
        found += [os.path.join(folder, d) for d in dirs if d == "solutions"]
        for name in names:
            path = Path(folder, name)
            if path.is_symlink():
                continue
            if path.stat().st_size in sizes and hashlib.sha256(path.read_bytes()).hexdigest() in secrets:
                found.append(str(path))
            elif name.endswith(".pyc") and name.split(".")[0] in code:
                try:
                    compiled = marshal.loads(path.read_bytes()[16:])
                except (ValueError, EOFError, TypeError):
                    continue
                if compiled == code[name.split(".")[0]]:  # code objects compare without their file name
                    found.append(str(path))
    return found


OPEN_EACH = """import json, sys
opened = []
for path in sys.argv[1:]:
    try:
        with open(path, 'rb') as f:
            f.read(1)
        opened.append(path)
    except OSError:
        pass
print(json.dumps(opened))"""


def opened_by_nobody(image: Path) -> tuple[list[str], list[str]]:
    """(every file of the image's fixtures/ and graders/, those ``nobody`` opened in a container)."""
    fixtures = [p.parent for p in (image / "autograder").rglob("MANIFEST.sha256") if p.parent.name == "fixtures"]
    graders = [p.parent for p in (image / "autograder").rglob("test_ex1_*.py") if p.parent.name == "graders"]
    assert fixtures and graders, f"no fixtures/ or graders/ in the image: {fixtures}, {graders}"
    paths = ["/" + str(p.relative_to(image)) for folder in fixtures + graders for p in sorted(folder.rglob("*"))
             if p.is_file()]
    as_root = gradescope.run_in_image(image, ["python3", "-c", OPEN_EACH, *paths])
    assert as_root[0] == 0 and json.loads(as_root[1]) == paths, as_root  # the paths are right
    as_nobody = gradescope.run_in_image(image, ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                                "python3", "-c", OPEN_EACH, *paths])
    assert as_nobody[0] == 0, as_nobody
    return paths, json.loads(as_nobody[1])


@pytest.mark.gradescope()
def test_the_image_holds_no_solutions(campaign):
    build = campaign.build.result()
    assert build.ok, f"the image did not build: {build.error}"
    found = solutions_in(build.image)
    assert not found, f"the image holds the solutions: {found}"


@pytest.mark.gradescope()
def test_the_image_fixtures_and_graders_are_closed_to_nobody(campaign):
    build = campaign.build.result()
    assert build.ok, f"the image did not build: {build.error}"
    paths, opened = opened_by_nobody(build.image)
    assert len(opened) == 0, f"nobody can open {len(opened)} of {len(paths)} files, e.g. {opened[:3]}"


# -- submissions -------------------------------------------------------------------------------
@pytest.mark.gradescope("solutions")
def test_the_reference_solutions_get_full_marks(campaign):
    results = graded(campaign, "solutions").results
    possible = sum(ex.points for ex in EXERCISES.values())
    failed = [f"{t['number']} {t['name']}: {t['output']}" for t in results["tests"] if t["status"] != "passed"]
    assert not failed, failed[:5]
    assert results["score"] == pytest.approx(possible) == sum(t["max_score"] for t in results["tests"])


@pytest.mark.gradescope(ZIPPED, "solutions")
def test_a_zipped_folder_of_the_solutions_gets_full_marks(campaign):
    """Gradescope unpacks an uploaded zip of a folder one folder deep (submission/ps5/): the
    student files are found there, past __MACOSX's copies."""
    results = graded(campaign, ZIPPED).results
    failed = [f"{t['number']} {t['name']}: {t['output']}" for t in results["tests"] if t["status"] != "passed"]
    assert not failed, failed[:5]
    assert results["score"] == pytest.approx(sum(ex.points for ex in EXERCISES.values()))
    listed = [(t["number"], t["name"]) for t in results["tests"]]
    assert listed == [(t["number"], t["name"]) for t in graded(campaign, "solutions").results["tests"]]


@pytest.mark.gradescope("solutions")
def test_the_run_reads_gradescope_limits_from_its_cgroup(campaign):
    run = graded(campaign, "solutions")
    texts = [run.stdout] + [p.read_text(errors="replace") for p in run.results_dir.iterdir()
                            if p.is_file() and p.suffix in ("", ".txt", ".log")]
    lines = [line for text in texts for line in text.splitlines() if line.startswith("memory:")]
    assert lines, f"no 'memory:' line in the run's output: {run.stdout[-2000:]}"
    expected = (f"memory limit {gradescope.MEMORY_BYTES // 2**20} MiB (/sys/fs/cgroup/memory/memory.limit_in_bytes), "
                f"{gradescope.CPUS:g} CPU (/sys/fs/cgroup/cpu/cpu.cfs_quota_us)")
    assert expected in lines[0], lines[0]


@pytest.mark.gradescope("skeletons", "solutions")
def test_the_skeletons_list_every_test_at_zero_points_with_one_line_messages(campaign, solutions_run):
    results = graded(campaign, "skeletons").results
    listed = [(t["number"], t["name"]) for t in results["tests"]]
    assert listed == [(t["number"], t["name"]) for t in solutions_run.results["tests"]]  # this project's tests
    assert listed == [(t["number"], t["name"]) for t in graded(campaign, "solutions").results["tests"]]
    assert results["score"] == 0 and all(t["score"] == 0 for t in results["tests"])
    wrong = [t for t in results["tests"] if "\n" in t["output"] or not t["output"].startswith("not implemented")]
    assert not wrong, [f"{t['number']} {t['name']}: {t['output'][:200]!r}" for t in wrong[:5]]


@pytest.mark.gradescope(THIEF, f"{THIEF}, no Landlock", PLAIN)
@pytest.mark.parametrize("name", [THIEF, f"{THIEF}, no Landlock"])
def test_copying_the_reference_data_earns_no_more_than_a_plain_wrong_answer(campaign, name):
    run = graded(campaign, name)
    thief, plain = run.results, graded(campaign, PLAIN).results
    assert by_exercise(thief)[7] <= by_exercise(plain)[7] < EXERCISES[7].points
    # the student reads the verdict in plain words; the tutor's log (Gradescope's stdout) has the measurement
    assert thief["output"].endswith("it could not read the graders' reference data."), thief["output"]
    measured = [line for line in run.stdout.splitlines() if "the workers could open none of" in line]
    assert measured, run.stdout[-2000:]
    if name.endswith("no Landlock"):  # the variant holds: only the file modes keep the data closed
        assert "Landlock" not in measured[0], measured[0]


@pytest.mark.gradescope("endless functions", "solutions")
def test_endless_functions_still_give_valid_results_within_gradescope_timeout(campaign):
    run = graded(campaign, "endless functions")  # not killed at the timeout, results.json valid
    assert run.seconds < gradescope.TIMEOUT_SECONDS
    listed = [(t["number"], t["name"]) for t in graded(campaign, "solutions").results["tests"]]
    assert [(t["number"], t["name"]) for t in run.results["tests"]] == listed
    assert run.results["score"] == 0, [t["name"] for t in run.results["tests"] if t["score"]]


@pytest.mark.gradescope(*SUBMISSIONS)
def test_the_runs_leave_the_image_as_built(campaign):
    for future in campaign.runs.values():
        future.result()
    after = snapshot(campaign.build.result().image)
    changed = sorted(set(after.items()) ^ set(campaign.as_built.items()))
    assert not changed, f"{len(changed)} paths changed, e.g. {changed[:3]}"


# -- the harness's reading of results.json -----------------------------------------------------
DOCUMENTED = {  # every field of the specs page's example, with documented values
    "score": 44.0, "execution_time": 136, "output": "Text", "output_format": "simple_format",
    "test_output_format": "text", "test_name_format": "text", "visibility": "after_due_date",
    "stdout_visibility": "visible", "extra_data": {},
    "tests": [{"score": 2.0, "max_score": 2.0, "status": "passed", "name": "Your name", "name_format": "text",
               "number": "1.1", "output": "Giant multiline string", "output_format": "text", "tags": ["tag1"],
               "visibility": "visible", "extra_data": {}}],
    "leaderboard": [{"name": "Accuracy", "value": 0.8}],
}


@pytest.mark.parametrize("change, problem", [
    ({"scores": 1}, "undocumented field 'scores'"),
    ({"visibility": "public"}, "visibility = 'public'"),
    ({"tests": [{"status": "error", "score": 0}]}, "status = 'error'"),
    ({"tests": [{"score": True}]}, "score = True"),
    ({"tests": [{"number": 1.1, "score": 0}]}, "number = 1.1"),
    ({"tests": [{"name": "no score"}], "score": None}, "no top-level score"),
])
def test_results_json_outside_gradescope_documentation_is_reported(change, problem):
    assert gradescope.results_problems(DOCUMENTED) == []
    data = {**DOCUMENTED, **change}
    if data.get("score", 0) is None:
        del data["score"]
    assert any(problem in p for p in gradescope.results_problems(data)), gradescope.results_problems(data)


def test_results_json_that_is_missing_or_not_json_fails_as_on_gradescope(tmp_path):
    path = tmp_path / "results.json"
    assert gradescope.read_results(path)[1].startswith(gradescope.FAILED_TO_EXECUTE)
    path.write_text('{"score": NaN, "tests": []}')  # Python writes it, JSON has no NaN
    assert gradescope.read_results(path)[1].startswith(gradescope.FAILED_TO_EXECUTE)
    path.write_text('{"score": 1, "tests": []}')
    assert gradescope.read_results(path) == ({"score": 1, "tests": []}, "")
