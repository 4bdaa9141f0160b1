"""fixtures/MANIFEST.sha256: the digest of every reference file, checked before it is used.

The pytest process reads reference data only through :func:`verified`, so a reference file
changed by anything but the regeneration command fails the tests that use it. A reference file
that is absent is either lost (the manifest lists it: the test fails) or was never provided by
the course (the test is skipped, not graded: a missing reference never costs a correct
submission points; ``python -m autograder.tools.selfcheck`` lists such checks for the tutor).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


NAME = "MANIFEST.sha256"  # in a problem set's fixtures/ folder
NOT_PROVIDED = "not graded: the course provides no reference data for this check"
_entries: dict[Path, dict[str, str]] = {}  # fixtures folder -> {file: digest}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed(fixtures: Path) -> dict[str, str]:
    """{file relative to ``fixtures``: its digest}, as the manifest lists them."""
    fixtures = fixtures.resolve()
    if fixtures not in _entries:
        _entries[fixtures] = {}
        if (fixtures / NAME).is_file():
            for line in (fixtures / NAME).read_text().splitlines():
                digest, _, name = line.partition("  ")
                _entries[fixtures][name] = digest
    return _entries[fixtures]


def verified(path: Path, fixtures: Path) -> Path:
    """``path`` (a file under ``fixtures``) after checking its digest against the manifest; an
    absent file fails the test when the manifest lists it, and skips it (not graded) when not."""
    name = path.resolve().relative_to(fixtures.resolve()).as_posix()
    if not path.is_file():
        if name in listed(fixtures):
            pytest.fail(f"reference data fixtures/{name} is missing, though fixtures/{NAME} lists it: "
                        "this copy of the autograder is incomplete", pytrace=False)
        pytest.skip(f"{NOT_PROVIDED} (fixtures/{name})")
    if listed(fixtures).get(name) != _digest(path):
        pytest.fail(f"reference data fixtures/{name} does not match fixtures/{NAME}; "
                    "regenerate with: pytest --target=solutions --regen-all", pytrace=False)
    return path


def write(fixtures: Path) -> None:
    """Record every file under ``fixtures`` (run after regenerating)."""
    manifest = fixtures / NAME
    files = sorted(p for p in fixtures.rglob("*") if p.is_file() and p != manifest and ".obtained" not in p.name)
    manifest.write_text("".join(f"{_digest(p)}  {p.relative_to(fixtures).as_posix()}\n" for p in files))
    _entries.pop(fixtures.resolve(), None)
