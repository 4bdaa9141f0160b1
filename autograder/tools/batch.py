"""Grade a folder of submissions: one entry per student, in parallel, into a gradebook.

    python -m autograder.tools.batch SUBMISSIONS OUT [--workers N] [--time-limit SECONDS] [--call-timeout SECONDS]
                                               [--problemset DIR]

An entry is a folder, an archive (.zip, .tar, .tar.gz, .tgz) or a .py file, in whatever layout it
arrived (:mod:`autograder.core.intake` finds the student files in it); the student is the entry's name
without its archive suffix. Every entry is in the gradebook, graded or with the reason it was
not (not a submission, no student file found, two different copies of one, two entries of the
same student); the operating system's files (.DS_Store, __MACOSX, ...) are passed over, and
counted in the run's summary.

Writes OUT/gradebook.csv (student, points per exercise, total, status) and, per student,
OUT/<student>/results.json, report.html, output.txt, the rendered figures and the graded code.
Each batch worker is a grading server (:mod:`autograder.tools.server`) that imports pytest, the
framework and the libraries once and grades submission after submission as ``pytest --target=...``
grades one: its own student workers, sandbox folders, time budget, results and report, so a broken
or hostile submission never stops the batch nor reaches the next one. Ctrl-C (or SIGTERM) stops
the batch within two seconds: the submissions under way are not recorded, and the same command
grades them and goes on. An interrupted batch resumes: a student whose results are there for
the same submission content and the same graders is not graded again; after a change of the
graders, the reference data or the framework every student is graded again (only the changed
exercises, when only some exercises' own files changed) and the run tells whose points changed
(:mod:`autograder.tools.history`). Then the exports for learning platforms
(:mod:`autograder.tools.exports`), the similarity check (:mod:`autograder.tools.similarity`) and the class
page and gallery (:mod:`autograder.tools.classview`) are written from what the gradings left in OUT.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import signal
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from pathlib import Path

from autograder import report
from autograder.core import intake, settings
from autograder.core.problemset import ProblemSet, add_option, chosen_or_exit
from autograder.results import NOT_GRADED, Results
from autograder.tools import classview, exports, history, similarity
from autograder.tools.server import INTERRUPTED, Pool, ServerGone

CALL_TIMEOUT = settings.BY_NAME["call_timeout"].default
SHOWN = 50  # students whose changed points are printed; all are in OUT/changes.json
MAX_CODE = 2**20  # a student file larger than this is not kept for the similarity check


class Interrupted(Exception):
    """The batch was stopped (Ctrl-C, SIGTERM) while a submission was graded: it is not recorded."""


def entries(submissions: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """The class folder's entries by student (an entry's name without its archive suffix), and
    the names of the operating system's files in it (passed over)."""
    students: dict[str, list[Path]] = {}
    ignored = []
    for path in sorted(submissions.iterdir()):
        if intake.is_litter(path.name):
            ignored.append(path.name)
        else:
            students.setdefault(intake.student_name(path), []).append(path)
    return students, ignored


def digest(path: Path) -> str:
    """An entry's content: its files and their paths, past the folders intake passes over (a
    student's copied venv is never read)."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else []
    for top, dirs, names in os.walk(path) if path.is_dir() else ():
        dirs[:] = [d for d in dirs if not intake.passed_over(d)]
        files += [Path(top) / name for name in names if (Path(top) / name).is_file()]
    for p in sorted(files):
        h.update(p.relative_to(path.parent if path.is_file() else path).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _save_code(submission: intake.Submission, into: Path) -> None:
    """The student files as graded, under their own names (for the similarity check and its
    side-by-side view)."""
    into.mkdir(parents=True, exist_ok=True)
    for name, path in submission.files.items():
        if path.stat().st_size <= MAX_CODE:
            shutil.copyfile(path, into / name)


def _not_graded(out: Path, problemset: ProblemSet, student: str, why: str) -> None:
    """results.json (0 points), output.txt and report.html (0 of the problem set's points) saying
    why a submission was not graded."""
    Results.not_graded_run(why, problemset).write(out / "results.json")
    if not (out / "output.txt").is_file():
        (out / "output.txt").write_text(f"{NOT_GRADED}{why}\n")
    report.write(out / "report.html", report.not_graded(f"{problemset.title}: {student}", why, problemset.points))


def grade_one(problemset: ProblemSet, sources: list[Path], out: Path, pool: Pool, time_limit: float,
              call_timeout: float = CALL_TIMEOUT, grading: dict | None = None, lean: bool = True) -> dict:
    """Grade one student's entry (``sources``: more than one when several entries name the same
    student, which is not graded) into ``out`` unless it was graded before, from the same content
    with the same graders (``grading``: :func:`history.grading_digest`); when only some exercises'
    own files changed, only those exercises are graded again, the others' results carried over.
    Returns {"row": gradebook row, "action": "graded" | "regraded" | "unchanged", "reason",
    "change": :func:`history.change` or None}."""
    grading = grading or {}
    source = sources[0]
    student = intake.student_name(source)
    out.mkdir(parents=True, exist_ok=True)
    source_digest = digest(source) if len(sources) == 1 else \
        hashlib.sha256("".join(digest(s) for s in sources).encode()).hexdigest()
    done = out / "done.json"
    try:
        previous = json.loads(done.read_text()) if done.is_file() else None
    except ValueError:  # a done.json cut short by an interruption: grade again
        previous = None
    if previous and previous.get("digest") == source_digest and previous.get("grading") == grading:
        return {"row": previous["row"], "action": "unchanged", "reason": "", "change": None}
    # The earlier results are kept until the new grading is done, and done.json until it is
    # rewritten: an interrupted regrading is done again and still reports what changed.
    earlier = out / "results.previous.json"
    if previous and not earlier.is_file() and (out / "results.json").is_file():
        os.replace(out / "results.json", earlier)
    before = history.scores(earlier) if previous and earlier.is_file() else None
    reason = "" if before is None else "submission changed" if previous.get("digest") != source_digest \
        else "graders changed"
    only = history.changed_exercises(previous.get("grading"), grading) if reason == "graders changed" \
        and previous["row"]["status"].startswith("graded") else None  # None: every exercise
    for stale in ("results.json", "report.html", "output.txt"):
        (out / stale).unlink(missing_ok=True)
    if only is None:
        for folder in ("figures", "code"):
            shutil.rmtree(out / folder, ignore_errors=True)
    else:
        for number in only:
            for stale in (out / "figures").glob(f"ex{number}_*"):
                stale.unlink()
        reason = f"graders of exercise {', '.join(map(str, only))} changed"
    exercises, files = problemset.exercises, problemset.student_files
    row = {"student": student, **{f"ex{n}": 0.0 for n in exercises}, "total": 0.0, "status": ""}
    submission = None
    if len(sources) > 1:
        row["status"] = f"{len(sources)} entries name the same student: " + \
            intake.listing([s.name + ("/" if s.is_dir() else "") for s in sources])
    else:
        try:
            submission = intake.find(problemset, source, source.name)
        except intake.IntakeError as exc:
            row["status"] = str(exc)
    if submission is not None:
        try:
            _save_code(submission, out / "code")
            missing = [n for n in files if n not in submission.files]
            partly = [] if only is None else [f"--earlier-results={earlier}", *(
                str(g) for n in only for g in problemset.graders_of(n))]
            args = [f"--target={source}", f"--name={student}", f"--results-json={out / 'results.json'}",
                    f"--report={out / 'report.html'}", f"--figures={out / 'figures'}",
                    f"--call-timeout={call_timeout:g}", "-q", "-p", "no:cacheprovider",
                    f"--time-budget={max(time_limit - 60, 0.8 * time_limit):g}", *partly]
            # --lean (nothing computed ahead) when gradings run in parallel: each then uses one core
            code = pool.grade([*args, "--lean"] if lean else args, out / "output.txt", timeout=time_limit)
            if code == INTERRUPTED:
                raise Interrupted(student)
            if code not in (0, 1):
                lines = [line for line in (out / "output.txt").read_text(errors="replace").splitlines() if line.strip()]
                row["status"] = lines[-1].removeprefix("ERROR: ") if lines else f"exit status {code}"
            else:
                row["status"] = "graded" + (f"; missing files: {', '.join(missing)}" if missing else "")
        except TimeoutError:
            row["status"] = f"timed out after {time_limit:g} s"
        except ServerGone:
            if pool.stopped:
                raise Interrupted(student) from None
            row["status"] = "the grading server ended before the grading did (killed?)"
        finally:
            submission.close()
    classview.thumbnails(out / "figures")
    graded = out / "results.json"
    if row["status"].startswith("graded") and graded.is_file():
        for number, earned in Results.read(graded).by_exercise().items():
            row[f"ex{number}"] += earned["earned"]
        row["total"] = sum(row[f"ex{n}"] for n in exercises)
    else:
        _not_graded(out, problemset, student, row["status"])
    row = {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}
    done.write_text(json.dumps({"digest": source_digest, "grading": grading, "row": row}))
    after = history.scores(graded) or {}
    moved = history.change(student, reason, before, after) if before is not None else None
    earlier.unlink(missing_ok=True)
    return {"row": row, "action": "regraded" if before is not None else "graded", "reason": reason, "change": moved}


def grade_batch(problemset: ProblemSet, submissions: Path, out: Path, workers: int, time_limit: float,
                call_timeout: float = CALL_TIMEOUT, progress: bool = True) -> list[dict]:
    """Grade every student's entry (or only what changed), then write the gradebook (the earlier
    one kept in OUT/history/), changes.json when students were graded again, and the class view.
    Ctrl-C: :class:`Interrupted` within two seconds, the submissions under way not recorded."""
    students, _ = entries(submissions)
    grading = history.grading_digest(problemset)
    outcomes = []
    with open(out / "servers.log", "ab") as log:
        pool = Pool(problemset.root, workers, log=log)
        executor = ThreadPoolExecutor(max_workers=workers)
        bar = None
        try:
            futures = [executor.submit(grade_one, problemset, sources, out / student, pool, time_limit,
                                       call_timeout, grading, lean=workers > 1)
                       for student, sources in students.items()]
            finished = as_completed(futures)
            if progress:
                from tqdm import tqdm

                finished = bar = tqdm(finished, total=len(futures), unit="submission", desc="grading",  # no rate: an
                                      bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]")  # unchanged one takes no time
            for future in finished:
                outcomes.append(future.result())
        except (KeyboardInterrupt, Interrupted):
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the clean-up short
            pool.stop()
            executor.shutdown(wait=False, cancel_futures=True)
            wait([f for f in futures if not f.cancelled()])  # a cancelled one never runs: it is never done
            if bar is not None:
                bar.close()
            done = sum(f.done() and not f.cancelled() and f.exception() is None for f in futures)
            raise Interrupted(f"{done} of {len(students)} submissions done") from None
        finally:
            executor.shutdown(wait=True)
            pool.close()
    outcomes.sort(key=lambda o: o["row"]["student"])
    rows = [o["row"] for o in outcomes]
    fields = ["student", *(f"ex{n}" for n in problemset.exercises), "total", "status"]
    gradebook = out / "gradebook.csv"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if gradebook.is_file() and gradebook.read_text() != text.getvalue():
        history.archive(gradebook)
    gradebook.write_text(text.getvalue())
    regraded = [o for o in outcomes if o["action"] == "regraded"]
    if regraded:
        history.write_changes(out, [{"student": o["row"]["student"], "reason": o["reason"]} for o in regraded],
                              [o["change"] for o in regraded if o["change"]])
    exports.write(problemset, out, rows)
    students = [o["row"]["student"] for o in outcomes]
    if any(o["action"] != "unchanged" for o in outcomes) or not similarity.is_current(out, students):
        similarity.write(problemset, out, students)  # 500 students' fingerprints take about a minute: only when needed
    classview.build(problemset, out)
    return outcomes


def summary(outcomes: list[dict], out: Path, ignored: list[str] = ()) -> list[str]:
    """What the run did, in a few lines: graded, graded again, unchanged, and the submissions that
    have no grade (tried in this run or an earlier one), named; the operating system's files
    passed over (``ignored``); then whose points changed. The counts add up to the number of
    submissions."""
    failed = [o for o in outcomes if not o["row"]["status"].startswith("graded")]
    count = Counter(o["action"] for o in outcomes if o["row"]["status"].startswith("graded"))
    lines = [f"{len(outcomes)} submissions: {count['graded']} graded, {count['regraded']} graded again, "
             f"{count['unchanged']} unchanged since the last run (not graded again)"]
    if failed:
        lines[0] += (f", {len(failed)} not graded ("
                     + ", ".join(f"{o['row']['student']}: {o['row']['status']}" for o in failed[:SHOWN])
                     + (", ..." if len(failed) > SHOWN else "") + ")")
    if ignored:
        lines.append(f"{len(ignored)} {'entry' if len(ignored) == 1 else 'entries'} passed over, the operating "
                     f"system's files, not submissions: {', '.join(ignored)}")
    changed = [o["change"] for o in outcomes if o["change"]]
    if count["regraded"]:
        lines.append(f"points changed for {len(changed)} of the {count['regraded']} graded again"
                     + (":" if changed else ""))
        for c in changed[:SHOWN]:
            tests = ", ".join(f"{t['number']} {_points(t['before'])} -> {_points(t['after'])}" for t in c["tests"])
            lines.append(f"  {c['student']}: {c['before']:g} -> {c['after']:g} ({c['delta']:+g}; {c['reason']}): {tests}")
        if len(changed) > SHOWN:
            lines.append(f"  ... and {len(changed) - SHOWN} more: {out / 'changes.json'}")
    lines.append(f"gradebook: {out / 'gradebook.csv'}; class page: {out / 'class.html'}")
    return lines


def _points(value) -> str:
    return "-" if value is None else f"{value:g}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.tools.batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path,
                        help="folder with one entry per student: a folder, an archive (.zip, .tar, .tar.gz, .tgz) "
                             "or a .py file")
    parser.add_argument("out", type=Path, help="where the gradebook and the per-student results go")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel gradings (default: cores)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds per submission (default 900)")
    parser.add_argument("--call-timeout", type=float, default=CALL_TIMEOUT,
                        help=f"seconds per call into student code (default {CALL_TIMEOUT:g})")
    add_option(parser)
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    problemset = chosen_or_exit(parser, args)
    args.out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        outcomes = grade_batch(problemset, args.submissions, args.out, args.workers, args.time_limit,
                               args.call_timeout)
    except (KeyboardInterrupt, Interrupted) as exc:
        print(f"interrupted: {exc or 'before the grading began'}; the submissions under way were not recorded: "
              "the same command grades them and goes on", file=sys.stderr)
        return 130
    print("\n".join(summary(outcomes, args.out, entries(args.submissions)[1])))
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt

if __name__ == "__main__":
    sys.exit(main())
