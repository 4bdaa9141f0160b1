"""What a figure shows, independent of how a matplotlib version rasterises it (worker side), and
its texts as the figure shows them (judge side: :func:`shown_text`, for messages).

A person reading a plot sees its panels, their titles and axes (and the tick labels a figure
sets itself, such as a heat map's tokens), the picture in each panel and its colour scale, the
points with their colours and the arrows. :func:`scene` lists exactly that, from the
figure's artists, as plain values; the judge compares it with the reference's scene
(``Reference.figure``), and the PNG itself only at a coarse scale: antialiasing, kerning and the
contour algorithm change between matplotlib, FreeType and Pillow versions, the scene does not.
"""
from __future__ import annotations

import io
import re

import numpy as np


def _colorbar(ax):
    return getattr(ax, "_colorbar", None)


def scene(fig) -> dict:
    """{key: value} with one entry per thing a person sees; keys are "panel<i>.<what>"."""
    from matplotlib.collections import PathCollection
    from matplotlib.quiver import Quiver
    from matplotlib.ticker import FixedFormatter

    out: dict = {}
    panels = [ax for ax in fig.axes if _colorbar(ax) is None]
    out["panels"] = np.asarray([len(panels)])  # one number, as a 1-element array (as the scenes hold it)
    out["colorbars"] = np.asarray([len(fig.axes) - len(panels)])
    for i, ax in enumerate(panels):
        key = f"panel{i}."
        out[key + "title"] = ax.get_title()
        out[key + "axes shown"] = np.asarray([bool(ax.axison)])
        if ax.axison:
            out[key + "x label"], out[key + "y label"] = ax.get_xlabel(), ax.get_ylabel()
            out[key + "x range"], out[key + "y range"] = np.asarray(ax.get_xlim()), np.asarray(ax.get_ylim())
        for j, image in enumerate(ax.get_images()):
            out[key + f"image{j}"] = np.asarray(image.get_array(), dtype=np.float64)
            out[key + f"image{j} colour range"] = np.asarray(image.get_clim(), dtype=np.float64)
            out[key + f"image{j} colour map"] = image.get_cmap().name
        arrows = [c for c in ax.collections if isinstance(c, Quiver)]
        for j, q in enumerate(arrows):  # in the order of their places: a meshgrid's indexing does not show
            at = np.stack([np.ravel(q.X), np.ravel(q.Y)]).astype(np.float64)
            order = np.lexsort((at[1], at[0]))
            out[key + f"arrows{j} at"] = at[:, order]
            out[key + f"arrows{j}"] = np.stack([np.ravel(q.U), np.ravel(q.V)]).astype(np.float64)[:, order]
        points = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets()) > 1]
        for j, c in enumerate(points):
            out[key + f"points{j}"] = np.asarray(c.get_offsets(), dtype=np.float64)
            out[key + f"points{j} marker"] = _marker(c)
            if c.get_array() is not None:  # coloured by value: the values, and how they map to colours
                out[key + f"points{j} colours"] = np.asarray(c.get_array(), dtype=np.float64)
                out[key + f"points{j} colour map"] = c.get_cmap().name
                out[key + f"points{j} colour range"] = np.asarray(c.get_clim(), dtype=np.float64)
            else:  # one colour for all: the colour itself (RGBA)
                faces = np.unique(np.asarray(c.get_facecolor(), dtype=np.float64).round(3), axis=0)
                if len(faces) == 1:
                    out[key + f"points{j} colour"] = faces[0]
        for axis in ("x", "y"):  # tick labels a figure sets itself (words, as a heat map of tokens has)
            getter = getattr(ax, f"get_{axis}axis")()
            if isinstance(getter.get_major_formatter(), FixedFormatter):
                labels = [t.get_text() for t in getter.get_ticklabels()]
                out[key + f"{axis} tick labels"] = "|".join(labels)
                out[key + f"{axis} ticks"] = np.asarray(getter.get_ticklocs(), dtype=np.float64)
    for i, ax in enumerate(a for a in fig.axes if _colorbar(a) is not None):
        bar = _colorbar(ax)
        out[f"colorbar{i}.range"] = np.asarray([bar.norm.vmin, bar.norm.vmax], dtype=np.float64)
        out[f"colorbar{i}.colour map"] = bar.cmap.name
        out[f"colorbar{i}.label"] = bar.ax.get_ylabel() or bar.ax.get_xlabel()
        levels = getattr(bar.mappable, "levels", None)
        if levels is not None:
            out[f"colorbar{i}.levels"] = np.asarray(levels, dtype=np.float64)
    return out


MARKERS = "o.xX+P*sD^v<>ph"  # matplotlib's marker styles a person tells apart on a scatter plot


def _marker(collection) -> str:
    """The marker of a scatter plot's points, by its matplotlib name ("o", "x", ...; "other")."""
    from matplotlib.markers import MarkerStyle

    paths = collection.get_paths()
    if len(paths) != 1:
        return "other"
    drawn = paths[0].vertices
    for name in MARKERS:
        style = MarkerStyle(name)
        vertices = style.get_path().transformed(style.get_transform()).vertices
        if vertices.shape == drawn.shape and np.allclose(vertices, drawn, atol=1e-6):
            return name
    return "other"


def rendered(fig) -> dict:
    """The figure as the judge receives it: its scene and its PNG; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    result = {"scene": scene(fig), "png": buffer.getvalue()}
    plt.close(fig)
    return result


_FONTS = {"mathrm", "mathit", "mathbf", "mathsf", "mathtt", "mathcal", "mathbb", "text", "textrm", "operatorname"}
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUPER = str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")


def shown_text(text: str) -> str:
    r"""A figure's text (a title, a label) as the figure shows it, in plain Unicode, not as typed:
    ``$p(y=1 \mid x)$`` -> ``p(y=1 ∣ x)``. In the ``$...$`` parts (matplotlib's mathtext) the
    dollars go; a command matplotlib draws as one symbol (``\mid``, ``\sigma``, ``\nabla``,
    ``\cdot``) becomes that symbol, from matplotlib's own table; a font command (``\mathrm``)
    and the braces go, spacing commands (``\,``) become a space; a sub- or superscript becomes its
    Unicode form where every character has one (``x_1`` -> ``x₁``, ``x^2`` -> ``x²``), else it
    stays as typed (``x_b``). Any other command keeps its name, with one backslash. Spaces are
    kept as typed (mathtext sets its own): the characters are those the figure draws."""
    parts = re.split(r"(?<!\\)\$", text)
    if len(parts) % 2 == 0:  # an odd number of dollars: matplotlib draws the text as it is
        return text
    return "".join(_math(part) if i % 2 else part.replace("\\$", "$") for i, part in enumerate(parts))


def _math(text: str) -> str:
    try:
        from matplotlib._mathtext_data import tex2uni  # the symbols mathtext draws, by command name
    except ImportError:  # a matplotlib without the table: the commands keep their names
        tex2uni = {}

    def command(match: re.Match) -> str:
        name = match.group(1)
        if name in _FONTS or name == "!":
            return ""
        if name in (",", ";", ":", " ", "quad", "qquad"):
            return " "
        return chr(tex2uni[name]) if name in tex2uni else "\\" + name

    def script(match: re.Match) -> str:
        body = match.group(2).strip("{}")
        table = _SUB if match.group(1) == "_" else _SUPER
        converted = body.translate(table)
        return converted if all(c != t for c, t in zip(body, converted)) else match.group(0)

    text = re.sub(r"\\([A-Za-z]+|.)", command, text)
    text = re.sub(r"([_^])(\{[^{}]*\}|.)", script, text)
    return " ".join(text.replace("{", "").replace("}", "").split())
