"""The HTML report: one self-contained file (pictures embedded) that a student reads in a minute.

The score table, then per exercise its failed tests, those with the same message folded into one
block with their count, and its passed tests folded into one line. A failed comparison shows what
was expected and obtained: a small array (at most NUMBERS values, COLUMNS across) as numbers,
with the values outside the tolerance marked; a larger, image-like one, or a rendered figure, as
pictures, with their difference. Points are shown as :mod:`autograder.shown` rounds them (the parts add up to the
totals). The footer says how the run was measured (memory, sandbox), for the tutor.
"""
from __future__ import annotations

import base64
import datetime
import html
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops

from autograder import shown

MIN_SIDE = 160  # small pictures (a 9 x 9 grid) are enlarged, pixel by pixel, to stay visible
NUMBERS, COLUMNS = 32, 10  # an array of at most 32 values, 10 across (a 2 x 5 softmax, a 5 x 5 kernel), as numbers


@dataclass
class Numbers:
    """A small array shown as a table: the last axis across, the leading indices down."""
    values: np.ndarray
    marked: np.ndarray | None = None  # True where the value is outside the tolerance
    signed: bool = False  # a difference: shown with its sign


def _png(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # 20x faster than optimize=True, 25 % larger
    return base64.b64encode(buffer.getvalue()).decode()


def _plane(a: np.ndarray, lead: tuple = ()) -> np.ndarray:
    """The 2-D picture at the leading indices ``lead`` (else the first): [B, C, H, W] -> [H, W]; a
    vector becomes one row."""
    a = a[lead]
    while a.ndim > 2:
        a = a[0]
    return a.reshape(1, -1) if a.ndim < 2 else a


def _enlarge(image: Image.Image) -> Image.Image:
    factor = max(1, -(-MIN_SIDE // max(1, min(image.size))))
    factor = min(factor, max(1, 640 // max(image.size)))
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)


def _red(level: np.ndarray) -> Image.Image:
    """0 -> white, 1 -> full red."""
    return Image.fromarray(np.uint8(np.stack([np.full_like(level, 255), 255 * (1 - level), 255 * (1 - level)], -1)))


def array_panels(obtained, expected, atol: float = 0.0, rtol: float = 0.0) -> dict:
    """Expected, obtained and their difference: :class:`Numbers` for a small array (values outside
    atol + rtol * |expected| marked), else base64 PNGs of the 2-D picture holding the largest
    difference (one grey scale for expected and obtained, |difference| on its own scale)."""
    exp, obt = np.asarray(expected, dtype=np.float64), np.asarray(obtained, dtype=np.float64)
    same_shape = exp.shape == obt.shape
    if all(a.size <= NUMBERS and (a.ndim == 0 or a.shape[-1] <= COLUMNS) for a in (exp, obt)):
        if not same_shape:
            return {"expected": Numbers(exp), "obtained": Numbers(obt)}
        marked = ~np.isclose(obt, exp, atol=atol, rtol=rtol)
        return {"expected": Numbers(exp), "obtained": Numbers(obt, marked),
                "obtained - expected": Numbers(obt - exp, marked, signed=True)}
    lead = ()
    if same_shape and exp.ndim > 2:
        worst = np.argmax(np.nan_to_num(np.abs(obt - exp), nan=np.inf))
        lead = tuple(int(i) for i in np.unravel_index(int(worst), exp.shape)[:-2])
    at = f" [{', '.join(map(str, lead))}, :, :]" if lead else ""
    exp, obt = _plane(exp, lead), _plane(obt, lead)
    finite = [a[np.isfinite(a)] for a in (exp, obt) if np.isfinite(a).any()]
    low = min(float(a.min()) for a in finite) if finite else 0.0
    span = (max(float(a.max()) for a in finite) - low if finite else 1.0) or 1.0

    def grey(a):
        return Image.fromarray(np.uint8(np.clip(np.nan_to_num((a - low) / span), 0, 1) * 255))

    panels = {f"expected{at}": _png(_enlarge(grey(exp))), f"obtained{at}": _png(_enlarge(grey(obt)))}
    if same_shape:
        diff = np.nan_to_num(np.abs(obt - exp), nan=np.inf)
        top = float(diff[np.isfinite(diff)].max()) if np.isfinite(diff).any() else 1.0
        level = np.clip(np.where(np.isfinite(diff), diff / (top or 1.0), 1.0), 0, 1)
        # its own scale, said in its label: a tiny difference is drawn as red as a large one
        panels[f"|difference|{at}: white 0, red {top:.3g} (values span {span:.3g})"] = _png(_enlarge(_red(level)))
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
            panels["difference"] = _png(_red(np.clip(level / 64.0, 0, 1)))  # a quarter of the range: full red
    return panels


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
th { background: #f0f0f0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: #1a7f37; } .failed { color: #c62828; } .skipped { color: #888; }
.test { margin: 0.5em 0; padding: 0.4em 0.6em; border-left: 4px solid #ccc; }
.test.failed { border-color: #c62828; background: #fff5f5; } .test.passed { border-color: #1a7f37; }
.msg { font-family: monospace; white-space: pre-wrap; margin: 0.3em 0; }
.names { margin: 0.2em 0; padding-left: 1.2em; font-size: 0.9em; color: #444; }
summary { cursor: pointer; }
.panels { display: flex; gap: 1em; flex-wrap: wrap; margin: 0.5em 0; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 0.85em; color: #555; }
img { image-rendering: pixelated; max-width: 560px; border: 1px solid #ddd; }
table.numbers { margin: 0; font-size: 0.85em; background: #fff; }
table.numbers td, table.numbers th { padding: 0.15em 0.4em; text-align: right; font-variant-numeric: tabular-nums; }
table.numbers th { color: #777; font-weight: normal; }
table.numbers td.bad { background: #ffd6d6; color: #c62828; font-weight: bold; }
footer { margin-top: 2em; padding-top: 0.5em; border-top: 1px solid #ccc; font-size: 0.85em; color: #555; }
"""


def _numbers(table: Numbers) -> str:
    values = table.values.reshape(1) if table.values.ndim == 0 else table.values
    marked = np.zeros(values.shape, bool) if table.marked is None else table.marked.reshape(values.shape)

    def cell(value: float, bad: bool) -> str:
        text = f"{value:+.3g}" if table.signed and value else f"{value:.4g}"
        return f"<td class='bad'>{text}</td>" if bad else f"<td>{text}</td>"

    rows = [f"<tr><th></th>{''.join(f'<th>{j}</th>' for j in range(values.shape[-1]))}</tr>"]
    for index in np.ndindex(values.shape[:-1]):
        cells = "".join(cell(v, bad) for v, bad in zip(values[index], marked[index]))
        rows.append(f"<tr><th>{', '.join(map(str, index))}</th>{cells}</tr>")
    return f"<table class='numbers'>{''.join(rows)}</table>"


def panels(attachment: dict) -> dict:
    """What a comparison attached (autograder.reference), as the report draws it: {caption: base64
    PNG or Numbers}."""
    if attachment["kind"] == "arrays":
        return array_panels(attachment["obtained"], attachment["expected"], attachment["atol"], attachment["rtol"])
    return image_panels(attachment["obtained"], attachment.get("expected"))


def _attachments(test: dict) -> list[str]:
    out = []
    for attachment in test["attachments"]:
        out.append(f"<div><i>{html.escape(attachment['title'])}</i></div><div class='panels'>")
        for caption, data in panels(attachment).items():
            shown_as = _numbers(data) if isinstance(data, Numbers) else \
                f"<img src='data:image/png;base64,{data}' alt='{html.escape(caption)}'>"
            out.append(f"<figure>{shown_as}<figcaption>{html.escape(caption)}</figcaption></figure>")
        out.append("</div>")
    return out


def _points(test: dict) -> str:
    if test["status"] == "skipped":
        return "not graded"
    earned = test["share"] if test["status"] == "passed" else 0
    return f"<span class='points' data-test='{html.escape(test['number'])}'>{shown.pair(earned, test['share'])}</span>"


def _name(test: dict) -> str:
    return (f"<b>{html.escape(test['number'])}</b> <span title='{html.escape(test['name'])}'>"
            f"{html.escape(shown.sentence(test['name']))}</span>")


def _group(tests: list[dict]) -> list[str]:
    """One block for the tests of one exercise that failed (or were not graded) with one message."""
    status, e = tests[0]["status"], html.escape
    said = "failed" if status == "failed" else "not graded"
    if len(tests) == 1:
        head = f"{_name(tests[0])} <span class='{status}'>{said}</span> &middot; {_points(tests[0])}"
    else:
        lost = sum(t["share"] for t in tests)
        head = (f"<b>{len(tests)} tests</b> ({e(shown.numbers([t['number'] for t in tests]))}) "
                f"<span class='{status}'>{said}</span>" + (f" &middot; {shown.pair(0, lost)}" if status == "failed" else ""))
    out = [f"<div class='test {status}'><div>{head}</div>", f"<div class='msg'>{e(tests[0]['message'])}</div>"]
    if len(tests) > 1:  # where the messages differ in their numbers, each test's own is listed
        own = len({t["message"] for t in tests}) > 1
        out.append(f"<details><summary>the {len(tests)} tests</summary><ul class='names'>"
                   + "".join(f"<li>{_name(t)} &middot; {_points(t)}"
                             + (f"<div class='msg'>{e(t['message'])}</div>" if own else "") + "</li>" for t in tests)
                   + "</ul></details>")
    for test in tests:
        out += _attachments(test)
    return out + ["</div>"]


def _passed(tests: list[dict]) -> list[str]:
    """The passed tests of one exercise, folded into one line; opened, each with its pictures."""
    earned = sum(t["share"] for t in tests)
    out = [f"<details class='test passed'><summary><b>{len(tests)} test{'s' * (len(tests) > 1)}</b> "
           f"<span class='passed'>passed</span> &middot; {shown.pair(earned, earned)}</summary><ul class='names'>"]
    out += [f"<li>{_name(t)} &middot; {_points(t)}</li>" for t in tests]
    out.append("</ul>")
    for test in tests:
        out += _attachments(test)
    return out + ["</details>"]


def render(title: str, rows: list[dict], tests: list[dict], note: str = "", footer: list[str] = (),
           possible: float = 0.0) -> str:
    """rows: {exercise, title, passed, graded}; tests: {exercise, number, name, status, max_points,
    message, attachments: [what a comparison attached, see :func:`panels`]} (drawn only when a
    report is written); ``note``: a line shown under
    the title (e.g. why a submission was not graded); ``footer``: lines for the tutor;
    ``possible``: the points a run without tests was worth (0 of them shown)."""
    e = html.escape
    points = shown.points([(t["exercise"], t["max_points"], {"passed": True, "failed": False}.get(t["status"]),
                            "" if t["status"] == "passed" else shown.but_numbers(t["message"])) for t in tests])  # as _group folds them
    tests = [{**t, "share": share} for t, share in zip(tests, points.tests)]
    total = shown.pair(*points.total) if tests else shown.pair(0, round(possible * shown.TENTHS))
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title><style>{CSS}</style></head><body>",
           f"<h1>{e(title)}</h1><p>{datetime.datetime.now():%Y-%m-%d %H:%M} &middot; <b>{total} points</b></p>",
           f"<p class='msg failed'>{e(note)}</p>" if note else "",
           "<table><tr><th>exercise</th><th></th><th class='num'>points</th><th class='num'>tests passed</th></tr>"]
    for r in rows:
        earned, possible = points.exercises.get(r["exercise"], (0, 0))
        out.append(f"<tr><td><a href='#ex{r['exercise']}'>{r['exercise']}</a></td><td>{e(r['title'])}</td>"
                   f"<td class='num {'passed' if r['passed'] == r['graded'] else 'failed'}'>"
                   f"<span data-exercise='{r['exercise']}'>{shown.pair(earned, possible)}</span></td>"
                   f"<td class='num'>{r['passed']} / {r['graded']}</td></tr>")
    out.append(f"<tr><th colspan='2'>total</th><th class='num'><span data-total>{total}</span></th><th></th></tr></table>")
    for r in rows:
        out.append(f"<h2 id='ex{r['exercise']}'>Exercise {r['exercise']}: {e(r['title'])} &middot; "
                   f"{points.exercise(r['exercise'])}</h2>")
        mine = [t for t in tests if t["exercise"] == r["exercise"]]
        for status in ("failed", "skipped"):
            for group in shown.fold([t for t in mine if t["status"] == status]):
                out += _group(group)
        if any(t["status"] == "passed" for t in mine):
            out += _passed([t for t in mine if t["status"] == "passed"])
    if footer:
        out.append("<footer>" + "".join(f"<p>{e(line)}</p>" for line in footer) + "</footer>")
    out.append("</body></html>")
    return "\n".join(out)


def write(path: Path, page: str) -> None:
    """The report written whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page)
    os.replace(tmp, path)


def not_graded(title: str, why: str, possible: float) -> str:
    """The report of a run that graded nothing: why, and 0 of the ``possible`` points."""
    return render(title, [], [], note=f"Not graded: {why}", possible=possible)
