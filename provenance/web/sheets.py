"""Credit sheets for the pages and the API, built once per change of the database.

A season's sheet gathers every contribution of 3,600 backgrounds: most of a second. The sheet depends on
the rows alone, so it is kept until the database changes: for SQLite, whose file (and write-ahead log)
changes size or time at every commit, that is known exactly; for a database server, a sheet is kept for
``max_age`` seconds.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..credits import CreditSheet, credit_sheet
from ..project import Project

_Stamp = tuple[tuple[int, ...] | None, ...]


def database_stamp(project: Project) -> _Stamp | None:
    """What changes at every SQLite commit: the file's change counter (bytes 24-27 of its header, counted up
    at each commit outside WAL mode), and the size and time of the file and its logs. None for other
    databases."""
    url = project.store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    # The store opens existing files as SQLite URIs (file:PATH?mode=rw) so that it never creates one.
    name = unquote(urlsplit(url.database).path) if url.database.startswith("file:") else url.database
    database = Path(name)
    stamp: list[tuple[int, ...] | None] = []
    try:
        with database.open("rb") as file:
            stamp.append((int.from_bytes(file.read(100)[24:28], "big"),))
    except OSError:
        stamp.append(None)
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-journal")):
        try:
            status = path.stat()
        except FileNotFoundError:
            stamp.append(None)
        else:
            stamp.append((status.st_size, status.st_mtime_ns))
    return tuple(stamp)


class SheetCache:
    def __init__(self, project: Project, *, max_age: float = 10.0) -> None:
        self.project = project
        self.max_age = max_age
        self._sheets: dict[tuple[str, str | None], tuple[_Stamp | None, float, CreditSheet]] = {}
        self._lock = threading.Lock()

    def sheet(self, production: str, *, background: str | None = None, allow_gaps: bool = False) -> CreditSheet:
        """What :func:`~provenance.credits.credit_sheet` returns for the same arguments, errors included."""
        key = (production, background)
        stamp = database_stamp(self.project)
        with self._lock:
            cached = self._sheets.get(key)
        fresh = cached is not None and (
            cached[0] == stamp if stamp is not None else time.monotonic() - cached[1] < self.max_age
        )
        if cached is not None and fresh:
            sheet = cached[2]
        else:
            sheet = credit_sheet(self.project, production, background=background, allow_gaps=True)
            with self._lock:
                self._sheets[key] = (stamp, time.monotonic(), sheet)
        if sheet.gaps and not allow_gaps:
            # A sheet with gaps is refused: let the library say so, in its own words.
            return credit_sheet(self.project, production, background=background, allow_gaps=False)
        return sheet
