"""fixtures/MANIFEST.sha256: the digest of every reference file, checked before it is used.

The pytest process reads reference data only through :func:`verified`, so a reference file
changed by anything but the regeneration command fails the tests that use it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from autograder import checks
from autograder.exercises import FIXTURES

MANIFEST = FIXTURES / "MANIFEST.sha256"
_entries: dict[str, str] | None = None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verified(path: Path) -> Path:
    """``path`` (a file under fixtures/) after checking its digest against the manifest."""
    global _entries
    if _entries is None:
        _entries = {}
        if MANIFEST.is_file():
            for line in MANIFEST.read_text().splitlines():
                digest, _, name = line.partition("  ")
                _entries[name] = digest
    name = path.resolve().relative_to(FIXTURES.resolve()).as_posix()
    if _entries.get(name) != _digest(path):
        checks.fail(f"reference data fixtures/{name} does not match fixtures/MANIFEST.sha256; "
                    "regenerate with: pytest --target=solutions --regen-all")
    return path


def write() -> None:
    """Record every file under fixtures/ (run after regenerating)."""
    global _entries
    files = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p != MANIFEST and ".obtained" not in p.name)
    MANIFEST.write_text("".join(f"{_digest(p)}  {p.relative_to(FIXTURES).as_posix()}\n" for p in files))
    _entries = None
