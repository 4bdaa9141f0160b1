"""Grade the solutions inside a cgroup with a container's limits, e.g. Gradescope's default.

    python scripts/in_container.py --memory-mib 768 --cpus 0.5 [-- extra pytest arguments]

Needs root and a writable cgroup hierarchy (v1 memory and cpu controllers, or v2). The page cache
is dropped first, so that the cgroup is charged for the libraries it reads, as a fresh container
is. Prints the
points, the wall time, the peak memory the cgroup recorded, and whether the kernel killed
anything, then removes the cgroup. This is how the README's Gradescope settings were measured.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_cgroup(name: str, memory: int, cpus: float) -> tuple[list[Path], Path, Path]:
    """(folders to join, the file with the peak memory, the file counting OOM kills)."""
    v2 = Path("/sys/fs/cgroup/cgroup.controllers")
    if v2.exists():
        folder = Path("/sys/fs/cgroup") / name
        folder.mkdir()
        (folder / "memory.max").write_text(str(memory))
        (folder / "memory.swap.max").write_text("0")
        (folder / "cpu.max").write_text(f"{int(cpus * 100000)} 100000")
        return [folder], folder / "memory.peak", folder / "memory.events"
    memory_folder, cpu_folder = Path("/sys/fs/cgroup/memory") / name, Path("/sys/fs/cgroup/cpu") / name
    memory_folder.mkdir()
    cpu_folder.mkdir()
    (memory_folder / "memory.limit_in_bytes").write_text(str(memory))
    (cpu_folder / "cpu.cfs_period_us").write_text("100000")
    (cpu_folder / "cpu.cfs_quota_us").write_text(str(int(cpus * 100000)))
    return [memory_folder, cpu_folder], memory_folder / "memory.max_usage_in_bytes", memory_folder / "memory.oom_control"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory-mib", type=int, default=768)
    parser.add_argument("--cpus", type=float, default=0.5)
    parser.add_argument("extra", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args()
    name = f"ps5-{os.getpid()}"
    folders, peak_file, events_file = make_cgroup(name, args.memory_mib * 2**20, args.cpus)
    join = " ".join(f"echo $$ > {f / 'cgroup.procs'};" for f in folders)
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        command = (f"{join} exec {sys.executable} -m pytest --target=solutions --results-json={results} "
                   f"--report= -q -p no:cacheprovider {' '.join(args.extra)}")
        start = time.monotonic()
        done = subprocess.run(["sh", "-c", command], cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - start
        peak = int(peak_file.read_text()) / 2**20 if peak_file.exists() else float("nan")
        events = events_file.read_text().strip().replace("\n", ", ")
        data = json.loads(results.read_text()) if results.exists() else None
    for folder in folders:
        for _ in range(50):
            try:
                folder.rmdir()
                break
            except OSError:
                time.sleep(0.1)
    last = (done.stdout.strip().splitlines() or [""])[-3:]
    print(f"limits: {args.memory_mib} MiB, {args.cpus:g} CPU; exit {done.returncode}; wall {wall:.1f} s; "
          f"peak {peak:.0f} MiB (cgroup, page cache included); {events_file.name}: {events}")
    print(f"points: {data['score'] if data else 'no results.json'}; output: {data.get('output') if data else done.stderr[-300:]}")
    print("\n".join(last))
    return 0 if data and done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
