"""Files that appear together with their database rows, or not at all.

A stage writes its signed files into temporary names beside their destinations, then the caller
inserts the rows, then :meth:`PendingFiles.publish` moves every file into place, and only then is the
transaction committed. If anything fails (including Ctrl-C) before the commit, the published files are
removed again and the temporaries deleted, so neither a stray file nor a row without its file remains.

>>> with PendingFiles() as pending:  # doctest: +SKIP
...     pending.add(Path("out/a.png"), b"...")
...     with store.session() as session:
...         session.add(row)
...         pending.publish()      # still inside the transaction: a failed commit unpublishes
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType

from .errors import AlreadyExistsError, InputFileError


class PendingFiles:
    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []
        self._published: list[Path] = []
        self._done = False

    def add(self, destination: Path, data: bytes) -> os.stat_result:
        """Write ``data`` to a temporary file next to ``destination`` (nothing visible yet).

        Returns the file's stat, which publishing keeps (a rename preserves size and modification time).
        """
        if destination.exists() or any(dest == destination for dest, _ in self._pending):
            raise AlreadyExistsError(f"{destination} already exists; choose another output path")
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise InputFileError(f"cannot write {destination} ({exc.strerror})") from None
        self._pending.append((destination, Path(temp_name)))
        return os.stat(temp_name)

    def publish(self) -> None:
        """Move every pending file to its destination; call it last, inside the transaction."""
        for destination, temp in self._pending:
            if destination.exists():
                raise AlreadyExistsError(f"{destination} appeared meanwhile; nothing was recorded")
            os.replace(temp, destination)
            self._published.append(destination)
        self._pending.clear()

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
        self._pending.clear()
        self._published.clear()
