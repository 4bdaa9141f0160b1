"""The grading interface: targets, results files, clean failures, the boundary to student code."""
import ast
import html
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

import pytest

from conftest import EXERCISES, ROOT, STUDENT_FILES, grade, make_submission



def todo_functions(path) -> set[str]:
    """Names of the functions whose skeleton body raises NotImplementedError."""
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
            and any(isinstance(s, ast.Raise) and "NotImplementedError" in ast.unparse(s) for s in node.body)}


def test_solutions_pass_every_grader_test(solutions_run):
    assert solutions_run.returncode == 0, solutions_run.stdout[-3000:]
    assert solutions_run.results["tests"], "no grader test ran"
    failed = [t["name"] for t in solutions_run.results["tests"] if t["status"] != "passed"]
    assert not failed
    assert solutions_run.results["score"] == pytest.approx(sum(t["max_score"] for t in solutions_run.results["tests"]),
                                                           abs=1e-6)


def test_skeletons_fail_every_grader_test_with_one_not_implemented_line(skeletons_run):
    assert skeletons_run.returncode == 1, skeletons_run.stdout[-3000:]  # tests failed; no collection error
    assert "error" not in skeletons_run.stdout.splitlines()[-1]
    todo = {n: todo_functions(ROOT / "skeletons" / ex.student_file) for n, ex in EXERCISES.items()}
    for test in skeletons_run.results["tests"]:
        assert test["status"] == "failed" and test["score"] == 0, test
        match = re.fullmatch(r"not implemented: ([\w.]+) - fill in the # TODO in (\w+\.py)", test["output"])
        assert match, test["output"]
        exercise = int(test["number"].split(".")[0])
        function = match.group(1).split(".")[-1]  # "MLP2d.forward" names a method
        assert function in todo[exercise] and match.group(2) == EXERCISES[exercise].student_file


def test_every_test_is_numbered_and_named_by_its_exercise(solutions_run, tmp_path):
    numbers = [t["number"] for t in solutions_run.results["tests"]]
    assert len(set(numbers)) == len(numbers)
    for test in solutions_run.results["tests"]:
        assert test["name"].startswith(f"test_ex{test['number'].split('.')[0]}_")
    run = grade("solutions", f"--junitxml={tmp_path / 'j.xml'}", "graders/test_ex7_maxpool.py", tmp_path=tmp_path)
    cases = ET.parse(tmp_path / "j.xml").getroot().iter("testcase")
    assert all(c.get("classname").startswith("graders.test_ex7_") for c in cases)
    assert run.returncode == 0


def test_a_target_that_cannot_be_graded_is_one_line_and_its_results_and_report_say_why(tmp_path):
    """Not found, nothing gradeable, not a submission: exit 4 with one line, and results.json and
    the report say the same with 0 points, instead of what an earlier run left there."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    results, report = tmp_path / "out" / "results.json", tmp_path / "out" / "report.html"
    for target in [tmp_path / "does-not-exist", tmp_path / "empty", tmp_path / "notes.pdf"]:
        results.parent.mkdir(exist_ok=True)
        results.write_text('{"score": 160.0, "tests": []}')  # an earlier run's
        report.write_text("<h1>Problem set 5: an earlier submission</h1>")
        proc = subprocess.run([sys.executable, "-m", "pytest", f"--target={target}", f"--results-json={results}",
                               f"--report={report}", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 4
        assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("ERROR: --target:"), proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr
        why = proc.stderr.strip().removeprefix("ERROR: ")
        data = json.loads(results.read_text())
        assert (data["score"], data["output"], data["tests"]) == (0.0, f"not graded: {why}", [])
        page = report.read_text()
        assert html.escape(f"Not graded: {why}") in page and "an earlier submission" not in page
        assert f"<b>0.0 / {sum(ex.points for ex in EXERCISES.values()):.1f} points</b>" in page


def test_a_zip_of_the_submission_folder_is_graded_and_the_first_line_names_what_is_graded(tmp_path):
    folder = make_submission(tmp_path / "ps5")
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.iterdir():
            z.write(path, f"ps5/{path.name}")
    proc = subprocess.run([sys.executable, "-m", "pytest", f"--target={archive}", "--report=",
                           "graders/test_ex3_softmax_temperature.py"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:]
    lines = proc.stdout.splitlines()
    assert f"grading: {archive}, Problem set 5, {len(EXERCISES)} exercises" in lines[:5], lines[:5]
    assert f"student files: {len(STUDENT_FILES)} in ps5/" in lines[:5]
    assert re.search(r"^=+ points \(alice\) =+$", proc.stdout, re.MULTILINE), proc.stdout[-1500:]  # by the student


def test_fixtures_are_regenerated_only_from_the_solutions(tmp_path):
    run = grade("skeletons", "--regen-all", tmp_path=tmp_path)
    assert run.returncode == 4 and "only from the reference" in run.stderr


def test_a_missing_student_file_fails_only_its_exercise_as_not_submitted(tmp_path):
    folder = make_submission(tmp_path / "sub")
    (folder / "iter_maxpool.py").unlink()
    run = grade(folder, tmp_path=tmp_path)
    assert run.returncode == 1
    for test in run.results["tests"]:
        if test["number"].startswith("7."):
            assert test["output"] == f"not submitted: iter_maxpool.py was not found in {folder}"
        else:
            assert test["status"] == "passed", test


def test_a_folder_without_any_student_file_is_a_usage_error_naming_what_was_looked_for_and_found(tmp_path):
    folder = make_submission(tmp_path / "sub", copy_solutions=False, files={"iter_maxpool.txt": "wrong name"})
    run = grade(folder, tmp_path=tmp_path)
    assert run.returncode == 4 and "holds none of the student files" in run.stderr
    assert all(name in run.stderr for name in STUDENT_FILES) and "it holds 1 file: iter_maxpool.txt" in run.stderr


def test_a_helper_file_inside_a_submission_is_ignored(tmp_path):
    folder = make_submission(tmp_path / "sub", files={
        "helper_maxpool.py": "raise SystemExit('a planted helper ran')\n",
        "sample_image.png": "not a png",
    })
    run = grade(folder, "graders/test_ex7_grid.py", tmp_path=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:]


def test_an_import_error_is_reported_in_one_line(tmp_path):
    folder = make_submission(tmp_path / "sub", files={"iter_maxpool.py": "def maxpool_iter(x:\n"})
    run = grade(folder, "graders/test_ex7_maxpool.py", tmp_path=tmp_path)
    assert run.returncode == 1
    for test in run.results["tests"]:
        assert re.fullmatch(r"iter_maxpool\.py raised SyntaxError at import, line 1: .*", test["output"]), test["output"]


def planted(lines: str) -> tuple[str, int]:
    """softmax_temperature.py of the solutions with ``lines`` appended: (source, number of the
    last planted line)."""
    source = (ROOT / "solutions" / "softmax_temperature.py").read_text().rstrip("\n") + "\n\n\n" + lines + "\n"
    return source, source.count("\n")


def grade_ex3(tmp_path, source: str):
    """Exercise 3 graded with softmax_temperature.py replaced, 5 s per call: each test's output
    line and time."""
    folder = make_submission(tmp_path / "sub", files={"softmax_temperature.py": source})
    run = grade(folder, "--call-timeout=5", f"--junitxml={tmp_path / 'j.xml'}",
                "graders/test_ex3_softmax_temperature.py", tmp_path=tmp_path)
    outputs = [t["output"] for t in run.results["tests"]]
    assert len(outputs) > 2, run.stdout[-2000:]
    return outputs, [float(case.get("time")) for case in ET.parse(tmp_path / "j.xml").getroot().iter("testcase")]


@pytest.mark.parametrize("lines, where", [("while True: pass", ""),
                                          ("def spin():\n    while True: pass\n\n\nspin()", " in spin")],
                         ids=["at the top level", "in a function it calls"])
def test_an_endless_loop_at_import_names_the_file_and_line_and_waits_out_one_timeout(tmp_path, lines, where):
    source, _ = planted(lines)
    line = [text.strip() for text in source.splitlines()].index("while True: pass") + 1
    outputs, seconds = grade_ex3(tmp_path, source)
    expected = f"softmax_temperature.py did not finish importing: stopped after 5 s at import, line {line}{where}"
    assert outputs == [expected] * len(outputs)
    assert sum(s >= 5 for s in seconds) == 1, seconds  # the later tests fail at once, with the same line


def test_an_endless_loop_in_a_function_names_the_function_and_the_line_where_it_was_stopped(tmp_path):
    source, line = planted("def softmax_t(z, T):  # noqa: F811\n    while True: pass")
    outputs, _ = grade_ex3(tmp_path, source)
    stopped = f"timed out after 5 s in softmax_t (stopped at softmax_temperature.py:{line})"
    breaker = "timed out after 5 s in softmax_t (twice already; not called again)"  # later calls fail at once
    assert outputs == [stopped] * 2 + [breaker] * (len(outputs) - 2)


def test_an_exception_at_import_names_the_file_and_line(tmp_path):
    source, line = planted('raise ValueError("planted at import")')
    outputs, _ = grade_ex3(tmp_path, source)
    expected = f"softmax_temperature.py raised ValueError at import, line {line}: planted at import"
    assert outputs == [expected] * len(outputs)


def broken_library(tmp_path, source: str) -> dict:
    """A torchvision package that runs ``source`` at import, first on PYTHONPATH: how a broken
    install of the grading machine looks to the run."""
    package = tmp_path / "broken" / "torchvision"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source)
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(package.parent), os.environ.get("PYTHONPATH")]))}


def test_a_machine_whose_workers_cannot_import_their_libraries_is_not_graded_in_one_line(tmp_path):
    """A torchvision built for another torch raises RuntimeError at import: the run says so at
    once, instead of failing every test on the student's account until the platform kills it."""
    env = broken_library(tmp_path, 'raise RuntimeError("operator torchvision::nms does not exist")\n')
    start = time.monotonic()
    run = grade("solutions", "--time-budget=120", tmp_path=tmp_path, env=env, timeout=240)
    assert time.monotonic() - start < 60  # well within the budget
    assert run.returncode == 4, run.stdout[-2000:] + run.stderr[-2000:]
    assert run.results["tests"] == [] and run.results["score"] == 0
    output = run.results["output"]
    assert output.startswith("not graded: the grading workers could not start: ") and "\n" not in output
    assert "RuntimeError: operator torchvision::nms does not exist" in output and "not of the submission" in output
    assert run.stderr.strip() == f"ERROR: {output}"
    assert "Traceback" not in run.stdout + run.stderr


def test_a_library_that_hangs_at_import_ends_the_run_within_its_time_budget(tmp_path):
    env = broken_library(tmp_path, "import time\ntime.sleep(10 ** 6)\n")
    start = time.monotonic()
    run = grade("solutions", "--time-budget=20", tmp_path=tmp_path, env=env, timeout=240)
    assert time.monotonic() - start < 90  # the budget, and pytest's start and end
    assert run.returncode == 4
    assert run.results["tests"] == [] and "no worker started in" in run.results["output"], run.results


def test_the_pytest_process_never_imports_torch_or_student_code(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(  # the __main__ guard: multiprocessing re-imports a parent's main script
        "import sys, pytest\n"
        "class P:\n"
        "    def pytest_sessionfinish(self):\n"
        "        print('LEAKED', sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('torch', 'torchvision', 'iter_maxpool', 'helper_maxpool')))\n"
        "if __name__ == '__main__':\n"
        f"    sys.exit(pytest.main(['--target=solutions', '-q', '-p', 'no:cacheprovider',"
        f" '{ROOT / 'graders' / 'test_ex7_maxpool.py'}'], plugins=[P()]))\n")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(probe)], cwd=ROOT, capture_output=True, text=True).stdout
    assert "LEAKED []" in out, out[-2000:]


def test_a_crash_while_computing_ahead_costs_only_the_checks_that_needed_it(tmp_path):
    """Exercise 8's training and exercise 9's guided gradients are computed ahead, while earlier
    exercises are graded: their worker's death fails those checks, in one line, and nothing else."""
    solutions = ROOT / "solutions"
    folder = make_submission(tmp_path / "sub", files={
        "gradients2d.py": (solutions / "gradients2d.py").read_text()
        + "\n\ndef train_classifier(*args, **kwargs):  # noqa: F811\n    import ctypes\n    return ctypes.string_at(0)\n",
        "guided_backprop.py": (solutions / "guided_backprop.py").read_text()
        + "\n\ndef guided_backprop(*args, **kwargs):  # noqa: F811\n    import os\n    os._exit(3)\n",
    })
    run = grade(folder, tmp_path=tmp_path)
    assert "computed ahead" in run.stdout, run.stdout[-1500:]
    crashed = {"test_ex8_training.py": "train_on_the_toy_set: the worker was killed by SIGSEGV (gradients2d.py)",
               "test_ex9_backprop.py": "guided_gradients: the worker exited with code 3 (guided_backprop.py)"}
    for test in run.results["tests"]:
        file = test["name"].split("::")[0]
        if file in crashed:
            assert test["output"] == crashed[file], test
        else:
            assert test["status"] == "passed", test
    assert {t["name"].split("::")[0] for t in run.results["tests"] if t["status"] == "failed"} == set(crashed)


def test_the_forkserver_is_gone_when_the_run_ends(tmp_path):
    """A batch grader reads a run's output to its end: the forkserver (which shares it) must not
    outlive the judge, finalising its torch import for another second."""
    import os
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "pytest", "--target=solutions", "-q", "-p", "no:cacheprovider",
                             "--report=", str(ROOT / "graders" / "test_ex3_softmax_temperature.py")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    pipe = f"pipe:[{os.fstat(proc.stdout.fileno()).st_ino}]"
    assert proc.wait(timeout=300) == 0
    holders = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and int(entry) != os.getpid() and any(os.readlink(f"/proc/{entry}/fd/{fd}") == pipe
                                       for fd in os.listdir(f"/proc/{entry}/fd")):
                holders.append(open(f"/proc/{entry}/cmdline", "rb").read().replace(b"\0", b" ").decode())
        except OSError:
            pass
    assert not [h for h in holders if "multiprocessing.forkserver" in h], holders
    proc.stdout.read()
