"""What confines a worker, applied inside the worker and measured there, never assumed.

Three independent mechanisms keep the reference data (fixtures, solutions, graders, the git
history) out of the student's reach; each is used where the platform allows it:

- a private mount namespace with the protected folders hidden under empty read-only tmpfs
  (root with CAP_SYS_ADMIN; Linux);
- a Landlock ruleset that lets the worker read only the Python installation, system folders and
  its own sandbox (any user, Linux >= 5.13, where seccomp lets the syscalls through);
- an unprivileged user (``nobody``) for the worker when the judge is root, so that files
  readable by their owner only (the Gradescope image makes them so) stay closed.

:func:`audit` runs in a worker that was isolated exactly like the student's, and reports what
that worker can actually do: which user it is, which mechanisms took, and whether it could open
any protected file. The judge states that report at the end of the run.
"""
from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

FRAMEWORK = Path(__file__).resolve().parent.parent  # the autograder package: workers import it


# Folders of a problem set a worker must not see. Everything a worker needs (the framework's
# package, the provided files, a virtual environment inside the clone) is outside them.
PROTECTED = ("fixtures", "solutions", "graders", "tests", ".git", "reports")
READABLE_SYSTEM = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/opt",
                   "/proc", "/sys", "/dev", "/var/cache/fontconfig", "/System", "/Library")


def protected_paths(root: Path) -> list[Path]:
    return [root / name for name in PROTECTED if (root / name).exists()]


def protected_files(root: Path, limit: int = 400) -> list[str]:
    """Files a worker must not be able to open (a sample of each protected folder)."""
    files = []
    for folder in protected_paths(root):
        found = 0
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file() and found < limit // len(PROTECTED):
                files.append(str(path))
                found += 1
    return files


def _overlaps(path: Path, protected: list[Path]) -> bool:
    """True when granting ``path`` would grant a protected folder (or a part of one)."""
    return any(path == p or path in p.parents or p in path.parents for p in protected)


# -- mount namespace ---------------------------------------------------------------------------
def hide_protected(root: Path) -> bool:
    """Enter a private mount namespace and lay an empty read-only tmpfs over every protected
    folder. Needs CAP_SYS_ADMIN; False where the kernel or the container refuses."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWNS, MS_RDONLY, MS_REC, MS_PRIVATE = 0x00020000, 0x1, 0x4000, 0x40000
    if libc.unshare(CLONE_NEWNS) != 0:
        return False
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    hidden = True
    for folder in protected_paths(root):
        if folder.is_dir():
            ok = libc.mount(b"tmpfs", str(folder).encode(), b"tmpfs", MS_RDONLY, b"size=4k,mode=755") == 0
        else:  # a file (a git worktree's .git): put an empty file over it
            ok = libc.mount(b"/dev/null", str(folder).encode(), None, 0x1000, None) == 0  # MS_BIND
        hidden = hidden and ok
    return hidden


def no_new_privileges() -> bool:
    """Forbid this process and its children to gain privileges (a setuid program runs as the
    caller); True where it took. Set in every worker, whatever else confines it."""
    if not sys.platform.startswith("linux"):
        return False
    return ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS


# -- Landlock ----------------------------------------------------------------------------------
_SYSCALLS = {"create_ruleset": 444, "add_rule": 445, "restrict_self": 446}  # the same on x86_64 and arm64
_READ = 0x1 | 0x4 | 0x8  # EXECUTE, READ_FILE, READ_DIR
_ABI1 = (1 << 13) - 1  # every filesystem right of Landlock ABI 1
_REFER = 1 << 13  # ABI 2: moving files between folders


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock(readable: list[str], writable: list[str], root: Path) -> bool:
    """Restrict this process (and its children) to reading ``readable`` and writing ``writable``.
    No path that holds or lies inside a protected folder is granted. False where Landlock is
    missing (other systems, old kernels, a seccomp filter that blocks it)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(_SYSCALLS["create_ruleset"], None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return False
    handled = _ABI1 | (_REFER if abi >= 2 else 0)
    attr = ctypes.c_uint64(handled)
    ruleset = libc.syscall(_SYSCALLS["create_ruleset"], ctypes.byref(attr), ctypes.c_size_t(8), ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    protected = [p.resolve() for p in protected_paths(root)]
    try:
        for paths, access in ((readable, _READ), (writable, handled)):
            for raw in paths:
                path = Path(raw).resolve() if os.path.exists(raw) else None
                if path is None or not path.is_dir() or _overlaps(path, protected):
                    continue
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                try:
                    rule = _PathBeneath(access, fd)
                    libc.syscall(_SYSCALLS["add_rule"], ctypes.c_int(ruleset), ctypes.c_int(1), ctypes.byref(rule),
                                 ctypes.c_uint32(0))
                finally:
                    os.close(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, required by restrict_self
            return False
        return libc.syscall(_SYSCALLS["restrict_self"], ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)


def python_paths(root: Path) -> list[str]:
    """Folders a worker reads to run Python and import libraries later (lazily): the interpreter's,
    the framework's package, and the problem set's skeletons/ (its provided files)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)), str(FRAMEWORK), str(root / "skeletons")}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    return sorted(paths)


def give_back_memory() -> None:
    """Collect garbage and return freed memory to the system: glibc keeps large freed blocks
    once its threshold has grown, so a freed model's pages would otherwise stay with us."""
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl)
            pass


# -- the measurement ---------------------------------------------------------------------------
def can_reach_python(libraries=()) -> str:
    """'' when this process can still load Python modules lazily (the problem set's ``libraries``,
    the framework's, the standard library), else what it could not read."""
    import importlib.util

    for name in dict.fromkeys([*(n.split(".")[0] for n in libraries), "numpy", "json", "autograder"]):
        try:
            origin = getattr(sys.modules.get(name), "__file__", None)
            if origin is None:
                found = importlib.util.find_spec(name)
                origin = found.origin if found else None
            if not origin:
                continue
            with open(origin, "rb") as f:
                f.read(1)
            os.listdir(os.path.dirname(origin))
        except (OSError, ImportError) as exc:
            return f"{name}: {getattr(exc, 'strerror', None) or exc}"
    try:  # a standard-library module nobody imported yet: the search itself must work
        importlib.util.find_spec("wsgiref.simple_server")
    except (OSError, ImportError) as exc:
        return f"the standard library: {exc}"
    return ""


def reaches_parent() -> bool | None:
    """Whether this process could write into its parent's memory (opening /proc/PID/mem for
    writing takes the access ptrace needs to attach): a worker that can could change the forkserver
    every later worker is forked from. None where there is no /proc."""
    if not os.path.exists("/proc/self/mem"):
        return None
    try:
        os.close(os.open(f"/proc/{os.getppid()}/mem", os.O_RDWR))
        return True
    except OSError:
        return False


def audit(files: list[str], mechanisms: dict, libraries=()) -> dict:
    """What this (isolated) process can do: run in a worker that imported no student code."""
    readable = []
    for path in files:
        try:
            with open(path, "rb") as f:
                f.read(1)
            readable.append(path)
        except OSError:
            pass
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    try:
        import pwd

        user = pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError, TypeError):
        user = os.environ.get("USERNAME", "this user")
    return {"uid": uid, "user": user, "python": can_reach_python(libraries), "readable": readable,
            "checked": len(files), "reaches_parent": reaches_parent(), **mechanisms}


def describe(report: dict | None, judge_is_root: bool, root: Path, why_this_user: str = "") -> str:
    """The measured details, for the tutor (the terminal, the report's footer): which user the
    workers ran as (and ``why_this_user``), the mechanisms that took, and how many of the
    protected files (reference data, graders, solutions, tests, reports) they could open, by trying each."""
    if report is None:
        return "no worker ran: nothing to confine"
    used = [name for name, key in (("private mount namespace", "namespace"), ("Landlock", "landlock")) if report.get(key)]
    line = f"workers run as {report['user']}" + (f" (uid {report['uid']})" if report.get("uid") is not None else "")
    line += (f", since {why_this_user}" if why_this_user else "") + f"; confinement: {', '.join(used) if used else 'none'}"
    if report["readable"]:
        first = os.path.relpath(report["readable"][0], root)
        line += (f"; WARNING: the workers could read {len(report['readable'])} of {report['checked']} protected "
                 f"files (e.g. {first}): "
                 + ("a submission can copy the expected answers; see README, Threat model" if judge_is_root
                    else "fine for grading your own work, not for grading others'"))
    else:
        line += f"; the workers could open none of {report['checked']} protected files (tried)"
    return line


def plain(report: dict | None, judge_is_root: bool) -> str:
    """The same measurement in plain words, for the student (the run's last line, results.json's
    ``output``): it says no more than :func:`describe` and never less (the warning included)."""
    if report is None:
        return "None of your code ran."
    if report["readable"]:
        if judge_is_root:
            return ("WARNING: your code ran in a separate process that could read the graders' reference data; "
                    "this grading machine does not protect it: please tell your tutor.")
        return ("Your code ran in a separate process that could read the graders' reference data: fine for "
                "checking your own work on your own machine.")
    other_user = judge_is_root and report.get("uid") not in (0, None)
    confined = ", confined" if report.get("namespace") or report.get("landlock") or other_user else ""
    if not report["checked"]:
        return f"Your code ran in a separate{confined} process."
    return f"Your code ran in a separate{confined} process; it could not read the graders' reference data."
