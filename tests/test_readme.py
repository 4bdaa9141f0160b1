"""Every command of the README works as written, after the README's set-up."""
import re
import shutil

import pytest
from conftest import ROOT, committed_copy_of_the_project, make_submission, shell_blocks
from test_packages import follow

README = (ROOT / "README.md").read_text()
COMMANDS = shell_blocks(README)
SET_UP = COMMANDS[:2]  # install; run the framework's own tests
NEEDS = re.compile(r"#\s*needs ")  # a command this machine cannot run (no internet), marked so in the README


def without_comment(line: str) -> str:
    return re.sub(r"\s+#.*$", "", line).strip()


def test_the_set_up_commands_are_the_ones_ci_runs():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert [without_comment(c) for c in SET_UP] == [
        'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]"', ".venv/bin/python -m pytest --durations=25"]
    for command in SET_UP:
        assert without_comment(command) in ci, command


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "activate").is_file(),
                    reason="runs where the README's set-up made .venv in the project (as CI does)")
def test_every_other_command_works_as_written(tmp_path):
    project = committed_copy_of_the_project(tmp_path / "project")
    (project / ".venv").symlink_to(ROOT / ".venv")  # the README's set-up, done once by CI
    make_submission(tmp_path / "submission")
    make_submission(tmp_path / "submissions" / "alice")
    names = {"PATH": str(tmp_path / "submission"), "SUBMISSIONS": str(tmp_path / "submissions"),
             "OUT.zip": str(tmp_path / "out.zip"), "OUT": str(tmp_path / "out")}
    placeholder = re.compile(r"(?<![\w/.-])(OUT\.zip|OUT|SUBMISSIONS|PATH)(?![\w/.-])")
    ran, not_here = [], []
    for line in COMMANDS[len(SET_UP):]:
        if NEEDS.search(line):
            not_here.append(line)
            continue
        if line.startswith("source "):
            continue  # the activation, done before every command
        command = placeholder.sub(lambda m: names[m.group(1)], without_comment(line))
        done = follow(["source .venv/bin/activate", command], project, timeout=1200)
        expected = 1 if command == "pytest --target=skeletons" else 0  # the skeletons fail: not implemented
        assert done.returncode == expected, (line, done.stdout[-2000:], done.stderr[-2000:])
        ran.append(line)
    assert any("--target=skeletons" in c for c in ran) and any("autograder.tools.batch" in c for c in ran)
    assert [without_comment(c).split()[0] for c in not_here] == ["python", "pytest"]  # the pretrained weights
    assert (tmp_path / "out" / "gradebook.csv").is_file() and (tmp_path / "out.zip").is_file()
    shutil.rmtree(project)
