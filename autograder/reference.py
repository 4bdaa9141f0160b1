"""Reference data in fixtures/ex<N>/, kept by pytest-regressions and checked with our diagnostics.

pytest-regressions stores and regenerates the files (``--regen-all``, refused unless the target is
the solutions). Comparison runs our checks first, for one-line messages and the checks the library
does not make (an image's size and mode, alpha included), then the library's own comparison.
A missing reference file is an error: it is never created from a student's output.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from autograder import checks, manifest, report
from autograder.codec import Value


class Reference:
    def __init__(self, folder: Path, ndarrays_regression, image_regression, *, regenerate: bool,
                 attach=lambda attachment: None):
        self.folder = folder
        self._arrays = ndarrays_regression
        self._images = image_regression
        self.regenerate = regenerate
        self._attach = attach  # pictures for the HTML report: {"title": ..., "panels": {...}}

    def _file(self, basename: str, suffix: str) -> Path:
        path = self.folder / f"{basename}{suffix}"
        if not path.is_file():
            checks.fail(f"reference data {path.relative_to(self.folder.parent.parent)} is missing; "
                        "regenerate it with: pytest --target=solutions --regen-all")
        return manifest.verified(path)

    def load(self, basename: str) -> dict[str, np.ndarray]:
        with np.load(self._file(basename, ".npz"), allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    def arrays(self, obtained: dict, basename: str, *, what: str, atol: float, rtol: float = 0.0,
               hints=(), dtype: str | None = "float32") -> None:
        """Each obtained array matches the stored one of the same key."""
        __tracebackhide__ = True
        if not self.regenerate:
            expected = self.load(basename)
            for key, value in obtained.items():
                label = what if len(obtained) == 1 else f"{what} [{key}]"
                if key not in expected:
                    checks.fail(f"reference data {basename} has no entry {key}; regenerate the fixtures")
                try:
                    checks.close(value, expected[key], label, atol=atol, rtol=rtol, hints=hints, dtype=dtype)
                except pytest.fail.Exception:
                    if isinstance(value, Value) and value.size > 1:  # show the student where it differs
                        self._attach({"title": label, "panels": report.array_panels(value, expected[key])})
                    raise
        stored = {k: np.asarray(v) for k, v in obtained.items()}
        if not self.regenerate:  # the library compares dtypes too; ours accepted this one already
            stored = {k: v.astype(expected[k].dtype) for k, v in stored.items()}
        self._arrays.check(stored, basename=basename, default_tolerance={"atol": atol, "rtol": rtol})

    def number(self, value, basename: str, *, what: str, atol: float = 0.0, hints=()) -> None:
        """A single number (a Python number or one-element array) matches the stored one.
        A hint's test gets (obtained, expected) as floats."""
        __tracebackhide__ = True
        obtained = checks.number(value, what)
        if not self.regenerate:
            expected = float(self.load(basename)["value"])
            if abs(obtained - expected) > atol:
                hint = next((h for test, h in hints if test(obtained, expected)), None)
                checks.fail(f"{what} is {obtained:g}, expected {expected:g}" + (f". Hint: {hint}" if hint else ""))
        self._arrays.check({"value": np.asarray(obtained, dtype=np.float64)}, basename=basename,
                           default_tolerance={"atol": atol, "rtol": 0.0})

    def image(self, png: bytes, basename: str, *, what: str, max_mean_difference: float) -> None:
        """A rendered PNG matches the stored one: same size and mode, then a mean pixel difference
        (percent of full scale, pytest-regressions' measure) within ``max_mean_difference``."""
        __tracebackhide__ = True
        from PIL import Image, ImageChops

        if not isinstance(png, bytes):
            checks.fail(f"{what} should be PNG bytes, got {checks.describe(png)}")
        try:
            obtained = Image.open(io.BytesIO(png))
            obtained.load()
        except Exception as exc:  # noqa: BLE001
            checks.fail(f"{what} is not a readable image: {exc}")
        if not self.regenerate:
            expected_file = self._file(basename, ".png")
            self._attach({"title": what, "panels": report.image_panels(png, expected_file.read_bytes())})
            expected = Image.open(expected_file)
            if obtained.size != expected.size:
                checks.fail(f"{what} is {obtained.size[0]} x {obtained.size[1]} px, expected "
                            f"{expected.size[0]} x {expected.size[1]} px")
            if obtained.mode != expected.mode:
                checks.fail(f"{what} has image mode {obtained.mode}, expected {expected.mode}")
            difference = np.asarray(ImageChops.difference(obtained, expected), dtype=np.float64)
            percent = 100.0 * difference.mean() / 255.0
            if percent > max_mean_difference:
                rows, cols = np.nonzero(difference.reshape(difference.shape[0], difference.shape[1], -1).max(-1) > 32)
                region = (f"; differing region x {cols.min()}-{cols.max()}, y {rows.min()}-{rows.max()}"
                          if rows.size else "")
                checks.fail(f"{what} differs from the reference picture by {percent:.2f} % "
                            f"(allowed {max_mean_difference:g} %){region}")
        self._images.check(png, basename=basename, diff_threshold=max_mean_difference)


class ReferenceInputs:
    """Input data made by the reference (e.g. a trained model's weights) in fixtures/ex<N>/."""

    def __init__(self, folder: Path, *, regenerate: bool):
        self.folder = folder
        self.regenerate = regenerate
        self._cache: dict[str, dict[str, np.ndarray]] = {}

    def get(self, basename: str, produce) -> dict[str, np.ndarray]:
        """The stored arrays; ``produce()`` makes them afresh only when regenerating (which the
        plugin allows only with --target=solutions)."""
        if basename not in self._cache:
            path = self.folder / f"{basename}.npz"
            if self.regenerate:
                self.folder.mkdir(parents=True, exist_ok=True)
                np.savez(path, **{k: np.asarray(v) for k, v in produce().items()})
            if not path.is_file():
                checks.fail(f"reference input {path.name} of {self.folder.name} is missing; "
                            "regenerate it with: pytest --target=solutions --regen-all")
            with np.load(manifest.verified(path), allow_pickle=False) as data:
                self._cache[basename] = {k: data[k] for k in data.files}
        return self._cache[basename]
