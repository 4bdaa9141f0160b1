"""The class view: what a tutor takes into the tutorial session after grading a whole class.

    python -m autograder.tools.classview OUT

Built from what batch grading left in OUT (the gradebook, each student's results.json and saved
figures, similarity.json, changes.json), never by grading again, so it is rebuilt in seconds:

- OUT/class.html: the score distribution per exercise, the mistakes the class made (counted by
  the hint that named them, most frequent first, with the students concerned: the agenda of the
  session), the pass rate of every test, the submissions to look at twice (not graded, similar
  pairs with a side-by-side view, points changed by a regrading) and every student's points.
- OUT/gallery.html: for each rendered figure, the reference and every student's picture, small,
  grouped by verdict and by named mistake, each linking to the student's report.

Both are single self-contained files (pictures embedded as thumbnails; identical pictures are
embedded once); their only links are to the students' reports and the files beside them in OUT.
"""
from __future__ import annotations

import argparse
import base64
import csv
import datetime
import hashlib
import html
import io
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from autograder import shown
from autograder.results import Results, ResultsError
from autograder.core.problemset import ProblemSet, add_option, chosen_or_exit

WIDTH = 260  # px of a thumbnail: big enough to tell a figure's panels apart, small enough for 500 students
INLINE = 6  # failing students named in the table; more are folded
MAX_PICTURE = 4096 * 4096  # pixels; a larger "figure" is not thumbnailed

_HINT = re.compile(r"\bHint: (.+?)\s*$")


def named_mistake(test: dict) -> tuple[str, str] | None:
    """(its stable name, its text) of the mistake a failed test of results.json names, or None:
    the hint results.json carries as its own field (``extra_data.hint``); for results written
    before it had one, the message's ``. Hint: <text>``, its numbers left out of the name."""
    if test.get("status") == "passed":
        return None
    hint = (test.get("extra_data") or {}).get("hint")
    if hint:
        return hint["id"], hint["text"]
    match = _HINT.search(test.get("output", ""))
    return (shown.but_numbers(match.group(1).rstrip(".")), match.group(1).rstrip(".")) if match else None


def _number(test_number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in test_number.split(".") if p.isdigit())


def _title(name: str) -> str:
    """'test_ex7_grid.py::test_the_rendered_grid' -> 'the rendered grid' (as the report names it)."""
    return shown.sentence(name)


def load(out: Path) -> dict:
    """Everything the pages show, read from OUT."""
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    students = {}
    for row in rows:
        try:
            results = Results.read(out / row["student"] / "results.json")
        except ResultsError:
            results = Results(output="no results.json")
        students[row["student"]] = {"row": row, "tests": [t.to_dict() for t in results.tests], "output": results.output}
    extra = {}
    for name in ("similarity.json", "changes.json"):
        try:
            extra[name] = json.loads((out / name).read_text())
        except (OSError, ValueError):
            extra[name] = None
    return {"students": students, "similarity": extra["similarity.json"], "changes": extra["changes.json"]}


def _report(student: str) -> str:
    return f"{quote(student)}/report.html"


def _link(student: str) -> str:
    return f"<a href='{_report(student)}'>{html.escape(student)}</a>"


def _links(students) -> str:
    return ", ".join(_link(s) for s in sorted(students))


def _who(students) -> str:
    """The students named, folded when there are more than INLINE."""
    if len(students) <= INLINE:
        return _links(students)
    return f"<details><summary>{len(students)} students</summary>{_links(students)}</details>"


def _graded(info: dict) -> bool:
    return info["row"]["status"].startswith("graded")


def distribution_png(students: dict, exercises: dict) -> str:
    """Histograms of the total and of every exercise's points, as one base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    graded = [i["row"] for i in students.values() if _graded(i)]
    panels = [("total", sum(ex.points for ex in exercises.values()))] + [(f"ex{n}", ex.points) for n, ex in exercises.items()]
    columns = min(len(panels), 5)
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.6 * columns, 2.3 * rows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    fig.subplots_adjust(left=0.045, right=0.99, bottom=0.07, top=0.93, wspace=0.25, hspace=0.45)  # constrained
    # layout would take three times as long
    for ax, (key, top) in zip(axes.flat, panels):
        values = [float(r[key]) for r in graded]
        ax.hist(values, bins=int(top // 5) if key == "total" else 10, range=(0, top), color="#4a7ab5",
                edgecolor="white")  # total: 5 points a bar; an exercise: a tenth of its points
        label = "total" if key == "total" else f"exercise {key[2:]}"
        mean = sum(values) / len(values) if values else 0.0
        ax.set_title(f"{label}: mean {mean:.1f} / {top:g}", fontsize=10)
        ax.set_xlim(0, top)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
    for row in axes:
        row[0].set_ylabel("students")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _small(png: Path, width: int) -> bytes | None:
    """``png`` as a WebP ``width`` px wide on white; None when it cannot be read as a picture."""
    from PIL import Image

    try:
        with Image.open(png) as image:
            if image.width * image.height > MAX_PICTURE:
                return None
            image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        height = max(1, round(flat.height * width / flat.width))
        flat = flat.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0)
        buffer = io.BytesIO()
        flat.save(buffer, format="WEBP", quality=80, method=4)
        return buffer.getvalue()
    except Exception:  # noqa: BLE001 - a broken picture is shown as unreadable
        return None


def thumbnail(png: Path, width: int) -> bytes | None:
    """The thumbnail of a student's picture ``<name>.png``, kept beside it as ``<name>.thumb.webp``
    (batch grading makes it right after grading; made again when missing, older than the picture
    or of another width)."""
    from PIL import Image

    thumb = png.with_suffix(".thumb.webp")
    try:
        if thumb.is_file() and thumb.stat().st_mtime >= png.stat().st_mtime:
            raw = thumb.read_bytes()
            with Image.open(io.BytesIO(raw)) as made:
                if made.width == width:
                    return raw
    except Exception:  # noqa: BLE001 - a broken thumbnail is made again
        pass
    raw = _small(png, width)
    if raw is not None:
        thumb.write_bytes(raw)
    return raw


def thumbnails(figures: Path) -> None:
    """Thumbnails of every rendered figure in a student's figures folder (called after grading)."""
    for png in sorted(figures.glob("*.png")) if figures.is_dir() else ():
        thumbnail(png, WIDTH)


def rendered_figures(out: Path, students: dict) -> list[dict]:
    """The figures the class's gradings rendered, from what each grading saved beside its
    pictures: {exercise, name, what, test}, by exercise."""
    found = {}
    for s in students:
        for path in sorted((out / s / "figures").glob("*.json")):
            try:
                info = json.loads(path.read_text())
                found.setdefault((int(info["exercise"]), str(info["name"])), info)
            except (OSError, ValueError, KeyError, TypeError):
                continue
    return [found[key] for key in sorted(found)]


class Thumbnails:
    """The thumbnails of a page, each distinct picture embedded once (as a CSS class)."""

    def __init__(self):
        self.classes: dict[str, str] = {}  # thumbnail digest -> CSS class
        self.data: dict[str, str] = {}  # CSS class -> data URI
        self.sizes: dict[str, tuple[int, int]] = {}  # CSS class -> thumbnail width, height

    def of(self, png: Path, width: int, keep: bool = True) -> str | None:
        """The CSS class showing ``png`` small (its thumbnail kept beside it unless not ``keep``),
        or None when it cannot be read as a picture."""
        from PIL import Image

        raw = thumbnail(png, width) if keep else _small(png, width)
        if raw is None:
            return None
        key = hashlib.sha256(raw).hexdigest()
        if key not in self.classes:
            cls = self.classes[key] = f"p{len(self.classes)}"
            self.data[cls] = "data:image/webp;base64," + base64.b64encode(raw).decode()
            with Image.open(io.BytesIO(raw)) as image:
                self.sizes[cls] = image.size
        return self.classes[key]

    def css(self) -> str:
        return "\n".join(f".{c} {{ background-image: url({uri}); }}" for c, uri in self.data.items())


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1250px; }
table { border-collapse: collapse; margin: 0.8em 0; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.passed { color: #1a7f37; } .failed { color: #c62828; } .muted { color: #777; font-size: 0.9em; }
td.rate { white-space: nowrap; }
.bar { display: inline-block; width: 120px; height: 0.8em; background: #f3c4c4; vertical-align: middle; }
.bar span { display: block; height: 100%; background: #4caf50; }
.box { border-left: 4px solid #e0a800; background: #fffbea; padding: 0.5em 1em; margin: 1em 0; }
nav a { margin-right: 1em; }
details { margin: 0.2em 0; } summary { cursor: pointer; } summary h3 { display: inline; }
.side { display: flex; gap: 1em; } .side > div { flex: 1; min-width: 0; }
pre { background: #f7f7f7; padding: 0.5em; overflow-x: auto; font-size: 0.8em; white-space: pre-wrap; }
mark { background: #ffd54f; }
.tiles { display: flex; flex-wrap: wrap; gap: 0.6em; margin: 0.4em 0 1.2em; }
.tile { display: inline-block; text-align: center; font-size: 0.8em; color: #222; text-decoration: none;
        overflow-wrap: anywhere; }
.tile .pic { display: block; background-size: contain; background-repeat: no-repeat; border: 1px solid #ccc; }
.tile:hover .pic { border-color: #4a7ab5; }
.tile.reference .pic { border: 2px solid #1a7f37; }
"""


def _page(title: str, body: list[str], css: str = "") -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}{css}</style></head><body>" + "\n".join(body) + "</body></html>")


def mistakes(students: dict) -> list[dict]:
    """Named mistakes, most frequent first: {mistake, students, tests: {number: name}, exercise}."""
    found: dict[str, dict] = {}
    for student, info in students.items():
        for test in info["tests"]:
            named = named_mistake(test)
            if named:  # grouped by the mistake's name: one row however its message's numbers vary
                entry = found.setdefault(named[0], {"mistake": named[1], "students": set(), "tests": {}})
                entry["students"].add(student)
                entry["tests"][test["number"]] = test["name"]
    for entry in found.values():
        entry["exercise"] = min(int(n.split(".")[0]) for n in entry["tests"])
    return sorted(found.values(), key=lambda e: (-len(e["students"]), e["exercise"], e["mistake"]))


def pass_rates(students: dict) -> list[dict]:
    """Every test with the students who passed and failed it, in test order."""
    tests: dict[str, dict] = {}
    for student, info in students.items():
        for test in info["tests"]:
            entry = tests.setdefault(test["name"], {"name": test["name"], "number": test["number"],
                                                    "passed": [], "failed": []})
            entry["passed" if test["status"] == "passed" else "failed"].append(student)
    return sorted(tests.values(), key=lambda t: _number(t["number"]))


def _similar_section(similarity: dict | None) -> list[str]:
    if similarity is None:
        return ["<p class='muted'>No similarity check in this folder (run <code>python -m autograder.tools.similarity OUT</code>).</p>"]
    pairs = similarity["pairs"]
    out = [f"<p>Pairs whose own code overlaps by at least {similarity['threshold']:.0%} (code given in the skeletons "
           "or equal to the model answer does not count; renamed variables do not hide a copy). A pair is a reason "
           "to read both submissions, not a verdict: students may have worked together as allowed, or reached the "
           "same code on their own.</p>"]
    if not pairs:
        return out + ["<p class='passed'>No pair reaches the threshold.</p>"]
    out.append("<table><tr><th>students</th><th>similarity</th><th>share of each one's own code found in the "
               "other's</th><th></th></tr>")
    for n, p in enumerate(pairs):
        out.append(f"<tr><td>{_link(p['a'])} &amp; {_link(p['b'])}</td><td class='num'>{p['score']:.0%}</td>"
                   f"<td class='num'>{p['share_a']:.0%} / {p['share_b']:.0%}</td>"
                   f"<td><a href='#pair{n}'>side by side</a></td></tr>")
    out.append("</table>")
    for n, p in enumerate(pairs):
        out.append(f"<details id='pair{n}'><summary>{html.escape(p['a'])} &amp; {html.escape(p['b'])}: "
                   f"{len(p['files'])} file(s), shared code marked</summary>")
        for f in p["files"]:
            out.append(f"<p><b>{html.escape(f['name'])}</b></p><div class='side'>"
                       f"<div><div class='muted'>{html.escape(p['a'])}</div><pre>{f['a']}</pre></div>"
                       f"<div><div class='muted'>{html.escape(p['b'])}</div><pre>{f['b']}</pre></div></div>")
        out.append("</details>")
    return out



def _points(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _changes_section(changes: dict | None) -> list[str]:
    if changes is None:
        return ["<p class='muted'>No regrading yet: grading the same submissions again into this folder, after a "
                "change of the reference or the graders, lists here whose points changed.</p>"]
    reasons = defaultdict(int)
    for r in changes["regraded"]:
        reasons[r["reason"]] += 1
    out = [f"<p>Run of {html.escape(changes['time'])}: {len(changes['regraded'])} student(s) graded again ("
           + ", ".join(f"{n} because the {html.escape(r.removesuffix(' changed'))} changed" for r, n in reasons.items())
           + f"); points changed for {len(changes['changed'])}. The earlier gradebook is in <code>history/</code>.</p>"]
    if changes["changed"]:
        out.append("<table><tr><th>student</th><th>before</th><th>after</th><th>change</th><th>why graded again</th>"
                   "<th>tests (points before &rarr; after)</th></tr>")
        for c in sorted(changes["changed"], key=lambda c: (-abs(c["delta"]), c["student"])):
            tests = "<br>".join(f"{html.escape(t['number'])} {html.escape(_title(t['name']))}: "
                                f"{_points(t['before'])} &rarr; {_points(t['after'])}" for t in c["tests"])
            cls = "passed" if c["delta"] > 0 else "failed"
            out.append(f"<tr><td>{_link(c['student'])}</td><td class='num'>{c['before']:.2f}</td>"
                       f"<td class='num'>{c['after']:.2f}</td><td class='num {cls}'>{c['delta']:+.2f}</td>"
                       f"<td>{html.escape(c['reason'])}</td><td>{tests}</td></tr>")
        out.append("</table>")
    return out


def _exercise_table(graded: dict, exercises: dict) -> list[str]:
    """Per exercise: mean points, students with full marks and with none."""
    out = ["<table><tr><th>exercise</th><th></th><th>mean</th><th>full marks</th><th>no points</th></tr>"]
    for n, ex in exercises.items():
        points = [float(i["row"][f"ex{n}"]) for i in graded.values()]
        mean = sum(points) / len(points) if points else 0.0
        out.append(f"<tr><td>{n}</td><td>{html.escape(ex.title)}</td><td class='num'>{mean:.1f} / {ex.points:g}</td>"
                   f"<td class='num'>{sum(p >= ex.points for p in points)}</td>"
                   f"<td class='num'>{sum(p == 0 for p in points)}</td></tr>")
    return out + ["</table>"]


def class_page(data: dict, distribution: str, title: str, exercises: dict) -> str:
    students = data["students"]
    graded = {s: i for s, i in students.items() if _graded(i)}
    not_graded = {s: i for s, i in students.items() if not _graded(i)}
    totals = sorted(float(i["row"]["total"]) for i in graded.values())
    median = totals[len(totals) // 2] if totals else 0.0
    maximum = sum(ex.points for ex in exercises.values())
    agenda = mistakes(students)
    pairs = (data["similarity"] or {}).get("pairs", [])
    changed = (data["changes"] or {}).get("changed", [])
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p>{datetime.datetime.now():%Y-%m-%d %H:%M} &middot; {len(students)} submissions, {len(graded)} graded"
            f" &middot; median {median:.1f} / {maximum:g} points</p>",
            "<nav><a href='gallery.html'>gallery of the figures</a><a href='gradebook.csv'>gradebook.csv</a>"
            "<a href='moodle.csv'>moodle.csv</a><a href='canvas.csv'>canvas.csv</a><a href='#agenda'>mistakes</a>"
            "<a href='#tests'>tests</a><a href='#twice'>look twice</a><a href='#students'>students</a></nav>",
            "<div class='box'><b>Look twice:</b> "
            f"{len(not_graded)} not graded &middot; {len(pairs)} similar pair(s) &middot; "
            f"{len(changed)} student(s) whose points changed at the last regrading &middot; "
            "<a href='#twice'>details</a></div>",
            "<h2 id='distribution'>Score distribution</h2>",
            f"<img src='data:image/png;base64,{distribution}' alt='histograms of the points per exercise' "
            "style='max-width:100%'>",
            *_exercise_table(graded, exercises),
            "<h2 id='agenda'>Mistakes the class made</h2>",
            "<p>Failed tests whose message named a known mistake, counted by students, most frequent first: the "
            "agenda of the tutorial session. Failures without a named mistake are in the pass rates below.</p>"]
    if agenda:
        body.append("<table><tr><th>students</th><th>mistake</th><th>exercise / tests</th><th>who</th></tr>")
        for m in agenda:
            tests = ", ".join(sorted(m["tests"], key=_number))
            body.append(f"<tr><td class='num'>{len(m['students'])}</td><td>{html.escape(m['mistake'])}</td>"
                        f"<td>{m['exercise']} &middot; {html.escape(tests)}</td><td>{_who(m['students'])}</td></tr>")
        body.append("</table>")
    else:
        body.append("<p class='passed'>No failed test named a known mistake.</p>")
    body += ["<h2 id='tests'>Pass rate of every test</h2>",
             "<table><tr><th>test</th><th>what it checks</th><th>passed</th><th></th><th>failed by</th></tr>"]
    exercise = None
    for t in pass_rates(students):
        number = int(t["number"].split(".")[0])
        if number != exercise:
            exercise = number
            named = exercises[number].title if number in exercises else ""
            body.append(f"<tr><th colspan='5'>Exercise {number}: {html.escape(named)}</th></tr>")
        total = len(t["passed"]) + len(t["failed"])
        rate = len(t["passed"]) / total if total else 0.0
        failed = _who(t["failed"])
        body.append(f"<tr><td>{html.escape(t['number'])}</td>"
                    f"<td title='{html.escape(t['name'])}'>{html.escape(_title(t['name']))}</td>"
                    f"<td class='num'>{len(t['passed'])} / {total}</td><td class='rate'><span class='bar'>"
                    f"<span style='width:{rate:.0%}'></span></span> {rate:.0%}</td><td>{failed}</td></tr>")
    body.append("</table>")
    body += ["<h2 id='twice'>Look twice</h2>", "<h3>Not graded</h3>"]
    if not_graded:
        body.append("<table><tr><th>student</th><th>why</th></tr>" + "".join(
            f"<tr><td>{_link(s)}</td><td>{html.escape(i['row']['status'])}</td></tr>" for s, i in sorted(not_graded.items()))
            + "</table>")
    else:
        body.append("<p class='passed'>Every submission was graded.</p>")
    body += ["<h3 id='similar'>Similar submissions</h3>", *_similar_section(data["similarity"]),
             "<h3 id='changes'>Points changed by the last regrading</h3>", *_changes_section(data["changes"])]
    body += ["<h2 id='students'>Students</h2>", "<table><tr><th>student</th>"
             + "".join(f"<th>{n}</th>" for n in exercises) + "<th>total</th><th>status</th></tr>"]
    for s, i in sorted(students.items()):
        r = i["row"]
        shown = (lambda key: f"{float(r[key]):g}") if _graded(i) else (lambda key: "&mdash;")  # not graded: no points
        body.append(f"<tr><td>{_link(s)}</td>" + "".join(f"<td class='num'>{shown(f'ex{n}')}</td>" for n in exercises)
                    + f"<td class='num'><b>{shown('total')}</b></td><td>{html.escape(r['status'])}</td></tr>")
    body.append("</table>")
    return _page(title, body)


def _tile(thumbs: Thumbnails, png: Path, caption: str, href: str | None, width: int, extra: str = "") -> str:
    cls = thumbs.of(png, width, keep=not extra)  # the reference's is not kept (fixtures/ is not ours to write)
    if cls is None:
        return f"<span class='tile{extra}'>{html.escape(caption)}: unreadable picture</span>"
    w, h = thumbs.sizes[cls]
    inner = (f"<span class='pic {cls}' style='width:{w}px;height:{h}px' role='img' "
             f"aria-label='{html.escape(caption)}'></span>{html.escape(caption)}")
    style = f" style='width:{w + 2}px'"
    return (f"<a class='tile{extra}'{style} href='{href}'>{inner}</a>" if href
            else f"<span class='tile{extra}'{style}>{inner}</span>")


def _why_none(info: dict, test_name: str) -> str:
    """Why a student has no picture: not graded, or the figure test's message."""
    if not _graded(info):
        return info["row"]["status"]
    test = next((t for t in info["tests"] if t["name"] == test_name), None)
    return "test not run" if test is None else test.get("output", "")[:160]


def gallery_page(out: Path, data: dict, title: str, fixtures: Path) -> str:
    students = data["students"]
    thumbs = Thumbnails()
    body = [f"<h1>{html.escape(title)}</h1>",
            "<p><a href='class.html'>&larr; class page</a> &middot; Every rendered figure, small: the reference first, "
            "then the students' grouped by verdict and by the mistake their exercise's tests named. A picture links "
            "to its student's report.</p>"]
    figures = rendered_figures(out, students)
    if not figures:
        body.append("<p class='muted'>No grading of this class rendered a figure.</p>")
    for figure in figures:
        number, name, test_name, width = figure["exercise"], figure["name"], figure["test"], WIDTH
        body.append(f"<h2>Exercise {number}: {html.escape(figure['what'])}</h2>")
        reference = fixtures / f"ex{number}" / f"{name}.png"
        saved = lambda s: out / s / "figures" / f"ex{number}_{name}.png"  # noqa: E731
        pictures = {s: saved(s) for s in students if saved(s).is_file()}
        if not reference.is_file():
            body.append(f"<p class='muted'>No gallery: the course provides no reference picture "
                        f"(fixtures/ex{number}/{name}.png); {len(pictures)} student picture(s) were rendered.</p>")
            continue
        groups: dict[str, list[str]] = defaultdict(list)
        for s, info in students.items():
            test = next((t for t in info["tests"] if t["name"] == test_name), None)
            if s not in pictures or test is None:
                groups["no picture"].append(s)
                continue
            if test["status"] == "passed":
                groups["looks like the reference (test passed)"].append(s)
                continue
            named = [named_mistake(t) for t in info["tests"] if int(t["number"].split(".")[0]) == number]
            named = [m for m in named if m]
            groups[f"differs: {named[0][1]}" if named else "differs, no mistake named"].append(s)
        body.append("<div class='tiles'>" + _tile(thumbs, reference, "reference", None, width, " reference") + "</div>")
        # what differs first (what to discuss), then what passed (folded), then who has no picture
        order = sorted(groups, key=lambda g: (g == "no picture", g.startswith("looks"), -len(groups[g]), g))
        for group in order:
            members = sorted(groups[group])
            heading = f"<h3>{html.escape(group)}: {len(members)} student(s)</h3>"
            if group.startswith("looks"):
                body.append(f"<details><summary>{heading}</summary><div class='tiles'>" + "".join(
                    _tile(thumbs, pictures[s], s, _report(s), width) for s in members) + "</div></details>")
                continue
            body.append(heading)
            if group == "no picture":
                body.append("<p>" + ", ".join(f"{_link(s)} <span class='muted'>({html.escape(_why_none(students[s], test_name))})"
                                              "</span>" for s in members) + "</p>")
                continue
            body.append("<div class='tiles'>" + "".join(
                _tile(thumbs, pictures[s], s, _report(s), width) for s in members) + "</div>")
    return _page(title, body, thumbs.css())


def build(problemset: ProblemSet, out: Path) -> list[Path]:
    """Write OUT/class.html and OUT/gallery.html from what batch grading left in OUT."""
    data, title, exercises = load(out), problemset.title, problemset.exercises
    pages = {out / "class.html": class_page(data, distribution_png(data["students"], exercises), f"{title}: the class",
                                            exercises),
             out / "gallery.html": gallery_page(out, data, f"{title}: the class's figures", problemset.fixtures)}
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    return list(pages)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.tools.classview", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="a batch grading's output folder (holding gradebook.csv)")
    add_option(parser)
    args = parser.parse_args(argv)
    if not (args.out / "gradebook.csv").is_file():
        parser.error(f"{args.out} holds no gradebook.csv: run python -m autograder.tools.batch first")
    problemset = chosen_or_exit(parser, args)
    for path in build(problemset, args.out):
        print(f"{path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
