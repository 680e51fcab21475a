"""Which schema version a database holds, and taking it to this release's: ``provenance db``.

Alembic runs the revisions in ``migrations/versions``; ``schema_info.version`` says the same thing in one
integer that every command checks without loading Alembic. A database that provenance 0.1 wrote (version
2) has no ``alembic_version`` table: it is stamped ``v2`` first, then upgraded like any other.

>>> upgrade(store)  # doctest: +SKIP
SchemaStatus(version=3, revision='v3', current=3, head='v3')
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ProjectError
from . import tables
from .database import Store, _reason
from .migrations import config, head_revision, stamp

# The revision of each schema version before Alembic: databases of that version carry no revision.
_UNSTAMPED = {2: "v2"}


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database stands: its version and revision, and this release's."""

    version: int
    revision: str | None
    current: int
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.version == self.current and self.revision == self.head


def status(store: Store) -> SchemaStatus:
    """The database's schema version and Alembic revision, beside this release's."""
    version = store.schema_version()
    with store.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(version=version, revision=revision, current=tables.SCHEMA_VERSION, head=head_revision())


def upgrade(store: Store) -> tuple[SchemaStatus, SchemaStatus]:
    """Take the database to this release's schema in one transaction; (before, after). Twice is a no-op."""
    before = status(store)
    if before.version > before.current:
        raise ProjectError(
            f"the database holds record tables of version {before.version}, newer than this provenance's "
            f"{before.current}; install the provenance release the studio uses"
        )
    if before.up_to_date:
        return before, before
    if before.revision is None and before.version not in _UNSTAMPED:
        raise ProjectError(
            f"the database holds record tables of version {before.version}, which no migration starts from; "
            "restore it from backup or ask for help"
        )
    try:
        with store._writer.begin() as connection:
            if before.revision is None:
                stamp(connection, _UNSTAMPED[before.version])
            command.upgrade(config(connection), "head")
    except SQLAlchemyError as exc:
        raise ProjectError(
            f"the upgrade of {store.shown_url} failed and was rolled back ({_reason(exc)}); nothing changed"
        ) from exc
    store.use_write_ahead_log()
    return before, status(store)
