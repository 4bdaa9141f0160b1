"""The recording run that builds the student package's data (``pytest --target=solutions --record=DIR``).

The student package ships no code that computes an answer: not the known mistakes
(``graders/ex<N>_mistakes.py``), which are the correct function with one change. What it ships
instead is their results on the calls its public graders make, as data: a run of the public
graders on the reference solutions records, for every call and probe, what each known mistake
returns on the same arguments (``DIR/ex<N>/known_mistakes.npz``, read by
:class:`autograder.mistakes.Catalogue` where the code is absent). It reveals no more than the
reference data already shipped: wrong answers on the public inputs.

It also writes every call with its arguments and the reference's result (``DIR/calls.npz``, one
:mod:`autograder.core.codec` message per call): the framework's own tests call everything the student
package ships with those arguments, to check that nothing in it computes an answer.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from autograder.core import codec
from autograder.core.diagnosis import RECORDED, Call


class Recording:
    def __init__(self, folder: Path):
        self.folder = folder
        self.mistakes: dict[int, dict[str, np.ndarray]] = {}
        self.calls: list[bytes] = []

    def __call__(self, exercise: int, call: Call, result, mistakes: dict[str, np.ndarray]) -> None:
        self.mistakes.setdefault(exercise, {}).update(mistakes)
        try:
            self.calls.append(codec.encode({"exercise": exercise, "function": call.function, "args": list(call.args),
                                            "kwargs": call.kwargs, "result": result}))
        except (TypeError, ValueError):  # a result that does not cross (kept out of the calls only)
            pass

    def write(self) -> None:
        for exercise, entries in self.mistakes.items():
            if entries:
                folder = self.folder / f"ex{exercise}"
                folder.mkdir(parents=True, exist_ok=True)
                np.savez_compressed(folder / RECORDED, **entries)
        self.folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(self.folder / "calls.npz",
                            **{str(i): np.frombuffer(c, dtype=np.uint8) for i, c in enumerate(self.calls)})


def calls(folder: Path) -> list[dict]:
    """The recorded calls: {exercise, function, args, kwargs, result} each."""
    with np.load(folder / "calls.npz", allow_pickle=False) as data:
        return [codec.decode(data[k].tobytes()) for k in sorted(data.files, key=int)]
