"""Benchmark a grading run against the cost of importing torch, on the machine it runs on.

    python scripts/benchmark.py [--repeat 5] [--copies 4] [--batch-repeat 3]

Three figures side by side: the floor, a single grading run, and one more submission in a batch.
Beside them, a grading run of the skeletons (every student function raises NotImplementedError at
once: the framework's own cost, and what the graders build before they call the student), and the
CPU time of each command (user and system, of the processes that were waited for: a worker killed
before its forkserver reaped it is not counted): above the floor, a run's wall time on 2 cores is
bounded below by its CPU time above the floor's, halved.

The floor is `python -c "import torch, torchvision"`; a full grading run is what Gradescope runs
(`pytest --target=solutions` writing results.json and the HTML report), as it is and with
--lean (the container mode). Wall times: the floor and the runs in turn, --repeat times, and
the median of the per-turn ratios (a drifting machine moves both sides of a turn alike). Memory:
separate runs, sampled every 10 ms (the sampling costs CPU, so it is not timed; coarser sampling
misses the floor's peak, a transient 100 MiB as the import ends): the peak summed PSS of the
whole process tree (judge, forkserver, workers); the floor's process waits half a second after
its import. Then batch grading with 1 worker of one copy of the solutions and of 1 + --copies
copies, --batch-repeat times in turn with the floor: one more submission costs the difference
divided by --copies (start-up, the server's imports and the class page are paid once); and the
larger batch with every core (the median of the turns).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_pss_kib(root: int) -> int:
    """The summed PSS of ``root`` and its descendants (found through each thread's children)."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    stack.extend(int(child) for child in f.read().split())
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total


CPU: dict[tuple, list[float]] = defaultdict(list)  # command -> the CPU seconds of each of its runs


def wall(command: list[str], check: bool = True) -> float:
    """The command's wall time; its CPU time (user and system, every process of its tree that was
    waited for) is kept in CPU."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=check)
    took = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[tuple(command)].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return took


def peak_mib(command: list[str]) -> float:
    """The peak summed PSS of the command's process tree."""
    peak = 0
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sample():
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_pss_kib(proc.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    proc.wait()
    sampler.join()
    return peak / 1024


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--batch-repeat", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor = [py, "-c", "import torch, torchvision"]
        run = [py, "-m", "pytest", "--target=solutions", "-q", "-p", "no:cacheprovider",
               f"--results-json={tmp / 'results.json'}", f"--report={tmp / 'report.html'}"]
        commands = {"full": run, "lean": [*run, "--lean"], "skeletons": [*run[:3], "--target=skeletons", *run[4:]]}
        walls, ratios = defaultdict(list), defaultdict(list)
        for _ in range(args.repeat):
            for name, command in commands.items():  # the skeletons' run fails its tests: exit status 1
                base, took = wall(floor), wall(command, check=name != "skeletons")
                walls["floor"].append(base)
                walls[name].append(took)
                ratios[name].append(took / base)
        held = [py, "-c", "import torch, torchvision, time; time.sleep(0.5)"]
        memory = {name: statistics.median(peak_mib(c) for _ in range(min(args.repeat, 3)))
                  for name, c in {"floor": held, **commands}.items()}
        one, more = tmp / "one", tmp / "more"
        for i in range(1 + args.copies):
            shutil.copytree(ROOT / "solutions", more / f"copy{i}")
        shutil.copytree(ROOT / "solutions", one / "copy0")
        batch = lambda folder, out, workers: wall([py, "-m", "autograder.tools.batch", str(folder),  # noqa: E731
                                                   str(tmp / out), f"--workers={workers}"])
        marginal, marginal_ratio, every = [], [], []
        for turn in range(args.batch_repeat):  # in turn, like the runs above
            base = wall(floor)
            extra = (batch(more, f"more-{turn}", 1) - batch(one, f"one-{turn}", 1)) / args.copies
            marginal.append(extra)
            marginal_ratio.append(extra / base)
            if cores > 1:
                every.append(batch(more, f"every-{turn}", cores))
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}; wall: median (min-max) of {args.repeat} turns")
    print(f"{'':36}{'wall s':>18}{'x floor':>18}{'CPU s':>7}{'peak MiB':>10}{'x floor':>9}")
    rows = [("floor: import torch, torchvision", "floor"), ("full grading run of the solutions", "full"),
            ("  the same with --lean", "lean"), ("  the skeletons (raising at once)", "skeletons")]
    cpu = {"floor": statistics.median(CPU[tuple(floor)]),
           **{name: statistics.median(CPU[tuple(c)]) for name, c in commands.items()}}
    for label, name in rows:
        ratio = "1.00" if name == "floor" else spread(ratios[name])
        print(f"{label:36}{spread(walls[name]):>18}{ratio:>18}{cpu[name]:7.2f}{memory[name]:10.0f}"
              f"{memory[name] / memory['floor']:9.2f}")
    print(f"{'one more submission in a batch, 1 worker':36}{spread(marginal):>18}{spread(marginal_ratio):>18}"
          f"   ({args.batch_repeat} turns; {args.copies} more copies)")
    if cores > 1:
        print(f"batch of {1 + args.copies} copies with {cores} workers (each --lean, a server each started): "
              f"{spread(every)} s")

if __name__ == "__main__":
    main()
