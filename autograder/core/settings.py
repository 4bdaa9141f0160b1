"""Every setting of the framework, declared once: name, type, default, help.

A grading option is given on the command line (``--call-timeout=30``) or in the problem set's
pytest configuration (``call_timeout = 30`` under ``[tool.pytest.ini_options]`` or ``[pytest]``);
the command line wins, then the ini file, then the default. The tutors' commands (batch, check)
take their defaults from here too. Environment variables, all named ``AUTOGRADER_*``, are listed
in :data:`ENVIRONMENT`, and nowhere else.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Option:
    name: str  # --call-timeout on the command line, call_timeout in the ini file
    type: Callable[[str], Any]
    default: Any
    help: str
    metavar: str | None = None
    ini: bool = True  # settable in the ini file too

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


OPTIONS = [
    Option("target", str, None, "what to grade: 'skeletons', 'solutions' or a submission (a folder, an archive or a "
           ".py file; the student files are found at any depth)", "PATH"),
    Option("results_json", str, None, "write the results in Gradescope's results.json format", "PATH", ini=False),
    Option("report", str, "reports/report.html", "write the HTML report there (empty: none)", "PATH"),
    Option("name", str, None, "whose work this is, as the report's title and the points table name it "
           "(default: the target folder's name)", "NAME", ini=False),
    Option("figures", str, None, "also save every rendered figure of the submission there as PNG", "DIR", ini=False),
    Option("earlier_results", str, None, "a results.json of an earlier grading of the same submission: the "
           "exercises this run does not grade keep its results (batch grading's regrading)", "PATH", ini=False),
    Option("regen_all", _flag, False, "regenerate the reference data of the graders run (only with "
           "--target=solutions)", ini=False),
    Option("record", str, None, "record the known mistakes' results on every call of this run, as the student "
           "package ships them (python -m autograder.tools.release does it; only with --target=solutions)", "DIR", ini=False),
    Option("call_timeout", float, 60.0, "time limit of one call into student code", "SECONDS"),
    Option("memory_limit", float, 8.0, "address-space limit of a worker process", "GIB"),
    Option("time_budget", float, 540.0, "time of the whole run, shared out over the exercises (540: Gradescope's "
           "10 minutes with room for start-up)", "SECONDS"),
    Option("lean", _flag, False, "compute nothing ahead: one exercise at a time (least memory and CPU; chosen by "
           "itself under the problem set's memory or CPU thresholds)"),
]
BY_NAME = {option.name: option for option in OPTIONS}

ENVIRONMENT = {
    "AUTOGRADER_START_METHOD": "'spawn' (or 'forkserver') instead of the platform's best way to start workers",
    "AUTOGRADER_MEMORY_LIMIT": "the container's memory limit: a number of bytes, 'max', or a file holding one "
                               "(instead of reading the cgroup)",
    "AUTOGRADER_CPU_LIMIT": "the CPUs the run may use (instead of reading the scheduler and the cgroup)",
    "AUTOGRADER_LANDLOCK": "'off' to test the sandbox's other mechanisms without Landlock",
    "AUTOGRADER_PRELOAD": "set by the judge for its forkserver: the problem set's libraries and warm-up file",
}


def environ(name: str, default: str = "") -> str:
    """An AUTOGRADER_* variable (only those listed in ENVIRONMENT exist)."""
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is not one of the framework's variables")
    return os.environ.get(name, default)


def register(parser, group_name: str = "autograder") -> None:
    """Declare every option on pytest's command line and in its ini file."""
    group = parser.getgroup(group_name, "grading with the autograder framework")
    for option in OPTIONS:
        default = f" (default {option.default})" if option.default not in (None, False) else ""
        if option.type is _flag:
            try:
                group.addoption(option.flag, action="store_const", const=True, default=None, help=option.help + default)
            except ValueError:  # pytest-regressions, where it is installed, declares --regen-all as we do
                pass
        else:
            group.addoption(option.flag, default=None, metavar=option.metavar, help=option.help + default)
        if option.ini:
            parser.addini(option.name, option.help + default, default=None)


@dataclass(frozen=True)
class Options:
    """Every option of a run, read once (as pytest-mpl reads its options in pytest_configure)."""
    target: str | None
    results_json: str | None
    report: str
    name: str | None
    figures: str | None
    earlier_results: str | None
    regen_all: bool
    record: str | None
    call_timeout: float
    memory_limit: float
    time_budget: float
    lean: bool

    @property
    def memory_bytes(self) -> int:
        return int(self.memory_limit * 2**30)


def resolve(config) -> Options:
    """Every option's value (see :func:`get`); a malformed one is a one-line usage error."""
    return Options(**{option.name: get(config, option.name) for option in OPTIONS})


def get(config, name: str):
    """The value of an option: the command line's, else the ini file's, else the default; a
    malformed value is a one-line usage error."""
    import pytest

    option = BY_NAME[name]
    for value, where in ((config.getoption(name), option.flag), (config.getini(name) if option.ini else None, name)):
        if value is None or value == "":
            if value == "" and where == option.flag:  # --report= means: none
                return ""
            continue
        try:
            return option.type(value)
        except (TypeError, ValueError):
            raise pytest.UsageError(f"{where}={value}: expected {option.metavar or option.type.__name__}") from None
    return option.default
