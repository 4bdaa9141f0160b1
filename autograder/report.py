"""The HTML report: one self-contained file (images embedded) with the score table, every test's
message, and expected / obtained / difference pictures for image-like results."""
from __future__ import annotations

import base64
import datetime
import html
import io

import numpy as np
from PIL import Image, ImageChops

MIN_SIDE = 160  # small arrays (a 5 x 5 kernel) are enlarged, pixel by pixel, to stay visible


def _png(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # 20x faster than optimize=True, 25 % larger
    return base64.b64encode(buffer.getvalue()).decode()


def _plane(a: np.ndarray) -> np.ndarray:
    """The first 2-D picture in an array: [B, C, H, W] -> [H, W]; a vector becomes one row."""
    a = np.asarray(a, dtype=np.float64)
    while a.ndim > 2:
        a = a[0]
    return a.reshape(1, -1) if a.ndim < 2 else a


def _enlarge(image: Image.Image) -> Image.Image:
    factor = max(1, -(-MIN_SIDE // max(1, min(image.size))))
    factor = min(factor, max(1, 640 // max(image.size)))
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)


def array_panels(obtained, expected) -> dict[str, str]:
    """Expected, obtained (one grey scale for both) and |difference| (its own scale) as base64 PNGs."""
    exp, obt = _plane(expected), _plane(obtained)
    same_shape = exp.shape == obt.shape
    finite = [a[np.isfinite(a)] for a in (exp, obt) if np.isfinite(a).any()]
    low = min(float(a.min()) for a in finite) if finite else 0.0
    high = max(float(a.max()) for a in finite) if finite else 1.0
    span = high - low or 1.0

    def grey(a):
        return Image.fromarray(np.uint8(np.clip(np.nan_to_num((a - low) / span), 0, 1) * 255))

    panels = {"expected": _png(_enlarge(grey(exp))), "obtained": _png(_enlarge(grey(obt)))}
    if same_shape:
        diff = np.nan_to_num(np.abs(obt - exp), nan=np.inf)
        top = float(diff[np.isfinite(diff)].max()) if np.isfinite(diff).any() else 1.0
        level = np.clip(np.where(np.isfinite(diff), diff / (top or 1.0), 1.0), 0, 1)
        rgb = np.stack([np.full_like(level, 255), 255 * (1 - level), 255 * (1 - level)], axis=-1)
        panels["difference"] = _png(_enlarge(Image.fromarray(np.uint8(rgb))))
    return panels


def image_panels(obtained_png: bytes, expected_png: bytes | None) -> dict[str, str]:
    """Rendered pictures as they are (their own PNG bytes, checked readable by the caller), and
    their difference (white = equal, red = different)."""
    obtained = Image.open(io.BytesIO(obtained_png)).convert("RGB")
    panels = {"obtained": base64.b64encode(obtained_png).decode()}
    if expected_png is not None:
        expected = Image.open(io.BytesIO(expected_png)).convert("RGB")
        panels = {"expected": base64.b64encode(expected_png).decode(), **panels}
        if expected.size == obtained.size:
            level = np.asarray(ImageChops.difference(obtained, expected).convert("L"), dtype=np.float64)
            level = np.clip(level / 64.0, 0, 1)  # a difference of a quarter of the range is full red
            rgb = np.stack([np.full_like(level, 255), 255 * (1 - level), 255 * (1 - level)], axis=-1)
            panels["difference"] = _png(Image.fromarray(np.uint8(rgb)))
    return panels


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: #1a7f37; } .failed { color: #c62828; } .skipped { color: #888; }
.test { margin: 0.4em 0; padding: 0.4em 0.6em; border-left: 4px solid #ccc; }
.test.failed { border-color: #c62828; background: #fff5f5; } .test.passed { border-color: #1a7f37; }
.msg { font-family: monospace; white-space: pre-wrap; margin-top: 0.2em; }
.panels { display: flex; gap: 1em; flex-wrap: wrap; margin: 0.5em 0; }
figure { margin: 0; } figcaption { font-size: 0.85em; color: #555; }
img { image-rendering: pixelated; max-width: 560px; border: 1px solid #ddd; }
"""


def render(title: str, rows: list[dict], tests: list[dict], note: str = "") -> str:
    """rows: {exercise, title, earned, possible, passed, graded}; tests: {exercise, number, name,
    status, points, max_points, message, attachments: [{title, panels}]}; ``panels`` is
    {caption: base64 PNG}, or a function returning that (drawn only when a report is written);
    ``note``: a line shown under the title (e.g. why a submission was not graded)."""
    e = html.escape
    total = sum(r["earned"] for r in rows), sum(r["possible"] for r in rows)
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title><style>{CSS}</style></head><body>",
           f"<h1>{e(title)}</h1><p>{datetime.datetime.now():%Y-%m-%d %H:%M} &middot; "
           f"<b>{total[0]:.1f} / {total[1]:.1f} points</b></p>",
           f"<p class='msg failed'>{e(note)}</p>" if note else "",
           "<table><tr><th>exercise</th><th></th><th>points</th><th>tests passed</th></tr>"]
    for r in rows:
        cls = "passed" if r["earned"] == r["possible"] else "failed"
        out.append(f"<tr><td><a href='#ex{r['exercise']}'>{r['exercise']}</a></td><td>{e(r['title'])}</td>"
                   f"<td class='num {cls}'>{r['earned']:.1f} / {r['possible']:.1f}</td>"
                   f"<td class='num'>{r['passed']} / {r['graded']}</td></tr>")
    out.append(f"<tr><th colspan='2'>total</th><th class='num'>{total[0]:.1f} / {total[1]:.1f}</th><th></th></tr></table>")
    for r in rows:
        out.append(f"<h2 id='ex{r['exercise']}'>Exercise {r['exercise']}: {e(r['title'])}</h2>")
        for t in (t for t in tests if t["exercise"] == r["exercise"]):
            points = "" if t["status"] == "skipped" else f" &middot; {t['points']:.2f} / {t['max_points']:.2f}"
            out.append(f"<div class='test {t['status']}'><b>{e(t['number'])}</b> {e(t['name'])} "
                       f"<span class='{t['status']}'>{t['status']}</span>{points}")
            if t["message"] and t["status"] != "passed":
                out.append(f"<div class='msg'>{e(t['message'])}</div>")
            for attachment in t["attachments"]:
                out.append(f"<div><i>{e(attachment['title'])}</i></div><div class='panels'>")
                panels = attachment["panels"]
                for caption, data in (panels() if callable(panels) else panels).items():
                    out.append(f"<figure><img src='data:image/png;base64,{data}' alt='{e(caption)}'>"
                               f"<figcaption>{e(caption)}</figcaption></figure>")
                out.append("</div>")
            out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)
