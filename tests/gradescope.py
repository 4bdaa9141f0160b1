"""Gradescope's autograder platform, reproduced on this machine: build the image, grade submissions.

    build = build_image(Path("autograder.zip"), Path("image"))     # once, like Gradescope's image build
    run = run_submission(Path("image"), Path("my_submission"))     # a fresh container per submission
    run.results, run.failure, run.stdout, results_problems(run.results)

What Gradescope documents (gradescope-autograders.readthedocs.io: specs, troubleshooting,
best_practices, base_images; the manual-docker sample Dockerfile), and what this module does:

- **Image build.** The zip is extracted into ``/autograder/source`` (Unix modes as stored, like
  ``unzip``; owned by root). Then, as root in ``/`` with a container's environment, the sample
  Dockerfile's steps: ``cp /autograder/source/run_autograder /autograder/run_autograder``,
  ``dos2unix`` on it and on ``setup.sh``, ``chmod +x /autograder/run_autograder``,
  ``bash /autograder/source/setup.sh``, then ``/tmp/*`` and ``/var/tmp/*`` removed. The build
  fails when any step fails. It runs without the run's limits (Gradescope documents none for the
  build; the harness gives up after an hour).
- **A submission.** A fresh container from the image: the submission's files in
  ``/autograder/submission``, ``/autograder/submission_metadata.json`` (the documented fields,
  made-up values), an empty ``/autograder/results``, ``/autograder/run_autograder``
  executed (its ``#!`` line) as root from ``/autograder``, its output captured in
  ``/autograder/results/stdout``; then ``/autograder/results/results.json`` is read: missing or
  not JSON (NaN and Infinity included: JSON has none) is Gradescope's "The autograder failed to
  execute correctly". Gradescope's default limits: 768 MB of memory, 0.5 CPU, 10 minutes (then
  the submission gets 0 and results.json is not read).

The container is a bubblewrap sandbox (Debian's ``bubblewrap`` 0.8):

- **Root file system.** The image is a host folder holding the image's own layer (``/autograder``,
  ``/root``, whatever ``setup.sh`` wrote elsewhere), mode 0755 like ``/``. Over it, read-only, the
  host's ``/usr``, ``/etc`` and ``/opt`` (the machine's pip mirror and wheels live in ``/opt``),
  with the merged-``/usr`` links ``/bin``, ``/lib``, ``/lib64``, ``/sbin``; a fresh ``/proc``,
  bwrap's ``/dev``, tmpfs ``/tmp`` and ``/run``, ``/sys`` read-only. The image's python3 is
  therefore the machine's ``/usr/bin/python3``.
  At build the layer is the image folder itself (what ``setup.sh`` writes stays). In a run it is
  an overlay of the image folder under a tmpfs, as Docker's container layer is: writable, and
  discarded when the run ends, so every run starts from the same image.
- **User and privileges.** Root (uid 0), with Docker's default capabilities only (no
  CAP_SYS_ADMIN): the permitted, effective and bounding sets are Docker's 14, inheritable and
  ambient empty.
- **Namespaces.** Own pid, IPC, UTS (a container-id-like hostname), mount and cgroup namespaces;
  the host's network (Gradescope's containers have network access).
- **Environment.** Emptied, then ``PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin``,
  ``HOME=/root`` and ``HOSTNAME``, as Docker sets them; nothing of the project's (no ``PS5_*``).
  During the image build only, the machine's pip settings are passed too: the ``PIP_*``
  variables of this process, and root's pip config file, laid read-only over the same place in
  the image's ``/root`` (so ``pip --isolated`` ignores it there as it does on the machine) and
  removed after the build. They point pip at this machine's local mirror and wheels as well as
  PyPI: that is how this machine reaches the package registry; Gradescope's build reaches PyPI.
- **Limits.** Each container gets a fresh cgroup (v1 memory and cpu controllers, nested under
  this process's own), 768 MiB and a CFS quota of 0.5 CPU for a run, none for the build, removed
  afterwards. The container sees its cgroup as Docker shows it: ``/proc/self/cgroup`` says ``/``
  (cgroup namespace) and the cgroup's own files are at ``/sys/fs/cgroup/memory`` and
  ``/sys/fs/cgroup/cpu``. A run is killed after 600 s, with every process in it.
- ``landlock=False`` gives a run a seccomp filter that makes the Landlock system calls fail
  (ENOSYS), as on a kernel older than 5.13 or under a Docker seccomp profile from before
  moby/moby#43199 (2022), so that a test can grade without the judge's Landlock.

What it cannot reproduce, and why:

- **The base image.** Gradescope's image is Ubuntu 22.04 with its own python3 and packages; here
  the machine's Debian 12 ``/usr`` stands in (python3 3.11.2; like Ubuntu 24.04, and unlike
  22.04, it refuses ``pip install`` outside a virtual environment, PEP 668).
- **apt-get.** ``/usr``, ``/etc`` and ``/opt`` are the host's, read-only, and ``/var`` holds only
  ``/var/tmp``: ``apt-get update`` is not run and an ``apt-get install`` in ``setup.sh`` fails.
  Anything else ``setup.sh`` writes outside those folders stays in the image, as in Docker.
- **Docker's seccomp profile.** Not applied: a system call it refuses but Docker's capabilities
  allow succeeds here. (It allows Landlock since moby/moby#43199, 2022: see ``landlock=False``.)
- **no_new_privs.** bubblewrap always sets it, Docker does not: in a container a setuid-root
  program could raise a process's privileges, here it cannot.
- **Network.** The host's network namespace is shared (localhost included); Gradescope's
  container has its own, with internet access. ``download.pytorch.org`` does not resolve here.
- **Other cgroup controllers** (cpuacct, pids, ...) are not shown in ``/sys/fs/cgroup``; the
  page cache is not dropped before a run (the libraries may be cached, as on a warm host).
- The build's ``RUN`` steps run in one container, not one per step (no effect on the files).

Needs root with CAP_SYS_ADMIN, cgroup v1 with the memory and cpu controllers, ``bwrap`` and
``unshare``; :func:`unavailable` says what is missing.
"""
from __future__ import annotations

import json
import math
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MEMORY_BYTES = 768 * 2**20  # Gradescope's default container: 768 MB, 1/2 vCPU, 10 minutes
CPUS = 0.5
TIMEOUT_SECONDS = 600
BUILD_TIMEOUT_SECONDS = 3600  # a guard for the tests, not Gradescope's

CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Docker's default capability set (moby's oci/caps/defaults.go), as bwrap and setpriv spell them.
DOCKER_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
                       "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE")
HOST_FOLDERS = ("/usr", "/etc", "/opt")  # read-only from the host
MERGED_USR_LINKS = {"bin": "usr/bin", "lib": "usr/lib", "lib64": "usr/lib64", "sbin": "usr/sbin"}

# results.json as Gradescope documents it (specs page).
OUTPUT_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
TOP_LEVEL = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
             "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
PER_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
            "visibility", "extra_data"}
FAILED_TO_EXECUTE = "The autograder failed to execute correctly"
SUBMISSION_METADATA = {  # the fields of Gradescope's submission_metadata page; the values are made up
    "id": 1, "created_at": "2026-12-01T12:00:00.000000-08:00", "submission_method": "upload",
    "assignment": {"due_date": "2026-12-31T23:00:00.000000-08:00", "group_size": None, "group_submission": False,
                   "id": 1, "course_id": 1, "late_due_date": None, "release_date": "2026-12-01T00:00:00.000000-08:00",
                   "title": "Problem set 5", "total_points": "160.0"},
    "users": [{"email": "student@example.com", "id": 1, "name": "A Student"}],
    "previous_submissions": [],
}


@dataclass
class Build:
    image: Path
    returncode: int
    output: str  # the build's log: what Gradescope shows when the image does not build
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def error(self) -> str:
        """The line of the log that says why the build failed (the last error line, else the last line)."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        errors = [line for line in lines
                  if re.search(r"(?i)error|failed|fatal", line) and not line.startswith("WARNING")]
        return (errors or lines or [f"exit status {self.returncode}"])[-1]


@dataclass
class Run:
    returncode: int | None  # run_autograder's exit status; None when killed at the timeout
    seconds: float
    stdout: str  # /autograder/results/stdout: run_autograder's output
    results: dict | None  # results.json as Gradescope reads it; None when it would not
    failure: str  # "" or why Gradescope would show no results
    results_dir: Path  # a copy of /autograder/results after the run
    peak_mib: float  # the cgroup's peak memory (page cache included)
    oom_kills: int  # processes the kernel killed for the memory limit
    limits: dict = field(default_factory=dict)


def unavailable() -> str:
    """'' when this machine can run the harness, else what is missing."""
    if os.geteuid() != 0:
        return "needs root (cgroups, mounts)"
    for tool in ("bwrap", "unshare", "setpriv"):
        if shutil.which(tool) is None:
            return f"needs {tool} (apt-get install -y bubblewrap util-linux)"
    if Path("/sys/fs/cgroup/cgroup.controllers").exists():
        return "needs cgroup v1 (this machine has cgroup v2 only)"
    try:
        _own_cgroup("memory"), _own_cgroup("cpu")
    except OSError as exc:
        return str(exc)
    return ""


# -- cgroups -----------------------------------------------------------------------------------
def _own_cgroup(controller: str) -> Path:
    """This process's cgroup folder for a v1 controller."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = Path("/sys/fs/cgroup") / controllers / path.lstrip("/")
            if folder.is_dir():
                return folder
    raise OSError(f"no cgroup v1 {controller} controller mounted under /sys/fs/cgroup")


class _Cgroup:
    """A fresh cgroup (memory and cpu) nested under this process's own; removed by :meth:`remove`."""

    def __init__(self, memory: int | None, cpus: float | None):
        name = f"gradescope-{os.getpid()}-{secrets.token_hex(4)}"
        self.folders = {c: _own_cgroup(c) / name for c in ("memory", "cpu")}
        for folder in self.folders.values():
            folder.mkdir()
        if memory is not None:
            (self.folders["memory"] / "memory.limit_in_bytes").write_text(str(memory))
        if cpus is not None:
            (self.folders["cpu"] / "cpu.cfs_period_us").write_text("100000")
            (self.folders["cpu"] / "cpu.cfs_quota_us").write_text(str(int(cpus * 100000)))

    def peak_mib(self) -> float:
        return int((self.folders["memory"] / "memory.max_usage_in_bytes").read_text()) / 2**20

    def oom_kills(self) -> int:
        for line in (self.folders["memory"] / "memory.oom_control").read_text().splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def kill(self) -> None:
        for _ in range(100):
            pids = [int(p) for f in self.folders.values() for p in (f / "cgroup.procs").read_text().split()]
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    def remove(self) -> None:
        self.kill()
        for folder in self.folders.values():
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


# -- the sandbox -------------------------------------------------------------------------------
def _landlock_blocker() -> bytes:
    """A classic-BPF seccomp program: landlock_create_ruleset, _add_rule, _restrict_self (444-446
    on x86_64) fail with ENOSYS, as on a kernel or a Docker profile without Landlock."""
    ld, jeq, jge, jgt, ret = 0x20, 0x15, 0x35, 0x25, 0x06
    program = [(ld, 0, 0, 4),  # the architecture
               (jeq, 0, 4, 0xC000003E),  # x86_64, else allow
               (ld, 0, 0, 0),  # the system call number
               (jge, 0, 2, 444),
               (jgt, 1, 0, 446),
               (ret, 0, 0, 0x00050000 | 38),  # SECCOMP_RET_ERRNO | ENOSYS
               (ret, 0, 0, 0x7FFF0000)]  # SECCOMP_RET_ALLOW
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)


def _container(root: Path, cgroup: _Cgroup, command: list[str], *, cwd: str, env: dict[str, str],
               binds: list[tuple[str, str, str]], overlay: Path | None, seccomp_fd: int | None) -> list[str]:
    """The command line that starts ``command`` in a container whose root layer is ``root`` (or an
    overlay of it in ``overlay``, discarded afterwards), inside ``cgroup``."""
    joins = [f"echo $$ > {shlex.quote(str(f / 'cgroup.procs'))}" for f in cgroup.folders.values()]
    layer = str(root)
    if overlay is not None:
        o = shlex.quote(str(overlay))
        joins += [f"mount -t tmpfs -o mode=0755 container-layer {o}", f"mkdir {o}/upper {o}/work {o}/root",
                  f"mount -t overlay overlay -o lowerdir={shlex.quote(str(root))},upperdir={o}/upper,"
                  f"workdir={o}/work {o}/root"]
        layer = str(overlay / "root")
    hostname = secrets.token_hex(6)  # like a container id
    bwrap = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
             "--unshare-cgroup", "--hostname", hostname, "--bind", layer, "/"]
    for folder in HOST_FOLDERS:
        bwrap += ["--ro-bind", folder, folder]
    bwrap += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp", "--tmpfs", "/run",
              "--ro-bind", "/sys", "/sys", "--tmpfs", "/sys/fs/cgroup"]
    for controller, folder in cgroup.folders.items():
        bwrap += ["--ro-bind", str(folder), f"/sys/fs/cgroup/{controller}"]
    bwrap += ["--remount-ro", "/sys/fs/cgroup"]
    for kind, source, target in binds:
        bwrap += [kind, source, target]
    if seccomp_fd is not None:
        bwrap += ["--seccomp", str(seccomp_fd)]
    bwrap += ["--cap-drop", "ALL"]
    for cap in DOCKER_CAPABILITIES:
        bwrap += ["--cap-add", f"CAP_{cap}"]
    bwrap += ["--clearenv", "--chdir", cwd]
    for name, value in {"PATH": CONTAINER_PATH, "HOSTNAME": hostname, "HOME": "/root", **env}.items():
        bwrap += ["--setenv", name, value]
    drop = ["setpriv", "--bounding-set=-all," + ",".join(f"+{c.lower()}" for c in DOCKER_CAPABILITIES),
            "--inh-caps=-all", "--ambient-caps=-all", "--"]
    script = "set -e; " + "; ".join(joins) + '; exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "container", *bwrap, *drop,
            *command]


def _execute(root: Path, command: list[str], *, cwd: str, env: dict[str, str] | None = None,
             binds: list[tuple[str, str, str]] = (), memory: int | None = None, cpus: float | None = None,
             overlay: Path | None = None, landlock: bool = True, output=None, timeout: float,
             cancel: threading.Event | None = None) -> tuple[int | None, float, float, int, dict]:
    """Run ``command`` in a fresh container: (exit status or None on timeout or cancel, seconds,
    peak MiB, OOM kills, the limits set)."""
    cgroup = _Cgroup(memory, cpus)
    seccomp = None
    try:
        if not landlock:
            seccomp = tempfile.TemporaryFile()
            seccomp.write(_landlock_blocker())
            seccomp.seek(0)
        argv = _container(root, cgroup, command, cwd=cwd, env=env or {}, binds=list(binds), overlay=overlay,
                          seccomp_fd=seccomp.fileno() if seccomp else None)
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True, pass_fds=(seccomp.fileno(),) if seccomp else ())
        returncode = None
        while returncode is None and time.monotonic() - start < timeout and not (cancel and cancel.is_set()):
            try:
                returncode = proc.wait(timeout=min(1.0, max(0.01, timeout - (time.monotonic() - start))))
            except subprocess.TimeoutExpired:
                pass
        seconds = time.monotonic() - start
        if returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            cgroup.kill()
            proc.wait()
        return returncode, seconds, cgroup.peak_mib(), cgroup.oom_kills(), {"memory": memory, "cpus": cpus}
    finally:
        if seccomp:
            seccomp.close()
        cgroup.remove()


# -- the image ---------------------------------------------------------------------------------
def _extract(zip_path: Path, source: Path) -> None:
    """Unzip as ``unzip`` does as root: Unix modes as stored (set-id bits dropped), else 0644."""
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            target = (source / info.filename).resolve()
            if source.resolve() not in target.parents and target != source.resolve():
                raise ValueError(f"{zip_path}: {info.filename} lies outside the extraction folder")
            mode = (info.external_attr >> 16) & 0o777 if info.create_system == 3 and info.external_attr >> 16 else None
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                os.chmod(target, mode or 0o755)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.chmod(target, mode or 0o644)


def _host_pip_settings(image: Path) -> tuple[dict[str, str], list[tuple[str, str, str]], list[Path]]:
    """The machine's pip settings for the image build: the PIP_* variables, and root's pip config
    files laid over the same places under the image's /root, where pip reads them as the user's
    configuration (``pip --isolated`` ignores them, as it does on the machine). Returns the
    variables, the binds and the mount points made in the image (to remove after the build)."""
    env = {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
    binds, made = [], []
    home = Path(pwd.getpwuid(0).pw_dir)
    for config in (home / ".config" / "pip" / "pip.conf", home / ".pip" / "pip.conf"):
        if config.is_file():
            target = image / "root" / config.relative_to(home)
            for folder in reversed([p for p in target.parents if image / "root" in p.parents and not p.exists()]):
                folder.mkdir()
                made.append(folder)
            target.touch()
            made.append(target)
            binds.append(("--ro-bind", str(config), f"/root/{config.relative_to(home)}"))
    return env, binds, made


BUILD_SCRIPT = """set -e
cp /autograder/source/run_autograder /autograder/run_autograder
sed -i 's/\\r$//' /autograder/run_autograder /autograder/source/setup.sh   # dos2unix
chmod +x /autograder/run_autograder
bash /autograder/source/setup.sh   # Gradescope runs apt-get update first: not possible here
rm -rf /tmp/* /var/tmp/*
"""


def build_image(zip_path: Path, image: Path, cancel: threading.Event | None = None) -> Build:
    """Build the image from the autograder zip into the new folder ``image``, as Gradescope does."""
    image.mkdir(parents=True, exist_ok=False)
    os.chmod(image, 0o755)
    for name, mode in (("autograder", 0o755), ("root", 0o700), ("var", 0o755), ("var/tmp", 0o1777),
                       *((p.lstrip("/"), 0o755) for p in (*HOST_FOLDERS, "/proc", "/dev", "/sys", "/run")),
                       ("tmp", 0o1777)):
        (image / name).mkdir()
        os.chmod(image / name, mode)
    for link, target in MERGED_USR_LINKS.items():
        (image / link).symlink_to(target)
    start = time.monotonic()
    try:
        _extract(zip_path, image / "autograder" / "source")
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return Build(image, 1, f"the zip could not be extracted: {exc}", time.monotonic() - start)
    env, binds, made = _host_pip_settings(image)
    with tempfile.TemporaryFile() as log:
        returncode, seconds, *_ = _execute(image, ["/bin/sh", "-c", BUILD_SCRIPT], cwd="/", env=env, binds=binds,
                                           output=log, timeout=BUILD_TIMEOUT_SECONDS, cancel=cancel)
        log.seek(0)
        output = log.read().decode(errors="replace")
    for path in reversed(made):  # the machine's pip settings are not part of the image
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
        elif path.is_file() and path.stat().st_size == 0:
            path.unlink()
    return Build(image, 1 if returncode is None else returncode, output, time.monotonic() - start)


def run_submission(image: Path, submission: Path, *, landlock: bool = True, timeout: float = TIMEOUT_SECONDS,
                   memory: int = MEMORY_BYTES, cpus: float = CPUS, keep: Path | None = None,
                   cancel: threading.Event | None = None) -> Run:
    """Grade the files of the folder ``submission`` in a fresh container from ``image``.
    ``keep``: where to keep a copy of /autograder/results (default: a new temporary folder)."""
    work = Path(tempfile.mkdtemp(prefix="gradescope-run-"))
    try:
        os.chmod(work, 0o755)
        shutil.copytree(submission, work / "submission")
        (work / "submission_metadata.json").write_text(json.dumps(SUBMISSION_METADATA, indent=2))
        results = work / "results"
        results.mkdir(mode=0o755)
        (work / "layer").mkdir()
        with open(results / "stdout", "wb") as out:
            returncode, seconds, peak, kills, limits = _execute(
                image, ["/autograder/run_autograder"], cwd="/autograder",
                binds=[("--bind", str(work / "submission"), "/autograder/submission"),
                       ("--bind", str(work / "submission_metadata.json"), "/autograder/submission_metadata.json"),
                       ("--bind", str(results), "/autograder/results")],
                memory=memory, cpus=cpus, overlay=work / "layer", landlock=landlock, output=out, timeout=timeout,
                cancel=cancel)
        keep = keep or Path(tempfile.mkdtemp(prefix="gradescope-results-"))
        shutil.copytree(results, keep, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stdout = (keep / "stdout").read_text(errors="replace")
    data, failure = None, ""
    if returncode is None:
        failure = (f"timed out after {seconds:.0f} s: Gradescope ends the run and gives 0 points"
                   if seconds >= timeout else "cancelled")
    else:
        data, failure = read_results(keep / "results.json")
    return Run(returncode, seconds, stdout, data, failure, keep, peak, kills, limits)


def read_results(path: Path) -> tuple[dict | None, str]:
    """(results.json as Gradescope reads it, '') or (None, why it would not)."""
    def no_constant(name):
        raise ValueError(f"{name} is not JSON")

    try:
        data = json.loads(path.read_text(), parse_constant=no_constant)
    except FileNotFoundError:
        return None, f"{FAILED_TO_EXECUTE}: no /autograder/results/results.json"
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"{FAILED_TO_EXECUTE}: results.json is not valid JSON ({exc})"
    if not isinstance(data, dict):
        return None, f"{FAILED_TO_EXECUTE}: results.json is not a JSON object"
    return data, ""


def run_in_image(image: Path, command: list[str], *, cwd: str = "/autograder",
                 timeout: float = 120) -> tuple[int | None, str]:
    """``command`` in a fresh container from ``image`` with a run's limits: (exit status, output)."""
    with tempfile.TemporaryDirectory(prefix="gradescope-exec-") as work, tempfile.TemporaryFile() as out:
        returncode, *_ = _execute(image, command, cwd=cwd, memory=MEMORY_BYTES, cpus=CPUS, overlay=Path(work),
                                  output=out, timeout=timeout)
        out.seek(0)
        return returncode, out.read().decode(errors="replace")


# -- results.json as documented ----------------------------------------------------------------
def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _field_problems(where: str, data: dict, allowed: set[str]) -> list[str]:
    problems = [f"{where}: undocumented field {key!r}" for key in sorted(set(data) - allowed)]
    checks = {
        "score": _number, "max_score": _number, "execution_time": _number,
        "output": lambda v: isinstance(v, str), "name": lambda v: isinstance(v, str),
        "number": lambda v: isinstance(v, str), "status": lambda v: v in ("passed", "failed"),
        "visibility": lambda v: v in VISIBILITIES, "stdout_visibility": lambda v: v in VISIBILITIES,
        "output_format": lambda v: v in OUTPUT_FORMATS, "test_output_format": lambda v: v in OUTPUT_FORMATS,
        "test_name_format": lambda v: v in OUTPUT_FORMATS, "name_format": lambda v: v in OUTPUT_FORMATS,
        "extra_data": lambda v: isinstance(v, dict),
        "tags": lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v),
    }
    for key, ok in checks.items():
        if key in data and key in allowed and not ok(data[key]):
            problems.append(f"{where}: {key} = {data[key]!r} is not as documented")
    return problems


def results_problems(data: dict | None) -> list[str]:
    """What in a results.json is not as Gradescope documents it (empty: all is)."""
    if not isinstance(data, dict):
        return ["results.json is not a JSON object"]
    problems = _field_problems("top level", data, TOP_LEVEL)
    tests = data.get("tests", [])
    if not isinstance(tests, list) or not all(isinstance(t, dict) for t in tests):
        return problems + ["tests is not a list of objects"]
    for i, test in enumerate(tests):
        problems += _field_problems(f"tests[{i}]", test, PER_TEST)
    if "score" not in data and (not tests or any("score" not in t for t in tests)):
        problems.append("no top-level score and not every test has one")
    leaderboard = data.get("leaderboard", [])
    if not isinstance(leaderboard, list) or not all(isinstance(e, dict) and "name" in e and "value" in e
                                                   for e in leaderboard):
        problems.append("leaderboard is not a list of {name, value} objects")
    return problems
