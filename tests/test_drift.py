"""Skeletons and solutions agree everywhere outside the TODO bodies; provided files are identical."""
import ast

import pytest
from conftest import ROOT

from autograder.exercises import EXERCISES, PROVIDED_FILES, STUDENT_FILES


def is_todo(function: ast.FunctionDef) -> bool:
    return any(isinstance(s, ast.Raise) and "NotImplementedError" in ast.unparse(s) for s in function.body)


def outline(tree: ast.AST, todo: set[str]) -> str:
    """The module with the bodies of ``todo`` functions reduced to their docstrings."""
    class Strip(ast.NodeTransformer):
        def visit_FunctionDef(self, node):
            if node.name in todo:
                doc = ast.get_docstring(node, clean=False)
                node.body = [ast.Expr(ast.Constant(doc))] if doc is not None else [ast.Pass()]
            return self.generic_visit(node)

    return ast.dump(Strip().visit(tree), include_attributes=False)


@pytest.mark.parametrize("name", STUDENT_FILES)
def test_skeleton_matches_solution_outside_the_todo_bodies(name):
    skeleton = ast.parse((ROOT / "skeletons" / name).read_text())
    solution = ast.parse((ROOT / "solutions" / name).read_text())
    todo = {f.name for f in ast.walk(skeleton) if isinstance(f, ast.FunctionDef) and is_todo(f)}
    assert todo, f"skeletons/{name} has no TODO function"
    for function in ast.walk(solution):
        if isinstance(function, ast.FunctionDef) and function.name in todo:
            assert not is_todo(function), f"solutions/{name}: {function.name} is not implemented"
    assert outline(skeleton, todo) == outline(solution, todo)


@pytest.mark.parametrize("name", PROVIDED_FILES)
def test_provided_files_are_identical_in_skeletons_and_solutions(name):
    assert (ROOT / "skeletons" / name).read_bytes() == (ROOT / "solutions" / name).read_bytes()


def test_every_exercise_has_graders_and_the_reference_data_they_use():
    for number, exercise in EXERCISES.items():
        graders = list((ROOT / "graders").glob(f"test_ex{number}_*.py"))
        assert graders, number
        if any("reference" in g.read_text() for g in graders):
            assert exercise.fixtures.is_dir() and any(exercise.fixtures.iterdir()), number
