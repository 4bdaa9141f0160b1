"""Reference data is used only when it matches fixtures/MANIFEST.sha256."""
import hashlib

import pytest
from conftest import ROOT

from autograder import manifest


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


def test_a_changed_reference_file_is_refused(tmp_path, monkeypatch):
    fixtures = tmp_path / "fixtures"
    (fixtures / "ex1").mkdir(parents=True)
    data = fixtures / "ex1" / "x.npz"
    data.write_bytes(b"reference")
    monkeypatch.setattr(manifest, "FIXTURES", fixtures)
    monkeypatch.setattr(manifest, "MANIFEST", fixtures / "MANIFEST.sha256")
    monkeypatch.setattr(manifest, "_entries", None)
    manifest.write()
    assert manifest.verified(data) == data
    data.write_bytes(b"tampered")
    with pytest.raises(pytest.fail.Exception, match="does not match fixtures/MANIFEST.sha256"):
        manifest.verified(data)


def test_an_absent_reference_fails_when_listed_and_is_not_graded_when_never_provided(tmp_path, monkeypatch):
    fixtures = tmp_path / "fixtures"
    (fixtures / "ex1").mkdir(parents=True)
    lost = fixtures / "ex1" / "lost.npz"
    lost.write_bytes(b"reference")
    monkeypatch.setattr(manifest, "FIXTURES", fixtures)
    monkeypatch.setattr(manifest, "MANIFEST", fixtures / "MANIFEST.sha256")
    monkeypatch.setattr(manifest, "_entries", None)
    manifest.write()
    lost.unlink()
    with pytest.raises(pytest.fail.Exception, match="fixtures/ex1/lost.npz is missing, though fixtures/MANIFEST"):
        manifest.verified(lost)
    with pytest.raises(pytest.skip.Exception, match=r"not graded: the course provides no reference data for this "
                                                    r"check \(fixtures/ex1/never.npz\)"):
        manifest.verified(fixtures / "ex1" / "never.npz")
