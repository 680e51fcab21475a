"""Opening the database: SQLite in the project folder by default, or a studio's shared PostgreSQL.

Tables are created in exactly one place, :meth:`Store.create` (``provenance init``). Every other command
opens an existing database with :meth:`Store.open`, which never creates or changes anything: a missing
SQLite file is an error, not a new empty database that would make every file look unrecorded, and a
database of an older schema is refused with one line that says to run ``provenance db upgrade``.

Many processes write at once (a studio's workstations, parallel ``sketch`` runs):

* SQLite runs in WAL mode (readers never block the writer) and every write transaction starts with
  ``BEGIN IMMEDIATE``: it takes the write lock before it reads, so a check-then-insert (a free handle, a
  candidate not yet selected) cannot race, and a busy database makes it wait (``busy_timeout``) and retry
  a bounded number of times, instead of failing on its first write;
* PostgreSQL runs at READ COMMITTED with its sessions in UTC: unique constraints refuse a duplicate
  handle, and a writer that must see a row stay as it read it locks it with :func:`lock` (one selection
  per candidate, one credit sign-off at a time).

A duplicate that only the database caught (two processes adding the same handle at the same instant) is
an :class:`~provenance.errors.AlreadyExistsError`, never an internal error.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import event, inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine, select

from ..errors import AlreadyExistsError, ProjectError
from . import tables

# How long one attempt waits for SQLite's write lock (unless the URL sets its own `timeout`, in seconds),
# and how many attempts a write transaction makes.
BUSY_TIMEOUT_S = 10.0
BUSY_ATTEMPTS = 6
_BEGIN = "provenance_begin"  # execution option: how a SQLite transaction begins
_Row = TypeVar("_Row", bound=SQLModel)
_SCHEMA_INFO = SQLModel.metadata.tables[tables.SchemaInfo.__tablename__]


class Store:
    """A database of records. ``with store.session() as s:`` is one transaction: all or nothing.

    >>> store = Store.create("sqlite://")
    >>> with store.session() as s:
    ...     _ = s.add(tables.Production(handle="hl", title="Harbor Lights"))
    """

    def __init__(self, engine: Engine, url: str, busy_timeout_s: float) -> None:
        self.engine = engine
        self.url = url
        self._busy_timeout_s = busy_timeout_s
        self._writer = engine.execution_options(**{_BEGIN: "BEGIN IMMEDIATE"})

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql`` (or another SQLAlchemy dialect's name)."""
        return self.engine.dialect.name

    @property
    def shown_url(self) -> str:
        """The URL as it may be printed: without its password."""
        return _shown(self.url)

    @classmethod
    def create(cls, url: str) -> Store:
        """A new database at ``url`` with every table of this version, stamped for migrations.

        An existing provenance database is refused: ``init`` never adopts records it did not make.
        """
        parsed = _parse(url)
        busy_timeout_s = _busy_timeout(parsed)
        store = cls(_engine(parsed, busy_timeout_s), url, busy_timeout_s)
        try:
            if inspect(store.engine).has_table(tables.SchemaInfo.__tablename__):
                store.close()
                raise ProjectError(
                    f"the database at {_shown(url)} already holds provenance records; join that project "
                    "instead (see the README's studio set-up), or give an empty database"
                )
            with store.engine.begin() as connection:
                SQLModel.metadata.create_all(connection)
                connection.execute(_SCHEMA_INFO.insert().values(id=1, version=tables.SCHEMA_VERSION))
                from .migrations import stamp  # Alembic loads only here and in `provenance db`

                stamp(connection, "head")
            store.use_write_ahead_log()
        except SQLAlchemyError as exc:
            store.close()
            raise ProjectError(f"cannot create the database at {_shown(url)}: {_reason(exc)}") from exc
        store.check_schema()
        return store

    @classmethod
    def open(cls, url: str, *, any_version: bool = False) -> Store:
        """The existing database at ``url``; refuses a missing, damaged or foreign one without touching it.

        ``any_version`` opens a database of another schema version too (for ``provenance db``).
        """
        parsed = _parse(url)
        busy_timeout_s = _busy_timeout(parsed)  # read before the URL is rewritten below
        database_file = _sqlite_file(parsed)
        if database_file is not None:
            if not database_file.is_file():
                raise ProjectError(
                    f"the project database {database_file} is missing; restore it from backup "
                    "(nothing was created in its place)"
                )
            # mode=rw: SQLite itself refuses to create the file, whatever happens between the check and here.
            parsed = parsed.set(database=f"file:{quote(str(database_file))}?mode=rw", query={"uri": "true"})
        store = cls(_engine(parsed, busy_timeout_s), url, busy_timeout_s)
        version = store.schema_version()
        if not any_version:
            try:
                check_version(version)
            except ProjectError:
                store.close()
                raise
        return store

    def schema_version(self) -> int:
        """The version ``schema_info`` records; refuses a database that is not ours or is damaged."""
        try:
            ours = inspect(self.engine).has_table(tables.SchemaInfo.__tablename__)
            with self.engine.connect() as connection:
                query = select(_SCHEMA_INFO.c.version).where(_SCHEMA_INFO.c.id == 1)
                version = connection.execute(query).scalar() if ours else None
        except OperationalError as exc:
            self.close()
            if self.dialect != "sqlite":
                raise ProjectError(
                    f"cannot reach the database at {self.shown_url} ({_reason(exc)}); check that the server "
                    "runs and the URL, user and password (~/.pgpass, PGPASSWORD) are right"
                ) from exc
            if _cannot_write(exc):  # SQLite writes its -shm/-wal files even to read: a full disk, a read-only folder
                _raise_readable(exc, self.shown_url, self._busy_timeout_s)
            raise ProjectError(
                f"the database at {self.shown_url} cannot be read as a provenance database ({_reason(exc)}); "
                "restore it from backup"
            ) from exc
        except SQLAlchemyError as exc:
            self.close()
            raise ProjectError(
                f"the database at {self.shown_url} cannot be read as a provenance database ({_reason(exc)}); "
                "restore it from backup"
            ) from exc
        if version is None:
            self.close()
            raise ProjectError(f"the database at {self.shown_url} holds no provenance records; check the URL")
        return int(version)

    def check_schema(self) -> None:
        """Refuse a database that is not ours, is damaged, or holds tables of another version."""
        try:
            check_version(self.schema_version())
        except ProjectError:
            self.close()
            raise

    def use_write_ahead_log(self) -> None:
        """SQLite: switch the database file to WAL (kept in the file); other databases: nothing."""
        if self.dialect != "sqlite":
            return
        # Outside any transaction (SQLite refuses the switch inside one): the pool's raw connection.
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
        finally:
            raw.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        On SQLite it holds the write lock from its first statement, waiting its turn when another process
        writes; on PostgreSQL rows it must keep unchanged are locked with :func:`lock`.
        """
        with Session(self._writer, expire_on_commit=False) as session:
            try:
                _begin(session)
                yield session
                session.commit()
            except BaseException as exc:
                session.rollback()
                _raise_readable(exc, self.shown_url, self._busy_timeout_s)
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction: never waits for writers (SQLite WAL, PostgreSQL MVCC), rolled back at the end.

        >>> with store.reading() as s:  # doctest: +SKIP
        ...     s.exec(select(tables.Asset)).all()
        """
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except SQLAlchemyError as exc:
                _raise_readable(exc, self.shown_url, self._busy_timeout_s)
                raise
            finally:
                # Detached first, so the rows read stay loaded (a rollback would expire them).
                session.expunge_all()
                session.rollback()

    def close(self) -> None:
        self.engine.dispose()


def check_version(version: int) -> None:
    """Refuse a schema version other than this release's, in one line that says what to do."""
    if version < tables.SCHEMA_VERSION:
        raise ProjectError(
            f"the database holds record tables of version {version}, this provenance uses version "
            f"{tables.SCHEMA_VERSION}; run `provenance db upgrade` (back the database up first)"
        )
    if version > tables.SCHEMA_VERSION:
        raise ProjectError(
            f"the database holds record tables of version {version}, newer than this provenance's "
            f"{tables.SCHEMA_VERSION}; install the provenance release the studio uses"
        )


def lock(session: Session, table: type[SQLModel], row_id: int) -> None:
    """Hold a row until the transaction ends: another writer that locks it waits for this one.

    PostgreSQL's ``SELECT ... FOR UPDATE``; on SQLite every write transaction holds the database's one write
    lock already, so this reads the row again and changes nothing.

    >>> lock(session, Asset, candidate.id)  # doctest: +SKIP
    """
    key = inspect(table).primary_key[0]
    session.exec(select(table).where(key == row_id).with_for_update()).first()


def insert_once(session: Session, table: type[_Row], identity: Any, row: _Row) -> _Row:
    """Insert ``row``, or return the row another process inserted meanwhile with the same ``identity``.

    For rows that many writers may add at once (the weights of a model every workstation uses): a savepoint
    takes the unique constraint's refusal, and the other process's committed row is read instead.

    >>> insert_once(session, AIModel, AIModel.fingerprint == digest, AIModel(...))  # doctest: +SKIP
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = session.exec(select(table).where(identity)).first()
        if existing is None:
            raise
        return existing
    return row


def _begin(session: Session) -> None:
    """Start the transaction now, retrying a busy SQLite a bounded number of times."""
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            session.connection()
            return
        except OperationalError as exc:
            if not _is_busy(exc) or attempt == BUSY_ATTEMPTS:
                raise
            session.rollback()
            time.sleep(random.uniform(0.05, 0.25) * attempt)


def _raise_readable(exc: BaseException, shown_url: str, busy_timeout_s: float) -> None:
    """Turn what a database can do under a command into one line a user can act on; other errors pass.

    A concurrent writer: a duplicate, or a lock held too long. The database itself: read-only, a full
    disk, a table gone (the transaction is rolled back all the same).
    """
    if isinstance(exc, IntegrityError):
        raise AlreadyExistsError(
            f"another process recorded the same thing meanwhile ({_duplicate(exc)}); nothing was written, "
            "look it up or pick another name"
        ) from exc
    if isinstance(exc, OperationalError) and _is_busy(exc):
        waited = round(busy_timeout_s * BUSY_ATTEMPTS)
        raise ProjectError(
            f"the database at {shown_url} is busy ({_reason(exc)}): another provenance command is writing to it "
            f"and held it over {waited} s; nothing was written, run this one again when it has finished"
        ) from exc
    if isinstance(exc, SQLAlchemyError):
        raise ProjectError(
            f"the database at {shown_url} failed ({_reason(exc)}); if it is read-only or its disk is full, fix "
            "that and run the command again, else restore it from backup"
        ) from exc


def _cannot_write(exc: OperationalError) -> bool:
    return any(sign in str(exc.orig) for sign in ("disk I/O error", "readonly", "disk is full"))


def _is_busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def _duplicate(exc: IntegrityError) -> str:
    """What was duplicated: PostgreSQL's DETAIL line (``Key (handle)=(x) already exists.``), else the reason."""
    detail = getattr(getattr(exc.orig, "diag", None), "message_detail", None)
    return str(detail).rstrip(".") if detail else _reason(exc)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise ProjectError(f"cannot use database URL {_shown(url)}: {exc}") from exc


def _busy_timeout(url: URL) -> float:
    """Seconds one attempt waits for SQLite's write lock: the URL's own ``timeout`` where it sets one."""
    given = url.query.get("timeout") if url.get_backend_name() == "sqlite" else None
    if given is None:
        return BUSY_TIMEOUT_S
    try:
        seconds = float(given) if isinstance(given, str) else -1.0  # given twice: the driver would fail on it
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 86400:
        shown = _shown(url.render_as_string())
        raise ProjectError(f"cannot use database URL {shown}: its timeout must be seconds, given once, below a day")
    return seconds


def _engine(url: URL, busy_timeout_s: float) -> Engine:
    options: dict[str, Any] = {"json_deserializer": tables.stored_json}
    if url.get_backend_name() == "postgresql":
        # Times are compared with what manifests signed: the session must not shift them to a local zone.
        options["connect_args"] = {"options": "-c timezone=UTC"}
    elif url.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": busy_timeout_s}
    try:
        engine = create_engine(url, **options)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        shown = _shown(url.render_as_string())
        raise ProjectError(f"cannot use database URL {shown}: {_driver_hint(url, exc)}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", functools.partial(_sqlite_connect, busy_timeout_s=busy_timeout_s))
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _driver_hint(url: URL, exc: BaseException) -> str:
    if url.get_backend_name() == "postgresql":
        return (
            f"{_reason(exc)}; install the PostgreSQL driver with `pip install 'provenance[postgres]'` "
            "and use a postgresql+psycopg:// URL"
        )
    return f"{_reason(exc)}; is its driver installed?"


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


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "orig", None) or exc
    return str(reason).splitlines()[0] if str(reason) else type(reason).__name__


def _sqlite_connect(dbapi_connection: Any, _record: Any, *, busy_timeout_s: float) -> None:
    # pysqlite's own transaction handling would BEGIN (deferred) only at the first write, after the reads
    # that decided it; _sqlite_begin starts every transaction itself instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN, "BEGIN"))
