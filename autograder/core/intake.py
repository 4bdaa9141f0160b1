"""Find a submission's student files in whatever arrives: a folder, an archive or a single file.

Every way of grading goes through :func:`find`: ``pytest --target=PATH``, batch grading (one entry
of the class folder) and Gradescope's run_autograder (``--target=/autograder/submission``).

- What arrives is searched at any depth, and so are the archives in it (.zip, .tar, .tar.gz,
  .tgz) and the archive that arrives: each is unpacked into a scratch folder, safely (no absolute
  path or '..', no link or device, at most 64 MiB and 10,000 files unpacked in all, archives
  nested at most 3 deep). An unreadable or unsafe archive is not graded.
- Folders that are not a submission's are passed over: __MACOSX, hidden folders (.git, .venv,
  .ipynb_checkpoints, ...), __pycache__, venv, site-packages, node_modules.
- Exact file names first. A student file found nowhere under its own name may be found under a
  name a platform made of it: Canvas's ``alice_12345_67890_model.py`` and its resubmission's
  ``model-1.py``, a browser's ``model (1).py``.
- A single .py handed in alone under its student's name (``bob.py``) is the student file whose
  skeleton's top-level functions and classes it defines most of (read with ast, never imported
  or run), if only one is best.
- Two different copies of one student file (under its own name, or else under platform names)
  are not graded; identical copies are.

Provided files found in a submission are no student files: graded code always gets the
framework's copy (session.py lays it over the sandbox). Every refusal is an :class:`IntakeError`
whose message is one line, naming paths relative to what arrived.
"""
from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.core.problemset import ProblemSet

ARCHIVES = (".tar.gz", ".tgz", ".tar", ".zip")  # longest first: .tar.gz before .tar
MAX_UNPACKED = 64 * 2**20  # bytes unpacked from the archives of one submission, in all
MAX_MEMBERS = 10_000  # files unpacked from them, in all
MAX_NESTING = 3  # an archive in an archive in an archive
MAX_WALKED = 100_000  # files looked at in folders that arrived as they are
SKIPPED = {"__MACOSX", "__pycache__", "venv", "site-packages", "node_modules"}  # and hidden folders
LITTER = {".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX"}  # what operating systems leave in a folder
SHOWN = 5  # names listed of what arrived, when nothing in it was a student file


class IntakeError(ValueError):
    """Nothing that can be graded arrived; the message says why, in one line."""


def archive_suffix(name: str) -> str:
    """The archive suffix of a file name ('.tar.gz', '.tgz', '.tar', '.zip'), else ''."""
    return next((s for s in ARCHIVES if name.lower().endswith(s)), "")


def student_name(path: Path) -> str:
    """Whose submission an entry of a class folder is: its name without an archive suffix or .py."""
    name = path.name
    suffix = archive_suffix(name) or (".py" if name.lower().endswith(".py") else "")
    return name[:len(name) - len(suffix)] if len(name) > len(suffix) else name


def is_litter(name: str) -> bool:
    """An operating system's file (.DS_Store, Thumbs.db, desktop.ini, __MACOSX, ._*), not a submission."""
    return name in LITTER or name.startswith("._")


def passed_over(folder: str) -> bool:
    """A folder that is no submission's: __MACOSX, a hidden one (.git, .venv), __pycache__, venv, ..."""
    return folder in SKIPPED or folder.startswith(".")


def _printable(text: str) -> str:
    """A path for a one-line message: control characters (a newline in a member's name) as '?'."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", text)


def listing(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass
class Submission:
    """The student files found in what arrived, by their canonical names."""
    arrived: Path  # what was handed in: a folder, an archive or a .py file
    files: dict[str, Path]  # student file name -> the file found (in what arrived, or unpacked)
    shown: dict[str, str]  # student file name -> where it was found, relative to what arrived
    folders: list[Path] = field(default_factory=list)  # the folders that held them (not for a lone file)
    scratch: Path | None = None  # where archives were unpacked; removed by close()

    def described(self) -> str:
        """Where the student files were found, unless all at the top under their own names (''):
        '5 in hw/; model.py as hw/alice_12345_67890_model.py'."""
        exact: dict[str, int] = {}
        renamed = []
        for name, shown in self.shown.items():
            path = PurePosixPath(shown)
            if path.name == name:
                exact[str(path.parent)] = exact.get(str(path.parent), 0) + 1
            else:
                renamed.append(f"{name} as {shown}")
        if not renamed and list(exact) == ["."]:
            return ""
        return "; ".join([f"{n} at the top" if folder == "." else f"{n} in {folder}/" for folder, n in exact.items()]
                         + renamed)

    def close(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


@dataclass
class _Found:
    path: Path  # on disk
    shown: str  # relative to what arrived, through the archives it was in

    @property
    def name(self) -> str:
        return self.path.name

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


class _Search:
    """Walks what arrived, unpacking archives, and lists every file it holds (hidden files aside)."""

    def __init__(self):
        self.files: list[_Found] = []
        self.scratch: Path | None = None
        self.unpacked_bytes = 0
        self.unpacked_members = 0
        self.walked = 0
        self.archives = 0

    def folder(self, folder: Path, prefix: str, depth: int) -> None:
        for top, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not passed_over(d))
            relative = Path(top).relative_to(folder).as_posix()
            here = prefix + ("" if relative == "." else relative + "/")
            for name in sorted(names):
                self.walked += 1
                if self.walked > MAX_WALKED:
                    raise IntakeError(f"more than {MAX_WALKED} files to look through: not a submission's folder")
                path = Path(top) / name
                if name.startswith(".") or path.is_symlink() or not path.is_file():
                    continue
                if archive_suffix(name):
                    self.archive(path, here + name, depth + 1)
                else:
                    self.files.append(_Found(path, here + name))

    def archive(self, path: Path, shown: str, depth: int) -> None:
        """Unpack the archive ``path`` (``shown``: its place in what arrived, '' for what arrived)
        into the scratch folder, and search it."""
        kind = archive_suffix(path.name).lstrip(".")
        at = f" {_printable(shown)}" if shown else ""
        if depth > MAX_NESTING:
            raise IntakeError(f"unsafe {kind}{at}: archives nested more than {MAX_NESTING} deep")
        if self.scratch is None:
            self.scratch = Path(tempfile.mkdtemp(prefix="autograder-intake-"))
        self.archives += 1
        into = self.scratch / str(self.archives)
        into.mkdir()
        try:
            if kind == "zip":
                self._unzip(path, into, kind, at)
            else:
                self._untar(path, into, kind, at)
        except IntakeError:
            raise
        except (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError, RuntimeError,
                NotImplementedError, ValueError) as exc:  # RuntimeError: an encrypted zip member
            raise IntakeError(f"unreadable {kind}{at}: {_printable(str(exc)) or type(exc).__name__}") from None
        self.folder(into, shown + "/" if shown else "", depth)

    def _member(self, name: str, kind: str, at: str) -> PurePosixPath | None:
        """The safe relative path of an archive member (None: a member of a folder passed over,
        such as a venv's links, never unpacked)."""
        name = name.replace("\\", "/")  # some Windows tools write backslashes
        path = PurePosixPath(name)
        if name.startswith("/") or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
            raise IntakeError(f"unsafe {kind}{at}: {_printable(name)} lies outside the archive's folder")
        if any(passed_over(part) for part in path.parts[:-1]):
            return None
        return path

    def _take(self, members: int, size: int, kind: str, at: str) -> None:
        self.unpacked_members += members
        self.unpacked_bytes += size
        if self.unpacked_members > MAX_MEMBERS:
            raise IntakeError(f"unsafe {kind}{at}: more than {MAX_MEMBERS} files to unpack")
        if self.unpacked_bytes > MAX_UNPACKED:
            raise IntakeError(f"unsafe {kind}{at}: it unpacks to more than {MAX_UNPACKED // 2**20} MiB")

    def _write(self, source, target: Path, kind: str, at: str) -> None:
        """Copy an open member to ``target``, counting what it really unpacks to."""
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            while chunk := source.read(2**20):
                self._take(0, len(chunk), kind, at)
                out.write(chunk)

    def _unzip(self, archive: Path, into: Path, kind: str, at: str) -> None:
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                path = self._member(info.filename, kind, at)
                if path is None:
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise IntakeError(f"unsafe {kind}{at}: {_printable(info.filename)} is a link")
                if info.is_dir() or not path.parts:
                    continue
                self._take(1, 0, kind, at)
                with z.open(info) as source:
                    self._write(source, into.joinpath(*path.parts), kind, at)

    def _untar(self, archive: Path, into: Path, kind: str, at: str) -> None:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                path = self._member(member.name, kind, at)
                if path is None:
                    continue
                if member.issym() or member.islnk():
                    raise IntakeError(f"unsafe {kind}{at}: {_printable(member.name)} is a link "
                                      f"(to {_printable(member.linkname)})")
                if member.isdev():
                    raise IntakeError(f"unsafe {kind}{at}: {_printable(member.name)} is a device")
                if not member.isfile() or not path.parts:
                    continue
                self._take(1, 0, kind, at)
                self._write(tar.extractfile(member), into.joinpath(*path.parts), kind, at)


def _platform_name(name: str) -> re.Pattern:
    """The names platforms make of the student file ``name``: Canvas's prefix
    (``<student>_[LATE_]<user id>_<submission id>_``), a resubmission's ``-1``, a browser's ``(1)``."""
    stem, suffix = os.path.splitext(name)
    return re.compile(rf"(?:.+_(?:LATE_)?\d+_\d+_)?{re.escape(stem)}(?:-\d+| ?\(\d+\))?{re.escape(suffix)}",
                      re.IGNORECASE)


def _one_copy(name: str, copies: list[_Found], weight: dict[str, int]) -> _Found:
    """The copy of ``name`` to grade; two different copies are an IntakeError naming them. Of
    identical copies, the one whose folder holds the most student files, then the shallowest."""
    distinct = {}
    for copy in sorted(copies, key=lambda c: c.shown):
        distinct.setdefault(copy.digest(), copy)
    if len(distinct) > 1:
        shown = [_printable(c.shown) for c in distinct.values()]
        count = "two" if len(shown) == 2 else str(len(shown))
        raise IntakeError(f"{count} different copies of {name}: {listing(shown)}")
    return min(copies, key=lambda c: (-weight[str(PurePosixPath(c.shown).parent)], c.shown.count("/"), c.shown))


def definitions(source: str) -> set[str]:
    """The names of a module's top-level functions and classes (read, never run)."""
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):  # still tell which file it is: its def and class lines
        return set(re.findall(r"^(?:async\s+def|def|class)\s+(\w+)", source, re.MULTILINE))
    return {node.name for node in body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def identify(path: Path, problemset: ProblemSet) -> str:
    """The student file a lone .py file is, by the skeletons' top-level functions and classes it
    defines (the largest share of a skeleton's); an IntakeError when none or more than one is best."""
    files = problemset.student_files
    defined = definitions(path.read_text(encoding="utf-8", errors="replace"))
    shares = {}
    for name in files:
        skeleton = problemset.skeletons / name
        expected = definitions(skeleton.read_text(encoding="utf-8")) if skeleton.is_file() else set()
        if expected:
            shares[name] = len(defined & expected) / len(expected)
    best = max(shares.values(), default=0.0)
    winners = [name for name, share in shares.items() if share == best]
    shown = _printable(path.name)
    if best == 0:
        raise IntakeError(f"{shown} is none of the student files ({', '.join(files)}): it defines none of "
                          "their functions or classes")
    if len(winners) > 1:
        raise IntakeError(f"{shown} is none of the student files by name, and what it defines fits "
                          f"{listing(winners)} equally well")
    return winners[0]


def _what_is_there(search: _Search, arrived: Path) -> str:
    names = [_printable(f.shown) for f in search.files]
    if not names:
        return "it holds no file" + (" (hidden files and folders like __MACOSX are passed over)"
                                     if arrived.is_dir() and any(arrived.iterdir()) else "")
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return f"it holds {len(names)} file{'s' if len(names) > 1 else ''}: {', '.join(names[:SHOWN])}{more}"


def find(problemset: ProblemSet, arrived: Path, name: str | None = None) -> Submission:
    """The student files in ``arrived`` (a folder, an archive or a .py file), ``name`` in messages
    (default: its path); an IntakeError (one line) when none can be graded. Call ``close()`` on
    the result when done with its files."""
    files = problemset.student_files
    shown_arrived = _printable(name or str(arrived))
    if not arrived.exists():
        raise IntakeError(f"{shown_arrived} does not exist")
    search = _Search()
    try:
        lone = arrived.is_file() and not archive_suffix(arrived.name)
        if arrived.is_dir():
            search.folder(arrived, "", 0)
        elif archive_suffix(arrived.name) and arrived.is_file():
            search.archive(arrived, "", 1)
        elif lone and arrived.suffix.lower() == ".py":
            search.files.append(_Found(arrived, arrived.name))
        else:
            suffix = "".join(arrived.suffixes[-1:])
            what = f"a {suffix} file" if suffix and arrived.is_file() else "a file without a suffix" \
                if arrived.is_file() else "neither a file nor a folder"
            raise IntakeError(f"not a submission: {_printable(arrived.name)} is {what}, not a folder, "
                              "an archive (.zip, .tar, .tar.gz, .tgz) or a .py file")
        chosen = _choose(search.files, files)
        if not chosen and lone and arrived.name in problemset.provided_files:
            raise IntakeError(f"{arrived.name} is a provided file, not a student file ({', '.join(files)}): "
                              "graded code always gets the course's own copy of it")
        if not chosen and lone:
            chosen = {identify(arrived, problemset): search.files[0]}
        if not chosen:
            raise IntakeError(f"{shown_arrived} holds none of the student files ({', '.join(files)}) at any "
                              f"depth, nor in an archive; {_what_is_there(search, arrived)}")
    except BaseException:
        if search.scratch is not None:
            shutil.rmtree(search.scratch, ignore_errors=True)
        raise
    folders = [] if lone else list(dict.fromkeys(found.path.parent for found in chosen.values()))
    return Submission(arrived, {n: f.path for n, f in sorted(chosen.items())},
                      {n: f.shown for n, f in sorted(chosen.items())}, folders, search.scratch)


def _choose(found: list[_Found], files: list[str]) -> dict[str, _Found]:
    """Each student file's copy: by its own name, else by a platform's name for it."""
    exact = {name: [f for f in found if f.name == name] for name in files}
    weight: dict[str, int] = {}
    for name, copies in exact.items():
        for folder in {str(PurePosixPath(c.shown).parent) for c in copies}:
            weight[folder] = weight.get(folder, 0) + 1
    chosen = {}
    for name in files:
        copies = exact[name]
        if not copies:
            pattern = _platform_name(name)
            copies = [f for f in found if f.name not in files and pattern.fullmatch(f.name)]
        for copy in copies:
            weight.setdefault(str(PurePosixPath(copy.shown).parent), 0)
        if copies:
            chosen[name] = _one_copy(name, copies, weight)
    return chosen
