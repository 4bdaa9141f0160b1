"""What a figure shows, independent of how a matplotlib version rasterises it (worker side).

A person reading a plot sees its panels, their titles and axes, the picture in each panel and
its colour scale, the points and the arrows. :func:`scene` lists exactly that, from the
figure's artists, as plain values; the judge compares it with the reference's scene
(``Reference.figure``), and the PNG itself only at a coarse scale: antialiasing, kerning and the
contour algorithm change between matplotlib, FreeType and Pillow versions, the scene does not.
"""
from __future__ import annotations

import io

import numpy as np


def _colorbar(ax):
    return getattr(ax, "_colorbar", None)


def scene(fig) -> dict:
    """{key: value} with one entry per thing a person sees; keys are "panel<i>.<what>"."""
    from matplotlib.collections import PathCollection
    from matplotlib.quiver import Quiver

    out: dict = {}
    panels = [ax for ax in fig.axes if _colorbar(ax) is None]
    out["panels"] = np.asarray(len(panels))
    out["colorbars"] = np.asarray(len(fig.axes) - len(panels))
    for i, ax in enumerate(panels):
        key = f"panel{i}."
        out[key + "title"] = ax.get_title()
        out[key + "axes shown"] = np.asarray(bool(ax.axison))
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
            if c.get_array() is not None:  # coloured by value: the values, and how they map to colours
                out[key + f"points{j} colours"] = np.asarray(c.get_array(), dtype=np.float64)
                out[key + f"points{j} colour map"] = c.get_cmap().name
                out[key + f"points{j} colour range"] = np.asarray(c.get_clim(), dtype=np.float64)
    for i, ax in enumerate(a for a in fig.axes if _colorbar(a) is not None):
        bar = _colorbar(ax)
        out[f"colorbar{i}.range"] = np.asarray([bar.norm.vmin, bar.norm.vmax], dtype=np.float64)
        out[f"colorbar{i}.colour map"] = bar.cmap.name
        out[f"colorbar{i}.label"] = bar.ax.get_ylabel() or bar.ax.get_xlabel()
        levels = getattr(bar.mappable, "levels", None)
        if levels is not None:
            out[f"colorbar{i}.levels"] = np.asarray(levels, dtype=np.float64)
    return out


def rendered(fig) -> dict:
    """The figure as the judge receives it: its scene and its PNG; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    result = {"scene": scene(fig), "png": buffer.getvalue()}
    plt.close(fig)
    return result
