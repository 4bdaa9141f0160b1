"""Measure the class view at the scale of a large class: N synthetic students made from a real
batch's output folder, then the time and size of ``python -m autograder.tools.classview``.

    python scripts/classview_scale.py OUT --students 500 [--distinct-pictures] [--into DIR]

Each synthetic student is a copy of a real student's folder (results.json, figures, code) whose
scores are varied: a seeded random share of its passed tests fail (0 points), some with the hint
of a real failure of the same test, so the score distribution, pass rates and mistakes are
spread. ``--distinct-pictures`` puts a small mark on every copied figure, so that no two students'
pictures are identical and each is embedded (the worst case for the gallery's size); without
it, copies share their pictures as identical submissions do. Thumbnails are made per student as
batch grading makes them after each grading; the build is then timed twice.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.tools import classview  # noqa: E402
from autograder.core.problemset import ProblemSet  # noqa: E402

EXERCISES = ProblemSet.load(ROOT).exercises  # problem set 5's, whose batch output is synthesized


def synthesize(real: Path, into: Path, students: int, distinct: bool, seed: int = 0) -> None:
    rng = random.Random(seed)
    rows = list(csv.DictReader(open(real / "gradebook.csv")))
    sources = [r["student"] for r in rows if r["status"].startswith("graded")]
    failures: dict[str, list[str]] = {}  # test name -> real failure messages
    for s in sources:
        for t in json.loads((real / s / "results.json").read_text())["tests"]:
            if t["status"] == "failed":
                failures.setdefault(t["name"], []).append(t["output"])
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    book = []
    for i in range(students):
        source = sources[i % len(sources)]
        name = f"student{i:04d}"
        folder = into / name
        shutil.copytree(real / source, folder)
        results = json.loads((folder / "results.json").read_text())
        share = rng.random() * 0.3
        for t in results["tests"]:
            if t["status"] == "passed" and rng.random() < share:
                t.update(status="failed", score=0.0,
                         output=rng.choice(failures.get(t["name"], ["the values differ from the reference"])))
        results["score"] = sum(t["score"] for t in results["tests"])
        (folder / "results.json").write_text(json.dumps(results))
        row = {"student": name, **{f"ex{n}": 0.0 for n in EXERCISES}, "total": round(results["score"], 2),
               "status": "graded"}
        for t in results["tests"]:
            row[f"ex{t['number'].split('.')[0]}"] += t["score"]
        book.append({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()})
        if distinct:
            for png in (folder / "figures").glob("*.png"):
                image = Image.open(png).convert("RGBA")
                x, y = (37 * i) % (image.width - 16), (11 * i) % (image.height - 16)
                image.paste((i % 256, 40, 200, 255), (x, y, x + 16, y + 16))  # a mark thumbnails still show
                buffer = io.BytesIO()
                image.save(buffer, format="PNG", compress_level=1)
                png.write_bytes(buffer.getvalue())
        classview.thumbnails(folder / "figures")  # as batch grading does after each grading
    with open(into / "gradebook.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(book[0]))
        writer.writeheader()
        writer.writerows(book)
    for name in ("similarity.json", "changes.json"):
        if (real / name).is_file():
            shutil.copyfile(real / name, into / name)


def build(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder.tools.classview", str(folder)], check=True, capture_output=True,
                   cwd=ROOT)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="a real batch grading's output folder")
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--distinct-pictures", action="store_true")
    parser.add_argument("--into", type=Path, default=Path("/tmp/classview-scale"))
    args = parser.parse_args()
    synthesize(args.out, args.into, args.students, args.distinct_pictures)
    first, again = build(args.into), build(args.into)
    sizes = {p: (args.into / p).stat().st_size / 2**20 for p in ("class.html", "gallery.html")}
    print(f"{args.students} students ({'distinct' if args.distinct_pictures else 'shared'} pictures): "
          f"class view built in {first:.1f} s, again in {again:.1f} s; "
          + ", ".join(f"{p} {mib:.1f} MiB" for p, mib in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
