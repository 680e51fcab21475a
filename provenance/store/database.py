"""Opening the database: any SQLAlchemy URL, SQLite in the project folder by default.

Tables are created in exactly one place, :meth:`Store.create` (``provenance init``). Every other command
opens an existing database with :meth:`Store.open`, which never creates or changes anything: a missing
SQLite file is an error, not a new empty database that would make every file look unrecorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import event, inspect
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine

from ..errors import ProjectError
from . import tables


class Store:
    """A database of records. ``with store.session() as s:`` is one transaction: all or nothing.

    >>> store = Store.create("sqlite://")
    >>> with store.session() as s:
    ...     _ = s.add(tables.Production(handle="hl", title="Harbor Lights"))
    """

    def __init__(self, engine: Engine, url: str = "") -> None:
        self.engine = engine
        self.url = url  # as the user gave it, for messages

    @classmethod
    def create(cls, url: str) -> Store:
        """A new database at ``url`` with every table, or an existing one of this version (idempotent)."""
        store = cls(_engine(_parse(url)), url)
        try:
            SQLModel.metadata.create_all(store.engine)
            with Session(store.engine) as session:
                if session.get(tables.SchemaInfo, 1) is None:
                    session.add(tables.SchemaInfo(version=tables.SCHEMA_VERSION))
                    session.commit()
        except SQLAlchemyError as exc:
            store.close()
            raise ProjectError(f"cannot create the database at {_shown(url)}: {_reason(exc)}") from exc
        store.check_schema(url)
        return store

    @classmethod
    def open(cls, url: str) -> Store:
        """The existing database at ``url``; refuses a missing, damaged or foreign one without touching it."""
        parsed = _parse(url)
        database_file = _sqlite_file(parsed)
        if database_file is not None:
            if not database_file.is_file():
                raise ProjectError(
                    f"the project database {database_file} is missing; restore it from backup "
                    "(nothing was created in its place)"
                )
            # mode=rw: SQLite itself refuses to create the file, whatever happens between the check and here.
            parsed = parsed.set(database=f"file:{quote(str(database_file))}?mode=rw", query={"uri": "true"})
        store = cls(_engine(parsed), url)
        store.check_schema(url)
        return store

    def check_schema(self, url: str) -> None:
        """Refuse a database that is not ours, is damaged, or holds tables of another version."""
        try:
            ours = inspect(self.engine).has_table(tables.SchemaInfo.__tablename__)
            with Session(self.engine) as session:
                info = session.get(tables.SchemaInfo, 1) if ours else None
        except SQLAlchemyError as exc:
            self.close()
            if _busy(exc):
                raise ProjectError(_busy_message(url, exc)) from exc
            raise ProjectError(
                f"the database at {_shown(url)} cannot be read as a provenance database ({_reason(exc)}); "
                "restore it from backup"
            ) from exc
        if info is None:
            self.close()
            raise ProjectError(f"the database at {_shown(url)} holds no provenance records; check the URL")
        if info.version != tables.SCHEMA_VERSION:
            self.close()
            raise ProjectError(
                f"the database has record tables of version {info.version}, this provenance uses "
                f"version {tables.SCHEMA_VERSION}; use the matching provenance release"
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        A database that fails under it (locked by another writer, read-only, full, a table gone) is one
        :class:`ProjectError` line; the transaction is rolled back all the same.
        """
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except SQLAlchemyError as exc:
            if _busy(exc):
                raise ProjectError(_busy_message(self.url, exc)) from exc
            raise ProjectError(
                f"the database at {_shown(self.url)} failed ({_reason(exc)}); if it is read-only or its disk is "
                "full, fix that and run the command again, else restore it from backup"
            ) from exc

    def close(self) -> None:
        self.engine.dispose()


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise ProjectError(f"cannot use database URL {_shown(url)}: {exc}") from exc


def _engine(url: URL) -> Engine:
    try:
        engine = create_engine(url, json_deserializer=_stored_json)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ProjectError(
            f"cannot use database URL {_shown(url.render_as_string())}: {_reason(exc)}; is its driver installed?"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _stored_json(text: str) -> Any:
    """A JSON column's value as stored; text that no longer parses means the database was damaged.

    Every JSON column of :mod:`.tables` holds an object (settings, weight digests): anything else was put
    there by hand or by damage, and would fail far from here.
    """
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ProjectError(
            f"a record in the project database holds damaged JSON ({exc}); restore the database from backup"
        ) from exc
    if not isinstance(value, dict):
        raise ProjectError(
            f"a record in the project database holds JSON {type(value).__name__} where an object belongs; "
            "restore the database from backup"
        )
    return value


def _sqlite_file(url: URL) -> Path | None:
    """The file of a file-backed SQLite URL; None for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):
        return None  # already a SQLite URI; the caller chose its own mode
    return Path(url.database)


def _shown(url: str) -> str:
    """A URL as it may be printed: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def _busy(exc: SQLAlchemyError) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def _busy_message(url: str, exc: SQLAlchemyError) -> str:
    # SQLite's answer once its busy timeout (5 s) has passed: another process holds the write lock.
    return (
        f"the database at {_shown(url)} is busy ({_reason(exc)}): another provenance command is writing to it; "
        "run this one again when it has finished"
    )


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "orig", None) or exc
    return str(reason).splitlines()[0] if str(reason) else type(reason).__name__


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
