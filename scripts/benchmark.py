"""Benchmark a grading run against the cost of importing torch, on the machine it runs on.

    python scripts/benchmark.py [--repeat 3] [--copies 4]

Measures (median of --repeat runs): the floor, `python -c "import torch, torchvision"`; a full
grading run of the solutions, as it is and with --prefetch; its per-exercise breakdown (from pytest's junit timings); and
batch grading of --copies copies of the solutions with 1 worker and with every core. Memory is
the peak summed PSS of the whole process tree (judge, forkserver, workers), sampled every 100 ms.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_pss_kib(root: int) -> int:
    children = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    children[int(f.read().rsplit(")", 1)[1].split()[1])].append(int(entry))
            except OSError:
                pass
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total


def measure(command: list[str], **kwargs) -> tuple[float, float]:
    """(wall seconds, peak MiB of the process tree)."""
    peak = 0
    start = time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)

    def sample():
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_pss_kib(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    proc.wait()
    wall = time.monotonic() - start
    sampler.join()
    return wall, peak / 1024


def median_of(repeat: int, command: list[str]) -> tuple[float, float]:
    runs = [measure(command) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=4)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor = median_of(args.repeat, [py, "-c", "import torch, torchvision"])
        junit = tmp / "junit.xml"
        full = median_of(args.repeat, [py, "-m", "pytest", "--target=solutions", "-q", "-p", "no:cacheprovider",
                                       "--report=", f"--junitxml={junit}"])
        prefetch = median_of(args.repeat, [py, "-m", "pytest", "--target=solutions", "-q", "-p", "no:cacheprovider",
                                           "--report=", "--prefetch"])
        per_exercise = defaultdict(float)
        for case in ET.parse(junit).getroot().iter("testcase"):
            per_exercise[int(case.get("classname").split("test_ex")[1].split("_")[0])] += float(case.get("time"))
        submissions = tmp / "submissions"
        for i in range(args.copies):
            shutil.copytree(ROOT / "solutions", submissions / f"copy{i}")
        batch = {}
        for workers in sorted({1, cores}):
            out = tmp / f"out{workers}"
            batch[workers] = measure([py, "-m", "autograder.batch", str(submissions), str(out),
                                      f"--workers={workers}"])[0]
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}; median of {args.repeat} runs")
    print(f"{'':38}{'wall s':>8}{'x floor':>9}{'peak MiB':>10}{'x floor':>9}")
    print(f"{'floor: import torch, torchvision':38}{floor[0]:8.2f}{1:9.2f}{floor[1]:10.0f}{1:9.2f}")
    print(f"{'full grading run of the solutions':38}{full[0]:8.2f}{full[0] / floor[0]:9.2f}{full[1]:10.0f}"
          f"{full[1] / floor[1]:9.2f}")
    print(f"{'  the same with --prefetch':38}{prefetch[0]:8.2f}{prefetch[0] / floor[0]:9.2f}{prefetch[1]:10.0f}"
          f"{prefetch[1] / floor[1]:9.2f}")
    print("per exercise (sum of test call times, last run):")
    for number in sorted(per_exercise):
        print(f"  exercise {number}: {per_exercise[number]:6.2f} s")
    for workers, wall in batch.items():
        print(f"batch of {args.copies} copies, {workers} worker(s): {wall:7.2f} s ({wall / args.copies:.2f} s each)")
    if cores > 1:
        efficiency = batch[1] / (batch[cores] * cores)
        print(f"batch scaling efficiency from 1 to {cores} workers: {efficiency:.2f}")


if __name__ == "__main__":
    main()
