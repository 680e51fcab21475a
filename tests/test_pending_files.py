"""Files that appear with their rows or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from provenance.errors import AlreadyExistsError
from provenance.pending_files import TEMPORARY_NAME, PendingFiles


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


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)], ids=["umask-022", "umask-002"])
def test_files_are_readable_as_the_umask_allows(tmp_path: Path, umask: int, mode: int) -> None:
    """Teammates on shared storage read the deliverables: mode 0o666 less the umask, not mkstemp's 0o600."""
    previous = os.umask(umask)
    try:
        with PendingFiles() as pending:
            pending.add(tmp_path / "assets" / "a.png", b"data")
            pending.publish()
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "assets" / "a.png").stat().st_mode) == mode


def test_temporaries_are_named_so_that_check_finds_them(tmp_path: Path) -> None:
    with PendingFiles() as pending:
        pending.add(tmp_path / "C012_sketch.png", b"data")
        (temporary,) = list(tmp_path.iterdir())
        match = TEMPORARY_NAME.match(temporary.name)
        assert match is not None and match["destination"] == "C012_sketch.png"


def test_files_then_their_folders_reach_the_disk_before_publish_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file is flushed before its rename; every folder that got a new name is flushed after the renames."""
    (tmp_path / "assets").mkdir()
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(source: str | Path, destination: str | Path) -> None:
        events.append(("replace", str(destination)))
        real_replace(source, destination)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    new_folder = tmp_path / "assets" / "harbor" / "C012"
    with PendingFiles() as pending:
        pending.add(new_folder / "a.png", b"1")
        pending.add(new_folder / "b.png", b"2")
        temporaries = [path for _, path in events]
        pending.publish()

    assert len(temporaries) == 2 and all(Path(path).name.endswith(".part") for path in temporaries)
    last_rename = max(index for index, (kind, _) in enumerate(events) if kind == "replace")
    flushed_after = {path for kind, path in events[last_rename:] if kind == "fsync"}
    # The new folders' own names live in their parents: harbor/ in assets/, C012/ in harbor/.
    assert flushed_after == {str(new_folder), str(new_folder.parent), str(tmp_path / "assets")}
    assert [kind for kind, _ in events[: last_rename + 1]] == ["fsync", "fsync", "replace", "replace"]
