"""Grade a folder of submissions: one folder or .zip per student, in parallel, into a gradebook.

    python -m autograder.batch SUBMISSIONS OUT [--workers N] [--time-limit SECONDS] [--call-timeout SECONDS]

Writes OUT/gradebook.csv (student, points per exercise, total, status) and, per student,
OUT/<student>/results.json and report.html. Each submission is graded by its own
``pytest --target=...`` process, so a broken or hostile one never stops the batch. An
interrupted batch resumes: a student whose results are there for the same submission content
is not graded again.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.exercises import EXERCISES, ROOT, STUDENT_FILES

MAX_UNPACKED = 64 * 2**20


def unpack(archive: Path, into: Path) -> Path:
    """Extract a .zip safely (no absolute paths, no '..', bounded size); the folder holding the
    student files, also when the zip wraps them in one top folder."""
    with zipfile.ZipFile(archive) as z:
        if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
            raise ValueError("the zip unpacks to more than 64 MiB")
        for info in z.infolist():
            name = Path(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise ValueError(f"unsafe path in the zip: {info.filename}")
        z.extractall(into)
    folders = [into, *(p for p in into.rglob("*") if p.is_dir() and "__MACOSX" not in p.parts)]
    return next((f for f in folders if any((f / n).is_file() for n in STUDENT_FILES)), into)


def digest(path: Path) -> str:
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for p in files:
        h.update(p.relative_to(path.parent if path.is_file() else path).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def grade_one(source: Path, out: Path, time_limit: float, call_timeout: float = 60.0) -> dict:
    """Grade one submission into ``out``; returns its gradebook row."""
    student = source.name.removesuffix(".zip")
    out.mkdir(parents=True, exist_ok=True)
    source_digest = digest(source)
    done = out / "done.json"
    if done.is_file():
        previous = json.loads(done.read_text())
        if previous.get("digest") == source_digest:
            return previous["row"]
    row = {"student": student, **{f"ex{n}": 0.0 for n in EXERCISES}, "total": 0.0, "status": ""}
    with tempfile.TemporaryDirectory(prefix="ps5-batch-") as tmp:
        try:
            folder = unpack(source, Path(tmp)) if source.suffix == ".zip" else source
        except (zipfile.BadZipFile, ValueError) as exc:
            row["status"] = f"unreadable zip: {exc}"
            folder = None
        if folder is not None:
            missing = [n for n in STUDENT_FILES if not (folder / n).is_file()]
            try:
                proc = subprocess.run(
                    [sys.executable, "-m", "pytest", f"--target={folder}", f"--results-json={out / 'results.json'}",
                     f"--report={out / 'report.html'}", f"--call-timeout={call_timeout:g}", "-q", "-p", "no:cacheprovider",
                     # one core per grading (--lean: nothing computed ahead): gradings in parallel use
                     # the cores better than one grading computing ahead; the budget ends it in time
                     "--lean", f"--time-budget={max(time_limit - 60, 0.8 * time_limit):g}"],
                    cwd=ROOT, capture_output=True, text=True, timeout=time_limit)
                (out / "output.txt").write_text(proc.stdout[-100_000:] + proc.stderr[-20_000:])
                if proc.returncode not in (0, 1):
                    row["status"] = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
                else:
                    row["status"] = "graded" + (f"; missing files: {', '.join(missing)}" if missing else "")
            except subprocess.TimeoutExpired:
                row["status"] = f"timed out after {time_limit:g} s"
    results = out / "results.json"
    if row["status"].startswith("graded") and results.is_file():
        for test in json.loads(results.read_text())["tests"]:
            row[f"ex{test['number'].split('.')[0]}"] += test["score"]
        row["total"] = sum(row[f"ex{n}"] for n in EXERCISES)
    row = {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}
    done.write_text(json.dumps({"digest": source_digest, "row": row}))
    return row


def grade_batch(submissions: Path, out: Path, workers: int, time_limit: float, call_timeout: float = 60.0,
                progress: bool = True) -> list[dict]:
    sources = sorted(p for p in submissions.iterdir() if p.is_dir() or p.suffix == ".zip")
    rows = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_one, s, out / s.name.removesuffix(".zip"), time_limit, call_timeout)
                   for s in sources]
        finished = as_completed(futures)
        if progress:
            from tqdm import tqdm

            finished = tqdm(finished, total=len(futures), unit="submission", desc="grading")
        for future in finished:
            rows.append(future.result())
    rows.sort(key=lambda r: r["student"])
    with open(out / "gradebook.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student", *(f"ex{n}" for n in EXERCISES), "total", "status"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="folder with one folder or .zip per student")
    parser.add_argument("out", type=Path, help="where the gradebook and the per-student results go")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel gradings (default: cores)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds per submission (default 900)")
    parser.add_argument("--call-timeout", type=float, default=60.0, help="seconds per call into student code (default 60)")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = grade_batch(args.submissions, args.out, args.workers, args.time_limit, args.call_timeout)
    print(f"{len(rows)} submissions graded: {args.out / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
