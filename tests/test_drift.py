"""One source, two versions: the committed skeletons are what the solutions make, and the
provided files are kept once (skeletons/)."""
import pytest
from conftest import EXERCISES, PROVIDED_FILES, ROOT, STUDENT_FILES

from autograder.tools.skeletons import MarkerError, differing, skeleton_of


def test_the_committed_skeletons_are_what_the_solutions_make():
    assert differing(ROOT / "solutions", ROOT / "skeletons", STUDENT_FILES) == []


def test_every_student_file_leaves_something_to_fill_in():
    for name in STUDENT_FILES:
        assert "# BEGIN SOLUTION" in (ROOT / "solutions" / name).read_text(), name
        assert 'raise NotImplementedError("' in (ROOT / "skeletons" / name).read_text(), name


def test_a_solution_part_becomes_a_not_implemented_named_after_its_function():
    solution = ('class Layer:\n    def forward(self, x):\n        """Doc."""\n        # TODO: apply it.\n'
                "        # BEGIN SOLUTION\n        return x\n        # END SOLUTION\n")
    assert skeleton_of(solution) == ('class Layer:\n    def forward(self, x):\n        """Doc."""\n'
                                     '        # TODO: apply it.\n        raise NotImplementedError("Layer.forward")\n')


@pytest.mark.parametrize("solution, message", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "s.py:2: # BEGIN SOLUTION is never ended"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "s.py:3: # END SOLUTION without # BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "s.py:1: # BEGIN SOLUTION outside a function"),
])
def test_markers_that_do_not_pair_up_are_named_with_their_line(solution, message):
    with pytest.raises(MarkerError, match=message):
        skeleton_of(solution, "s.py")


def test_provided_files_are_kept_once_in_skeletons():
    for name in PROVIDED_FILES:
        assert (ROOT / "skeletons" / name).is_file() and not (ROOT / "solutions" / name).exists(), name


def test_every_exercise_has_graders_and_the_reference_data_they_use():
    for number, exercise in EXERCISES.items():
        graders = list((ROOT / "graders").glob(f"test_ex{number}_*.py"))
        assert graders, number
        if any("reference" in g.read_text() for g in graders):
            assert exercise.fixtures.is_dir() and any(exercise.fixtures.iterdir()), number
