"""Everything about an exercise is found from its number: student file, provided files, graders."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKELETONS = ROOT / "skeletons"
SOLUTIONS = ROOT / "solutions"
GRADERS = ROOT / "graders"
FIXTURES = ROOT / "fixtures"


@dataclass(frozen=True)
class Exercise:
    number: int
    title: str
    student_file: str
    stars: int  # the handout's difficulty; the exercise is worth 10 points per star
    provided: tuple[str, ...] = ()  # helper files and data; the framework's copy lives in skeletons/

    @property
    def points(self) -> float:
        return 10.0 * self.stars

    @property
    def module(self) -> str:
        return self.student_file.removesuffix(".py")

    @property
    def fixtures(self) -> Path:
        return FIXTURES / f"ex{self.number}"


EXERCISES = {
    ex.number: ex
    for ex in [
        Exercise(1, "Transposed convolutions", "transposed_conv.py", 2),
        Exercise(2, "Transformer equivariance", "transformer_layer.py", 2),
        Exercise(3, "Temperature in softmax", "softmax_temperature.py", 1),
        Exercise(4, "Positional encodings", "positional_encoding.py", 2),
        Exercise(5, "Debugging a Transformer layer", "transformer_layer.py", 2),
        Exercise(6, "Counting parameters", "transformer_layer.py", 1),
        Exercise(7, "Iterated max pooling", "iter_maxpool.py", 1, ("helper_maxpool.py", "sample_image.png")),
        Exercise(8, "Gradients in input space", "gradients2d.py", 2, ("helper.py",)),
        Exercise(9, "Guided backpropagation", "guided_backprop.py", 3, ("helper_guided.py", "exercise_image.png")),
    ]
}

STUDENT_FILES = sorted({ex.student_file for ex in EXERCISES.values()})
PROVIDED_FILES = sorted({name for ex in EXERCISES.values() for name in ex.provided})

_GRADER_NAME = re.compile(r"test_ex(\d+)_\w+\.py$")


def exercise_of(path: str | Path) -> Exercise | None:
    """The exercise a grader file belongs to, from its name ``test_ex<N>_<topic>.py``."""
    match = _GRADER_NAME.search(Path(path).name)
    return EXERCISES.get(int(match.group(1))) if match else None
