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
import re
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from autograder import checks, manifest, mistakes, report
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
        hints = list(hints)
        for key, value in obtained.items():
            label = what if len(obtained) == 1 else f"{what} [{key}]"
            own = hints + _joint_hints(key, obtained, expected)
            try:
                if robust:
                    checks.mostly_close(value, expected[key], label, atol=atol, rtol=rtol, hints=own,
                                        dtype=dtype, **robust)
                else:
                    checks.close(value, expected[key], label, atol=atol, rtol=rtol, hints=own, dtype=dtype)
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
            message = f"{what} is {obtained:g}, expected {expected:g}"
            hint = checks.number_hint(hints, obtained, expected)
            if hint is None and getattr(value, "call", None) is not None:  # the known mistakes of its call
                number = np.asarray(obtained, dtype=np.float64).view(Value)
                number.call = value.call
                checks.fail(message, number, expected=np.asarray(expected), atol=atol)
            checks.failed(message, hint)

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


def _joint_hints(key: str, obtained: dict, expected: dict) -> list:
    """Hints about the arrays of one check taken together: the components of vectors (GX and GY)
    normalised to unit length jointly, as arrows drawn all of one length."""
    together = [k for k in expected if np.shape(expected[k]) == np.shape(expected[key])]
    if len(together) < 2 or not all(k in obtained for k in together):
        return []
    norms = np.sqrt(sum(np.asarray(expected[k], dtype=np.float64) ** 2 for k in together))
    if not np.all(norms > 0):
        return []
    unit = np.asarray(expected[key], dtype=np.float64) / norms
    return [(lambda o, ref: mistakes.same(o, unit),
             f"the vectors ({', '.join(together)}) were normalised to unit length; return them as they are")]


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
    data = ("points", "arrows", "image", "colour")  # what is drawn first, then how it is framed and labelled
    keys = sorted((k for k in expected if k not in ("panels", "colorbars")),
                  key=lambda k: not any(word in k.partition(".")[2] for word in data))
    for key in keys:
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
        scale = float(np.nanmax(np.abs(want))) if want.size and np.isfinite(want).any() else 1.0
        tolerance = dict(atol=1e-4 * max(scale, 1e-12), rtol=1e-3)
        if got.shape != want.shape:
            checks.fail(f"{what}: {_name(key, expected)} has shape {got.shape}, expected {want.shape}",
                        hint=_scene_hint(key, got, obtained, expected))
        bad = ~np.isclose(got, want, equal_nan=True, **tolerance)
        if bad.any():
            message = (f"{what}: {_name(key, expected)} differs from the reference's in {int(bad.sum())} of "
                       f"{bad.size} values (largest error {float(np.nanmax(np.abs(got - want))):.3g})")
            if key.endswith(" colour") and got.shape == want.shape == (4,):
                message = f"{what}: {_name(key, expected)} is {_colour(got)}, expected {_colour(want)}"
            hint = _scene_hint(key, got, obtained, expected)
            checks.fail(message, None if hint else got, expected=want, hint=hint, **tolerance)
    extra = sorted(set(obtained) - set(expected))
    if extra:
        checks.fail(f"{what}: {_name(extra[0], expected)} is drawn, the reference has none")


_COLOURS = {"black": (0, 0, 0), "white": (1, 1, 1), "red": (1, 0, 0), "green": (0, 0.502, 0), "blue": (0, 0, 1),
            "yellow": (1, 1, 0), "cyan": (0, 1, 1), "magenta": (1, 0, 1), "grey": (0.502, 0.502, 0.502),
            "orange": (1, 0.647, 0)}


def _colour(rgba: np.ndarray) -> str:
    """An RGBA colour as a person names it where it has a plain name, and in hex."""
    name = next((n for n, rgb in _COLOURS.items() if np.allclose(rgba[:3], rgb, atol=0.01)), "")
    hexa = "#" + "".join(f"{int(round(255 * c)):02x}" for c in rgba[:3])
    return f"{name} ({hexa})" if name else hexa


def _scene_hint(key: str, got: np.ndarray, obtained: dict, expected: dict) -> str | None:
    """What a figure's own mistakes look like in its scene: points drawn in another order, the
    points' x and y swapped, a colour scale left to span the values' own range, arrows of unit
    length. (Anything else is diagnosed as any array is: relations to the expected entry.)"""
    head, _, what = key.partition(".")
    kind = re.sub(r"\d+", "", what)
    if kind in ("points", "arrows"):  # another entry of the same kind holds what this one should
        for other in expected:
            if other != key and other.startswith(f"{head}.") and re.sub(r"\d+", "", other.partition(".")[2]) == kind \
                    and np.asarray(expected[other]).shape == got.shape and np.allclose(got, expected[other]):
                return "the markers are drawn in another order: what is drawn last is on top"
    want = np.asarray(expected[key], dtype=np.float64)
    if kind == "points" and want.ndim == 2 and want.shape[1] == 2 and got.shape == want.shape \
            and np.allclose(got, want[:, ::-1]) and not np.allclose(want, want[:, ::-1]):
        return "the points' x and y are swapped"
    if kind == "points colour range":
        colours = np.asarray(obtained.get(key.replace("colour range", "colours"), []), dtype=np.float64)
        if colours.size and np.allclose(got, [colours.min(), colours.max()]):
            return ("the colour scale spans the values' own range: set its limits (vmin and vmax) as asked, "
                    "so that every figure maps a value to the same colour")
    if kind == "arrows" and got.shape == want.shape and want.shape[0] == 2:
        if np.allclose(got, want[::-1]) and not np.allclose(want, want[::-1]):
            return "the arrows' x and y components are swapped"
        norms = np.linalg.norm(want, axis=0)
        if np.all(norms > 0) and np.allclose(got, want / norms) and not np.allclose(norms, 1):
            return "the arrows were normalised to unit length; draw the gradients as they are"
    return None


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
    """Input data made by the reference (e.g. a trained model's weights) in fixtures/ex<N>/.

    Made once: when regenerating and the file is absent. A regeneration keeps an existing one,
    since every reference file of the exercise was made from it (retraining a model for one
    grader file would leave the others' data made from the old weights); to make it again, delete
    it and regenerate the whole exercise."""

    def __init__(self, folder: Path, *, regenerate: bool):
        self.folder = folder
        self.regenerate = regenerate
        self._cache: dict[str, dict[str, np.ndarray]] = {}

    def get(self, basename: str, produce) -> dict[str, np.ndarray]:
        """The stored arrays; ``produce()`` makes them only when regenerating and they are absent
        (the plugin regenerates only with --target=solutions)."""
        if basename not in self._cache:
            path = self.folder / f"{basename}.npz"
            made = self.regenerate and not path.is_file()
            if made:
                self.folder.mkdir(parents=True, exist_ok=True)
                np.savez(path, **{k: np.asarray(v) for k, v in produce().items()})
            # Just made when regenerating: the manifest is rewritten at the end of that run.
            with np.load(path if made else manifest.verified(path, self.folder.parent), allow_pickle=False) as data:
                self._cache[basename] = {k: data[k] for k in data.files}
        return self._cache[basename]
