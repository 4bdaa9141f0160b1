"""Hostile and broken submissions: each is the reference solutions with some files replaced.

``CASES[name] = (exercise that must lose points or None, {file: source})``. A source may use
``{solution}`` for the reference file it replaces, ``{marker_dir}`` for a folder where it may
leave traces for the test and ``{marker_name}`` for that folder's name (a process may carry it). Graded by tests/test_hostile.py.
"""
from pathlib import Path

HERE = Path(__file__).parent
CASES = {
    "infinite loop": (7, {"iter_maxpool.py": "infinite_loop.py"}),
    "detached daemon": (7, {"iter_maxpool.py": "detached_daemon.py"}),
    "sys.exit at import": (8, {"gradients2d.py": "sys_exit.py"}),
    "exception at import": (3, {"softmax_temperature.py": "import_error.py"}),
    "os._exit in a call": (1, {"transposed_conv.py": "os_exit.py"}),
    "segfault": (4, {"positional_encoding.py": "segfault.py"}),
    "syntax error": (9, {"guided_backprop.py": "syntax_error.py"}),
    "memory bomb": (3, {"softmax_temperature.py": "memory_bomb.py"}),
    "output flood": (1, {"transposed_conv.py": "output_flood.py"}),
    "global torch state at import": (None, {"softmax_temperature.py": "global_state.py"}),
    "writes into the project": (None, {"iter_maxpool.py": "writes_project.py"}),
    "copies the reference data": (7, {"iter_maxpool.py": "reads_fixtures.py"}),
    "plain wrong answer": (7, {"iter_maxpool.py": "plain_wrong.py"}),
    "planted conftest.py and pytest.ini": (7, {"conftest.py": "planted_conftest.py", "pytest.ini": "planted_pytest.ini",
                                               "iter_maxpool.py": "raises.py"}),
    "kills its parent": (None, {"gradients2d.py": "kills_parent.py"}),
}


def files(name: str, solutions: Path, marker_dir: Path) -> dict[str, str]:
    """The files of a case, as they go into the submission folder."""
    _, table = CASES[name]
    out = {}
    for target, source in table.items():
        solution = (solutions / target).read_text() if (solutions / target).exists() else ""
        out[target] = (HERE / source).read_text().replace("{solution}", solution).replace("{marker_dir}", str(marker_dir)) \
            .replace("{marker_name}", marker_dir.name)
    return out
