"""Reference data in fixtures/ex<N>/, kept by pytest-regressions and checked with our diagnostics.

pytest-regressions stores and regenerates the files (``--regen-all``, refused unless the target is
the solutions). Comparison is ours: one-line messages, the tolerances measured beside each
grader, the checks the library does not make (an image's size and mode, alpha included, keys
missing on either side), and no copy of the student's arrays written to disk.
A reference file is never created from a student's output; a missing one is handled by
:func:`autograder.manifest.verified` (failed when the manifest lists it, else not graded).
"""
from __future__ import annotations

import io
import json
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from autograder import checks, manifest, report
from autograder.codec import Value
from autograder.figures import shown_text


class Reference:
    def __init__(self, folder: Path, ndarrays_regression, image_regression, *, regenerate: bool,
                 attach=lambda attachment: None, figures: Path | None = None, test: str = ""):
        self.folder = folder
        self._arrays = ndarrays_regression
        self._images = image_regression
        self.regenerate = regenerate
        self._attach = attach  # pictures for the HTML report: {"title": ..., "panels": function}
        self.figures = figures  # where to save the obtained pictures (--figures), or None
        self.test = test  # the test this object serves, named beside a saved picture

    def _file(self, basename: str, suffix: str) -> Path:
        return manifest.verified(self.folder / f"{basename}{suffix}", self.folder.parent)

    def load(self, basename: str) -> dict[str, np.ndarray]:
        with np.load(self._file(basename, ".npz"), allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    def arrays(self, obtained: dict, basename: str, *, what: str, atol: float, rtol: float = 0.0,
               hints=(), dtype: str | None = "float32", robust: dict | None = None) -> None:
        """Each obtained array matches the stored one of the same key: elementwise within atol +
        rtol * |expected|, or, with ``robust`` (max_relative_error, max_outlier_share), by
        :func:`checks.mostly_close`. When regenerating, pytest-regressions writes the file."""
        __tracebackhide__ = True
        if self.regenerate:
            self._arrays.check({k: np.asarray(v) for k, v in obtained.items()}, basename=basename,
                               default_tolerance={"atol": atol, "rtol": rtol})
            return
        expected = self.load(basename)
        if set(expected) != set(obtained):
            checks.fail(f"reference data {basename} holds {sorted(expected)}, the grader compares {sorted(obtained)}; "
                        "regenerate the fixtures")
        for key, value in obtained.items():
            label = what if len(obtained) == 1 else f"{what} [{key}]"
            try:
                if robust:
                    checks.mostly_close(value, expected[key], label, atol=atol, rtol=rtol, hints=hints,
                                        dtype=dtype, **robust)
                else:
                    checks.close(value, expected[key], label, atol=atol, rtol=rtol, hints=hints, dtype=dtype)
            except pytest.fail.Exception:
                if isinstance(value, Value) and value.size > 1:  # show the student where it differs
                    self._attach({"title": label, "panels": partial(report.array_panels, value, expected[key],
                                                                    atol=atol, rtol=rtol)})
                raise

    def number(self, value, basename: str, *, what: str, atol: float = 0.0, hints=()) -> None:
        """A single number (a Python number or one-element array) matches the stored one.
        A hint's test gets (obtained, expected) as floats."""
        __tracebackhide__ = True
        obtained = checks.number(value, what)
        if self.regenerate:
            self._arrays.check({"value": np.asarray(obtained, dtype=np.float64)}, basename=basename,
                               default_tolerance={"atol": atol, "rtol": 0.0})
            return
        expected = float(self.load(basename)["value"])
        if not abs(obtained - expected) <= atol:
            hint = next((h for test, h in hints if test(obtained, expected)), None)
            checks.fail(f"{what} is {obtained:g}, expected {expected:g}" + (f". Hint: {hint}" if hint else ""))

    def figure(self, rendered, basename: str, *, what: str, max_changed_share: float) -> None:
        """A figure (``autograder.figures.rendered``: its scene and its PNG) shows what the
        reference's shows: the same panels, titles, axes, pictures, colour scales, points and
        arrows (``<basename>_scene.npz``), and its PNG looks like the stored one (:meth:`image`)."""
        __tracebackhide__ = True
        if not isinstance(rendered, dict) or not {"scene", "png"} <= set(rendered):
            checks.fail(f"{what} should be a rendered figure, got {checks.describe(rendered)}")
        scene = rendered["scene"]
        if self.regenerate:
            self.folder.mkdir(parents=True, exist_ok=True)
            np.savez(self.folder / f"{basename}_scene.npz", **{k: np.asarray(v) for k, v in scene.items()})
        self.image(rendered["png"], basename, what=what, max_changed_share=max_changed_share,
                   scene=None if self.regenerate else scene)

    def image(self, png: bytes, basename: str, *, what: str, max_changed_share: float, scene=None) -> None:
        """A rendered PNG looks like the stored one: same size and mode (pytest-regressions checks
        neither), the same scene when one is given, then at most ``max_changed_share`` of the
        picture changed as a person sees it (:func:`changed_share`)."""
        __tracebackhide__ = True
        from PIL import Image

        if not isinstance(png, bytes):
            checks.fail(f"{what} should be PNG bytes, got {checks.describe(png)}")
        try:
            obtained = Image.open(io.BytesIO(png))
            obtained.load()
        except Exception as exc:  # noqa: BLE001
            checks.fail(f"{what} is not a readable image: {exc}")
        if self.regenerate:
            self._images.check(png, basename=basename)
            return
        if self.figures is not None:  # a readable PNG, saved as the student's for the class view
            self.figures.mkdir(parents=True, exist_ok=True)
            saved = self.figures / f"{self.folder.name}_{basename}"  # e.g. ex7_grid.png, and what it is
            saved.with_suffix(".png").write_bytes(png)
            saved.with_suffix(".json").write_text(json.dumps({
                "exercise": int(self.folder.name.removeprefix("ex")), "name": basename, "what": what,
                "test": self.test}))
        expected_file = self._file(basename, ".png")
        self._attach({"title": what, "panels": partial(report.image_panels, png, expected_file.read_bytes())})
        expected = Image.open(expected_file)
        if obtained.size != expected.size:
            checks.fail(f"{what} is {obtained.size[0]} x {obtained.size[1]} px, expected "
                        f"{expected.size[0]} x {expected.size[1]} px")
        if obtained.mode != expected.mode:
            checks.fail(f"{what} has image mode {obtained.mode}, expected {expected.mode}")
        if scene is not None:
            same_scene(scene, self.load(f"{basename}_scene"), what)
        share, region = changed_share(obtained, expected)
        if share > max_changed_share:
            checks.fail(f"{what} differs visibly from the reference picture in {share:.1%} of its area "
                        f"(allowed {max_changed_share:.1%}); the changed blocks span x {region[0]}-{region[1]}, "
                        f"y {region[2]}-{region[3]}")


def _name(key: str, expected: dict) -> str:
    """'panel3.image0' -> 'panel 4 ("max pooling, 2 iter."): image0', the title as the figure shows it."""
    head, _, what = key.partition(".")
    if head.startswith("panel") and what:
        title = shown_text(str(expected.get(f"{head}.title", "")))
        return f"panel {int(head[5:]) + 1}" + (f' ("{title}")' if title else "") + f": {what}"
    return key.replace(".", " ")


def _texts(got: str, want: str) -> tuple[str, str]:
    """Two texts as the figure shows them, or as typed where they would look the same."""
    shown = shown_text(got), shown_text(want)
    return (got, want) if shown[0] == shown[1] else shown


def same_scene(obtained, expected: dict, what: str) -> None:
    """The obtained scene has every entry of the expected one, equal (text) or close (numbers:
    1e-4 of the entry's scale, 1e-3 relative; the data behind them is graded tightly elsewhere)."""
    __tracebackhide__ = True
    if not isinstance(obtained, dict):
        checks.fail(f"{what}: no description of the figure came back")
    for key in ("panels", "colorbars"):
        got, want = (int(np.asarray(v).reshape(-1)[0]) for v in (obtained.get(key, -1), expected[key]))
        if got != want:
            checks.fail(f"{what} has {got} {key[:-1]}(s), expected {want}")
    for key in [k for k in expected if k not in ("panels", "colorbars")]:
        want = expected[key]
        if key not in obtained:
            checks.fail(f"{what}: {_name(key, expected)} is missing")
        got = obtained[key]
        if want.dtype.kind == "U":
            if str(got) != str(want):
                shown_got, shown_want = _texts(str(got), str(want))
                checks.fail(f'{what}: {_name(key, expected)} is "{shown_got}", expected "{shown_want}"')
            continue
        got = np.asarray(got, dtype=np.float64)
        if got.shape != want.shape:
            checks.fail(f"{what}: {_name(key, expected)} has shape {got.shape}, expected {want.shape}")
        scale = float(np.nanmax(np.abs(want))) if want.size and np.isfinite(want).any() else 1.0
        bad = ~np.isclose(got, want, atol=1e-4 * max(scale, 1e-12), rtol=1e-3, equal_nan=True)
        if bad.any():
            checks.fail(f"{what}: {_name(key, expected)} differs from the reference's in {int(bad.sum())} of "
                        f"{bad.size} values (largest error {float(np.nanmax(np.abs(got - want))):.3g})")
    extra = sorted(set(obtained) - set(expected))
    if extra:
        checks.fail(f"{what}: {_name(extra[0], expected)} is drawn, the reference has none")


BLOCK = 8  # px: finer than a panel, an arrow or a colour bar; coarser than antialiasing and kerning
VISIBLE = 0.15  # a block whose mean colour moved by 15 % of the range (38 grey levels) has changed


def changed_share(obtained, expected) -> tuple[float, tuple[int, int, int, int]]:
    """The share of the picture that changed as a person sees it, and the bounding box of the
    largest changed area. Both pictures (PIL images of one size and mode; alpha is a channel
    like the others) are averaged over BLOCK x BLOCK squares: a glyph moved by a pixel or an edge
    antialiased otherwise changes a few pixels of a square a little; a missing or swapped panel,
    another colour scale or other arrows change whole squares."""
    a = np.asarray(obtained, dtype=np.float64) / 255.0
    b = np.asarray(expected, dtype=np.float64) / 255.0
    a, b = (x.reshape(x.shape[0], x.shape[1], -1) for x in (a, b))
    height, width = (a.shape[0] // BLOCK) * BLOCK, (a.shape[1] // BLOCK) * BLOCK

    def blocks(x):
        x = x[:height, :width]
        return x.reshape(height // BLOCK, BLOCK, width // BLOCK, BLOCK, -1).mean(axis=(1, 3))

    changed = np.abs(blocks(a) - blocks(b)).max(axis=-1) > VISIBLE
    if not changed.any():
        return 0.0, (0, 0, 0, 0)
    rows, cols = np.nonzero(changed)
    region = (int(cols.min()) * BLOCK, int(cols.max() + 1) * BLOCK - 1, int(rows.min()) * BLOCK,
              int(rows.max() + 1) * BLOCK - 1)
    return float(changed.mean()), region


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
            # Just written when regenerating: the manifest is rewritten at the end of that run.
            with np.load(path if self.regenerate else manifest.verified(path, self.folder.parent),
                         allow_pickle=False) as data:
                self._cache[basename] = {k: data[k] for k in data.files}
        return self._cache[basename]
