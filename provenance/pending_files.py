"""Files that appear together with their database rows, or not at all.

A stage writes its signed files into temporary names beside their destinations, then the caller
inserts the rows, then :meth:`PendingFiles.publish` moves every file into place, and only then is the
transaction committed. If anything fails (including Ctrl-C) before the commit, the published files are
removed again and the temporaries deleted, so neither a stray file nor a row without its file remains.

Every file is flushed to disk before it is renamed, and the folders that received the renames are flushed
before :meth:`~PendingFiles.publish` returns, so a power cut after the commit cannot lose a file whose row
was committed. What a hard kill or a power cut *before* the commit can leave behind (published files
without rows, temporaries ``.<name>.<random>.part``) is what ``provenance check`` finds and tidies.

Files are created with mode ``0o666`` filtered by the process umask, as any ordinary program's files are,
so teammates on shared storage can read the deliverables when the umask says they may.

>>> with PendingFiles() as pending:  # doctest: +SKIP
...     pending.add(Path("out/a.png"), b"...")
...     with store.session() as session:
...         session.add(row)
...         pending.publish()      # still inside the transaction: a failed commit unpublishes
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from pathlib import Path
from types import TracebackType

from .errors import AlreadyExistsError, InputFileError

TEMPORARY_SUFFIX = ".part"
# `.<destination name>.<random>.part`; the random part is hex here and was mkstemp's [a-z0-9_] before.
TEMPORARY_NAME = re.compile(r"^\.(?P<destination>.+)\.[A-Za-z0-9_]+\.part$")
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class PendingFiles:
    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []
        self._published: list[Path] = []
        # Folders this batch created: their own entries live in their parents, which must be flushed too.
        self._created_folders: list[Path] = []

    def add(self, destination: Path, data: bytes) -> os.stat_result:
        """Write ``data`` to a temporary file next to ``destination`` (nothing visible yet) and flush it to disk.

        Returns the file's stat, which publishing keeps (a rename preserves size and modification time).
        """
        try:
            # Inside the try: a name too long for the file system (ENAMETOOLONG) fails already here.
            if destination.exists() or any(dest == destination for dest, _ in self._pending):
                raise AlreadyExistsError(f"{destination} already exists; choose another output path")
            self._make_folder(destination.parent)
            temp = _write_new_file(destination, data)
        except OSError as exc:
            raise InputFileError(f"cannot write {destination} ({exc.strerror})") from exc
        self._pending.append((destination, temp))
        return os.stat(temp)

    def publish(self) -> None:
        """Move every pending file to its destination and flush the folders; call it last, inside the transaction."""
        for destination, temp in self._pending:
            if destination.exists():
                raise AlreadyExistsError(f"{destination} appeared meanwhile; nothing was recorded")
            os.replace(temp, destination)
            self._published.append(destination)
        self._pending.clear()
        folders = {destination.parent for destination in self._published}
        folders.update(folder.parent for folder in self._created_folders)
        for folder in sorted(folders):
            try:
                sync_folder(folder)
            except OSError as exc:
                raise InputFileError(f"cannot flush {folder} to disk ({exc.strerror}); nothing was recorded") from exc

    def _make_folder(self, folder: Path) -> None:
        missing = []
        for path in (folder, *folder.parents):
            if path.exists():
                break
            missing.append(path)
        folder.mkdir(parents=True, exist_ok=True)
        self._created_folders.extend(missing)

    def __enter__(self) -> PendingFiles:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for _, temp in self._pending:
            temp.unlink(missing_ok=True)
        if exc_type is not None:
            for destination in self._published:
                destination.unlink(missing_ok=True)
            # The folders this batch made go too, deepest first, if nothing else was put in them meanwhile.
            for folder in sorted(self._created_folders, key=lambda path: len(path.parts), reverse=True):
                with contextlib.suppress(OSError):
                    folder.rmdir()
        self._pending.clear()
        self._published.clear()
        self._created_folders.clear()


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the names renamed or created in it) to disk.

    >>> sync_folder(Path("assets/harbor/C012"))  # doctest: +SKIP
    """
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows cannot open a folder to flush it; NTFS journals its renames itself.
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some network and FUSE file systems cannot flush a folder at all; they say so with these codes.
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    finally:
        os.close(fd)


def _write_new_file(destination: Path, data: bytes) -> Path:
    """A new temporary file beside ``destination`` holding ``data``, flushed to disk.

    Created with mode 0o666 so the kernel applies the umask (and any default ACL of the folder) itself:
    reading the umask from Python would mean setting it, which races with other threads.
    ``tempfile.mkstemp`` would make it 0600, unreadable to the rest of the team.
    """
    while True:
        temp = destination.with_name(f".{destination.name}.{secrets.token_hex(6)}{TEMPORARY_SUFFIX}")
        try:
            fd = os.open(temp, _NEW_FILE_FLAGS, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp
