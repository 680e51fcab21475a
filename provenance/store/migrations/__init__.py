"""Alembic migrations of the record tables: ``provenance db status`` and ``provenance db upgrade``.

``versions/`` holds one revision per schema version. Revision ``v2`` is the schema provenance 0.1 wrote
(its tables, kept in :mod:`.schema_v2`, never imported from today's models); a database of that release
has no ``alembic_version`` table and is stamped ``v2`` before it is upgraded.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

__all__ = ["FOLDER", "config", "head_revision", "stamp"]

FOLDER = Path(__file__).parent


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for our migrations, on ``connection`` when given (no ini file)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(FOLDER))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(config()).get_current_head()
    assert head is not None
    return head


def stamp(connection: Connection, revision: str) -> None:
    """Record ``revision`` as the database's own, running nothing (``head``: this release's)."""
    MigrationContext.configure(connection).stamp(ScriptDirectory.from_config(config()), revision)
