"""The memory the run may use: the container's limit, read from cgroups, and what grading needs.

``PS5_MEMORY_LIMIT`` replaces the cgroup reading (a number of bytes, or a file holding one as
cgroup's ``memory.max`` does), so that the tests can set any limit.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

MIB = 2**20
CGROUP_FILES = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")  # v2, v1
# Measured with scripts/in_container.py (cgroup v1, page cache dropped first, 0.5 CPU, torch
# 2.15.0 from PyPI): the solutions get full marks under a 768 MiB limit (28.7 s; --prefetch
# 43.8 s) and lose points under 640 MiB (the libraries' pages are evicted and read again: 201 s).
# Below LEAN_RUN_MIB the run says which setting to raise; below FULL_RUN_MIB a run asked to
# --prefetch keeps one worker at a time.
LEAN_RUN_MIB = 768
FULL_RUN_MIB = 1024


def _read(source: str) -> int | None:
    """A limit in bytes, "max" (none), or a file holding either."""
    text = source.strip()
    if not (text.isdigit() or text == "max"):
        text = Path(text).read_text().strip()
    if text == "max" or not text.isdigit():
        return None
    value = int(text)
    return None if value >= 2**60 else value  # cgroup v1 says "no limit" with a huge number


def _cgroup_files() -> list[str]:
    """The memory-limit files of this process's cgroup and its ancestors (v2 and v1), from
    /proc/self/cgroup; the top-level files last (what a container sees of its own cgroup)."""
    files = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # v2
            base, name = Path("/sys/fs/cgroup"), "memory.max"
        elif "memory" in controllers.split(","):  # v1
            base, name = Path("/sys/fs/cgroup/memory"), "memory.limit_in_bytes"
        else:
            continue
        node = Path(path)
        for folder in [node, *node.parents]:
            files.append(str(base / folder.relative_to("/") / name))
    return [*files, *CGROUP_FILES]


def memory_limit() -> tuple[int | None, str]:
    """(the tightest memory limit in bytes, or None, and where it was read)."""
    override = os.environ.get("PS5_MEMORY_LIMIT")
    if override:
        try:
            return _read(override), "PS5_MEMORY_LIMIT"
        except OSError as exc:
            raise ValueError(f"PS5_MEMORY_LIMIT={override}: not a number of bytes, 'max' or a readable file "
                             f"({exc.strerror})") from None
    found = []
    for path in dict.fromkeys(_cgroup_files()):
        try:
            value = _read(path)
        except OSError:
            continue
        if value is not None:
            found.append((value, path))
    return min(found) if found else (None, "no cgroup limit found")


def plan() -> tuple[str, str]:
    """("full" | "lean" | "too small", a line saying why)."""
    limit, source = memory_limit()
    if limit is None:
        return "full", "no memory limit"
    mib = limit / MIB
    if mib < LEAN_RUN_MIB:
        gb = math.ceil(LEAN_RUN_MIB * 1.1 / 1024 * 2) / 2  # 10 % to spare, in half-GB steps
        return "too small", (f"the grading needs {LEAN_RUN_MIB} MiB of memory and this container allows "
                             f"{mib:.0f} MiB ({source}): raise Gradescope's autograder memory (Settings > "
                             f"Autograder > Memory) to at least {gb:g} GB")
    if mib < FULL_RUN_MIB:
        return "lean", f"memory limit {mib:.0f} MiB ({source}): one worker at a time, nothing prefetched"
    return "full", f"memory limit {mib:.0f} MiB ({source})"
