"""fixtures/MANIFEST.sha256: the digest of every reference file, checked before it is used.

The pytest process reads reference data only through :func:`verified`, so a reference file
changed by anything but the regeneration command fails the tests that use it. A reference file
that is absent is either lost (the manifest lists it: the test fails) or was never provided by
the course (the test is skipped, not graded: a missing reference never costs a correct
submission points; ``python -m autograder.check`` lists such checks for the tutor).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from autograder import checks
from autograder.exercises import FIXTURES

MANIFEST = FIXTURES / "MANIFEST.sha256"
_entries: dict[str, str] | None = None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


NOT_PROVIDED = "not graded: the course provides no reference data for this check"


def _listed() -> dict[str, str]:
    global _entries
    if _entries is None:
        _entries = {}
        if MANIFEST.is_file():
            for line in MANIFEST.read_text().splitlines():
                digest, _, name = line.partition("  ")
                _entries[name] = digest
    return _entries


def verified(path: Path) -> Path:
    """``path`` (a file under fixtures/) after checking its digest against the manifest; an absent
    file fails the test when the manifest lists it, and skips it (not graded) when it does not."""
    name = path.resolve().relative_to(FIXTURES.resolve()).as_posix()
    if not path.is_file():
        if name in _listed():
            checks.fail(f"reference data fixtures/{name} is missing, though fixtures/MANIFEST.sha256 lists it: "
                        "this copy of the autograder is incomplete")
        pytest.skip(f"{NOT_PROVIDED} (fixtures/{name})")
    if _listed().get(name) != _digest(path):
        checks.fail(f"reference data fixtures/{name} does not match fixtures/MANIFEST.sha256; "
                    "regenerate with: pytest --target=solutions --regen-all")
    return path


def write() -> None:
    """Record every file under fixtures/ (run after regenerating)."""
    global _entries
    files = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p != MANIFEST and ".obtained" not in p.name)
    MANIFEST.write_text("".join(f"{_digest(p)}  {p.relative_to(FIXTURES).as_posix()}\n" for p in files))
    _entries = None
