"""The container the run lives in: its memory limit and its CPUs, read from cgroups and the
scheduler, and what grading needs of them.

``AUTOGRADER_MEMORY_LIMIT`` replaces the memory reading (a number of bytes, or a file holding one
as cgroup's ``memory.max`` does) and ``AUTOGRADER_CPU_LIMIT`` the CPU reading (a number of CPUs),
so that the tests can set any container. What grading needs of the container is the problem
set's, measured on its solutions (``[problemset.container]`` in problemset.toml).
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from autograder.core import settings
from autograder.core.problemset import Container

MIB = 2**20


def _read(source: str) -> int | None:
    """A limit in bytes, "max" (none), or a file holding either."""
    text = source.strip()
    if not (text.isdigit() or text == "max"):
        text = Path(text).read_text().strip()
    if text == "max" or not text.isdigit():
        return None
    value = int(text)
    return None if value >= 2**60 else value  # cgroup v1 says "no limit" with a huge number


def _cgroup_folders(controller: str) -> list[Path]:
    """The cgroup folders of this process and their ancestors for ``controller`` (v2 and v1), from
    /proc/self/cgroup; the top-level folders last (what a container sees of its own cgroup)."""
    folders = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # v2
            base = Path("/sys/fs/cgroup")
        elif controller in controllers.split(","):  # v1
            base = Path("/sys/fs/cgroup") / controllers
        else:
            continue
        node = Path(path)
        folders += [base / folder.relative_to("/") for folder in [node, *node.parents]]
    return list(dict.fromkeys([*folders, Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup") / controller]))


def memory_limit() -> tuple[int | None, str]:
    """(the tightest memory limit in bytes, or None, and where it was read)."""
    override = settings.environ("AUTOGRADER_MEMORY_LIMIT")
    if override:
        try:
            return _read(override), "AUTOGRADER_MEMORY_LIMIT"
        except OSError as exc:
            raise ValueError(f"AUTOGRADER_MEMORY_LIMIT={override}: not a number of bytes, 'max' or a readable file "
                             f"({exc.strerror})") from None
    found = []
    for folder in _cgroup_folders("memory"):
        for path in (folder / "memory.max", folder / "memory.limit_in_bytes"):  # v2, v1
            try:
                value = _read(str(path))
            except OSError:
                continue
            if value is not None:
                found.append((value, str(path)))
    return min(found) if found else (None, "no cgroup limit found")


def cpu_limit() -> tuple[float, str]:
    """(the CPUs this process may use, and where that was read): the scheduler's affinity, and a
    cgroup CPU quota (v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``) where one is set."""
    override = settings.environ("AUTOGRADER_CPU_LIMIT")
    if override:
        try:
            return float(override), "AUTOGRADER_CPU_LIMIT"
        except ValueError:
            raise ValueError(f"AUTOGRADER_CPU_LIMIT={override}: not a number of CPUs") from None
    cpus = float(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    found = [(cpus, "cores")]
    for folder in _cgroup_folders("cpu"):
        for quota_file, period_file in ((folder / "cpu.max", None),  # v2: "quota period"
                                        (folder / "cpu.cfs_quota_us", folder / "cpu.cfs_period_us")):  # v1
            try:
                fields = quota_file.read_text().split()
                period = fields[1] if period_file is None else period_file.read_text().strip()
                if fields[0] not in ("max", "-1") and int(fields[0]) > 0:
                    found.append((int(fields[0]) / int(period), str(quota_file)))
            except (OSError, IndexError, ValueError):
                continue
    return min(found)


def plan(needs: Container, lean: bool = False) -> tuple[str, str]:
    """("full" | "lean" | "too small", a line saying why); ``needs``: the problem set's measured
    thresholds; ``lean``: asked for (--lean)."""
    limit, source = memory_limit()
    cpus, cpu_source = cpu_limit()
    mib = None if limit is None else limit / MIB
    if mib is not None and mib < needs.needs_mib:
        gb = math.ceil(needs.needs_mib * 1.1 / 1024 * 2) / 2  # 10 % to spare, in half-GB steps
        return "too small", (f"the grading needs {needs.needs_mib} MiB of memory and this container allows "
                             f"{mib:.0f} MiB ({source}): raise Gradescope's autograder memory (Settings > "
                             f"Autograder > Memory) to at least {gb:g} GB")
    memory = "no memory limit" if mib is None else f"memory limit {mib:.0f} MiB ({source})"
    cpu = f"{cpus:g} CPU" + ("s" if cpus > 1 else "") + ("" if cpu_source == "cores" else f" ({cpu_source})")
    if lean or mib is not None and mib < needs.ahead_mib or cpus < needs.ahead_cpus:
        return "lean", f"{memory}, {cpu}{': --lean' if lean else ''}: one exercise computing at a time, nothing computed ahead"
    return "full", f"{memory}, {cpu}: the next exercise's expensive checks computed ahead"
