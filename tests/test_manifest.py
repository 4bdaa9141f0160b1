"""Reference data is used only when it matches fixtures/MANIFEST.sha256."""
import hashlib

import pytest
from conftest import ROOT

from autograder.core import manifest


def test_the_manifest_lists_every_reference_file_with_its_digest():
    listed = {}
    for line in (ROOT / "fixtures" / "MANIFEST.sha256").read_text().splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    files = {p.relative_to(ROOT / "fixtures").as_posix(): p for p in (ROOT / "fixtures").rglob("*")
             if p.is_file() and p.name != "MANIFEST.sha256"}
    assert set(listed) == set(files)
    for name, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[name], name


def test_a_changed_reference_file_is_refused(tmp_path):
    fixtures = tmp_path / "fixtures"
    (fixtures / "ex1").mkdir(parents=True)
    data = fixtures / "ex1" / "x.npz"
    data.write_bytes(b"reference")
    manifest.write(fixtures)
    assert manifest.verified(data, fixtures) == data
    data.write_bytes(b"tampered")
    with pytest.raises(pytest.fail.Exception, match="does not match fixtures/MANIFEST.sha256"):
        manifest.verified(data, fixtures)


def test_an_absent_reference_fails_when_listed_and_is_not_graded_when_never_provided(tmp_path):
    fixtures = tmp_path / "fixtures"
    (fixtures / "ex1").mkdir(parents=True)
    lost = fixtures / "ex1" / "lost.npz"
    lost.write_bytes(b"reference")
    manifest.write(fixtures)
    lost.unlink()
    with pytest.raises(pytest.fail.Exception, match="fixtures/ex1/lost.npz is missing, though fixtures/MANIFEST"):
        manifest.verified(lost, fixtures)
    with pytest.raises(pytest.skip.Exception, match=r"not graded: the course provides no reference data for this "
                                                    r"check \(fixtures/ex1/never.npz\)"):
        manifest.verified(fixtures / "ex1" / "never.npz", fixtures)
