"""Opening the database: any SQLAlchemy URL, SQLite in the project folder by default."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from ..errors import ProjectError
from . import tables  # noqa: F401  (registers the tables on SQLModel.metadata)


class Store:
    """A database of records. ``with store.session() as s:`` is one transaction: all or nothing.

    >>> store = Store.open("sqlite://")
    >>> with store.session() as s:
    ...     _ = s.add(tables.Production(handle="hl", title="Harbor Lights"))
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, create: bool = False) -> Store:
        try:
            engine = create_engine(url)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise ProjectError(f"cannot use database URL {url!r}: {exc}") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        if create:
            store.create_tables()
        return store

    def create_tables(self) -> None:
        """Create missing tables, and refuse a database made for another version of the tables."""
        try:
            SQLModel.metadata.create_all(self.engine)
            with Session(self.engine) as session:
                info = session.get(tables.SchemaInfo, 1)
                if info is None:
                    session.add(tables.SchemaInfo(version=tables.SCHEMA_VERSION))
                    session.commit()
                elif info.version != tables.SCHEMA_VERSION:
                    raise ProjectError(
                        f"the database has record tables of version {info.version}, this provenance uses "
                        f"version {tables.SCHEMA_VERSION}; use the matching provenance release"
                    )
        except OperationalError as exc:
            raise ProjectError(f"cannot open the database: {exc.orig}") from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
