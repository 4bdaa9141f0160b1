"""A grading server (autograder/tools/server.py, the batch path) grades each submission as a fresh
``pytest`` run in the problem set's folder would: nothing of one grading carries over to the next,
not even what a grader module keeps in its own variables."""
import shutil

from planted import problem_sets

from autograder.tools.server import Server

PS6 = next(p for p in problem_sets() if p.root.name == "ps6")  # numpy only: a light forkserver

REMEMBERS = '''"""A grader that keeps what it saw in a module variable, as a cache would."""
GRADED = []


def test_this_module_has_graded_one_submission_only():
    GRADED.append(1)
    assert len(GRADED) == 1, f"this grader module has graded {len(GRADED)} submissions"
'''


def test_a_grader_modules_state_does_not_reach_the_next_submission(tmp_path):
    copy = tmp_path / "ps6"
    shutil.copytree(PS6.root, copy, ignore=shutil.ignore_patterns("__pycache__", "reports", "tests"))
    (copy / "graders" / "test_ex1_remembers.py").write_text(REMEMBERS)
    server = Server(copy)
    try:
        codes = [server.grade(["--target=solutions", "-q", "--report=", f"--results-json={tmp_path / f'{i}.json'}"],
                              tmp_path / f"{i}.txt", timeout=300) for i in range(3)]
    finally:
        server.stop()
    assert codes == [0, 0, 0], (tmp_path / "1.txt").read_text()[-2000:]
