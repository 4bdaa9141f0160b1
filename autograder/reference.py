"""Reference data in fixtures/ex<N>/: made by the reference solutions, compared in the judge.

Every kind of reference data (arrays, a number, a figure's scene, a picture, the inputs the
reference makes once, like a trained model's weights) goes through one path,
:meth:`Reference._reference`: when regenerating (``--regen-all``, refused unless the target is the
solutions) the reference's output is written; otherwise it is compared, with one-line messages
and the tolerances measured beside each grader. A reference file is never made from a student's
output, and a missing one is handled by :func:`autograder.core.manifest.verified` (failed when the
manifest lists it, else not graded). What the report shows of a comparison is data
(``attach``): the report (:mod:`autograder.report`) draws it, the run saves the pictures.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pytest

from autograder import checks
from autograder.core import manifest
from autograder.core import diagnosis as mistakes
from autograder.core.codec import Value
from autograder.figures import shown_text


def _npz(arrays: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{k: np.asarray(v) for k, v in arrays.items()})
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Reference:
    """The ``reference`` fixture: one grader test's view of its exercise's reference data."""

    def __init__(self, folder: Path, *, regenerate: bool, attach=lambda attachment: None, test: str = ""):
        self.folder = folder
        self.regenerate = regenerate
        self._attach = attach  # what the report shows of a comparison: {"kind", "title", ...} (data)
        self.test = test  # the test this object serves

    # -- the one path ---------------------------------------------------------------------------
    def _reference(self, basename: str, suffix: str, made, compare) -> None:
        """Regenerating: write ``made()`` (the reference's output, bytes) as the reference file;
        else ``compare(path)`` with the stored file, checked against the manifest first."""
        __tracebackhide__ = True
        path = self.folder / f"{basename}{suffix}"
        if self.regenerate:
            _write(path, made())
            return
        compare(manifest.verified(path, self.folder.parent))

    def load(self, basename: str) -> dict[str, np.ndarray]:
        """The stored arrays of ``<basename>.npz`` (for a grader that needs the expected values)."""
        with np.load(manifest.verified(self.folder / f"{basename}.npz", self.folder.parent), allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    # -- the kinds of reference data -----------------------------------------------------------
    def arrays(self, obtained: dict, basename: str, *, what: str, atol: float, rtol: float = 0.0,
               hints=(), dtype: str | None = "float32", robust: dict | None = None) -> None:
        """Each obtained array matches the stored one of the same key (``<basename>.npz``):
        elementwise within atol + rtol * |expected|, or, with ``robust`` (max_relative_error,
        max_outlier_share), by :func:`checks.mostly_close`. ``dtype`` is the dtype asked for:
        float32 by default (the handout's convention), ``"floating"`` for any float precision, None
        for any dtype (integer labels, booleans); ``hints`` the grader's own (see
        :mod:`autograder.checks`). When regenerating, the reference's arrays are checked against
        the dtype asked for before they are stored: a grader that asks for another dtype than its
        reference returns fails then, not later on every submission."""
        __tracebackhide__ = True
        if self.regenerate:
            for key, value in obtained.items():
                checks.array(value, what if len(obtained) == 1 else f"{what} [{key}]", dtype=dtype, finite=False)
        self._reference(basename, ".npz", lambda: _npz(obtained),
                        lambda path: self._compare_arrays(obtained, path, what, atol, rtol, list(hints), dtype, robust))

    def _compare_arrays(self, obtained, path, what, atol, rtol, hints, dtype, robust) -> None:
        __tracebackhide__ = True
        with np.load(path, allow_pickle=False) as data:
            expected = {k: data[k] for k in data.files}
        if set(expected) != set(obtained):
            checks.fail(f"reference data {path.stem} holds {sorted(expected)}, the grader compares {sorted(obtained)}; "
                        "regenerate the fixtures")
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
                    self._attach({"kind": "arrays", "title": label, "obtained": np.asarray(value),
                                  "expected": expected[key], "atol": atol, "rtol": rtol})
                raise

    def number(self, value, basename: str, *, what: str, atol: float = 0.0, hints=()) -> None:
        """A single number (a Python number or one-element array) matches the stored one
        (``<basename>.npz``, key ``value``). A hint's test gets (obtained, expected) as floats."""
        __tracebackhide__ = True
        obtained = checks.number(value, what)

        def compare(path: Path) -> None:
            __tracebackhide__ = True
            with np.load(path, allow_pickle=False) as data:
                expected = float(data["value"])
            number = np.asarray(obtained, dtype=np.float64).view(Value)
            number.call = getattr(value, "call", None)  # the known mistakes of its call
            if abs(obtained - expected) <= atol:
                mistakes.passed(number, np.asarray(expected), atol, 0.0)
                return
            message = f"{what} is {obtained:g}, expected {expected:g}"
            hint = checks.number_hint(hints, obtained, expected)
            if hint is None and number.call is not None:
                checks.fail(message, number, expected=np.asarray(expected), atol=atol)
            checks.failed(message, hint)

        self._reference(basename, ".npz", lambda: _npz({"value": np.asarray(obtained, dtype=np.float64)}), compare)

    def figure(self, rendered, basename: str, *, what: str, max_changed_share: float) -> None:
        """A figure (``autograder.figures.rendered``: its scene and its PNG) shows what the
        reference's shows: the same panels, titles, axes, pictures, colour scales, points and
        arrows (``<basename>_scene.npz``), and its PNG looks like the stored one (:meth:`image`)."""
        __tracebackhide__ = True
        if not isinstance(rendered, dict) or not {"scene", "png"} <= set(rendered):
            checks.fail(f"{what} should be a rendered figure, got {checks.describe(rendered)}")
        scene = rendered["scene"]
        stored: dict = {}

        def load_scene(path: Path) -> None:
            with np.load(path, allow_pickle=False) as data:
                stored.update({k: data[k] for k in data.files})

        self._reference(f"{basename}_scene", ".npz", lambda: _npz(scene), load_scene)
        self.image(rendered["png"], basename, what=what, max_changed_share=max_changed_share,
                   scene=(scene, stored) if stored else None)

    def image(self, png: bytes, basename: str, *, what: str, max_changed_share: float, scene=None) -> None:
        """A rendered PNG (``<basename>.png``) looks like the stored one: the same size and mode, the
        same scene when one is given ((obtained, expected)), then at most ``max_changed_share`` of
        the picture changed as a person sees it (:func:`changed_share`)."""
        __tracebackhide__ = True
        from PIL import Image

        if not isinstance(png, bytes):
            checks.fail(f"{what} should be PNG bytes, got {checks.describe(png)}")
        try:
            obtained = Image.open(io.BytesIO(png))
            obtained.load()
        except Exception as exc:  # noqa: BLE001
            checks.fail(f"{what} is not a readable image: {exc}")

        def compare(path: Path) -> None:
            __tracebackhide__ = True
            expected_png = path.read_bytes()
            self._attach({"kind": "picture", "title": what, "obtained": png, "expected": expected_png,
                          "name": basename, "exercise": int(self.folder.name.removeprefix("ex")), "test": self.test})
            expected = Image.open(io.BytesIO(expected_png))
            if obtained.size != expected.size:
                checks.fail(f"{what} is {obtained.size[0]} x {obtained.size[1]} px, expected "
                            f"{expected.size[0]} x {expected.size[1]} px")
            if obtained.mode != expected.mode:
                checks.fail(f"{what} has image mode {obtained.mode}, expected {expected.mode}")
            if scene is not None:
                same_scene(scene[0], scene[1], what)
            share, region = changed_share(obtained, expected)
            if share > max_changed_share:
                checks.fail(f"{what} differs visibly from the reference picture in {share:.1%} of its area "
                            f"(allowed {max_changed_share:.1%}); the changed blocks span x {region[0]}-{region[1]}, "
                            f"y {region[2]}-{region[3]}")

        self._reference(basename, ".png", lambda: png, compare)


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
    recorded = {k for k in expected if k.endswith(" marker")}  # scenes stored before markers were: not compared
    extra = sorted(k for k in set(obtained) - set(expected) if recorded or not k.endswith(" marker"))
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
    """The ``reference_inputs`` fixture: input data the reference makes (e.g. a trained model's
    weights) in fixtures/ex<N>/.

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
                _write(path, _npz(produce()))
            # Just made when regenerating: the manifest is rewritten at the end of that run.
            with np.load(path if made else manifest.verified(path, self.folder.parent), allow_pickle=False) as data:
                self._cache[basename] = {k: data[k] for k in data.files}
        return self._cache[basename]
