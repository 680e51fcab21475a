"""Files that appear with their rows or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.errors import AlreadyExistsError
from provenance.pending_files import PendingFiles


def test_nothing_is_visible_until_published(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.png"
    with PendingFiles() as pending:
        pending.add(target, b"data")
        assert not target.exists()
        pending.publish()
    assert target.read_bytes() == b"data"
    assert [p.name for p in target.parent.iterdir()] == ["a.png"]


def test_a_failure_after_publishing_removes_everything(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), PendingFiles() as pending:
        pending.add(tmp_path / "a.png", b"1")
        pending.add(tmp_path / "b.png", b"2")
        pending.publish()
        raise RuntimeError("commit failed")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_before_publishing_leaves_no_temporaries(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), PendingFiles() as pending:
        pending.add(tmp_path / "a.png", b"1")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"old")
    with PendingFiles() as pending, pytest.raises(AlreadyExistsError):
        pending.add(tmp_path / "a.png", b"new")
    assert (tmp_path / "a.png").read_bytes() == b"old"
