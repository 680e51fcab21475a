"""Schema version 2: the tables provenance 0.1 created (the base every later version migrates from).

A database that release wrote is stamped with this revision, never upgraded to it; run on an empty
database (as the migration tests do) it builds those tables from :mod:`provenance.store.migrations.schema_v2`.

Revision ID: v2
"""

from alembic import op

from provenance.store.migrations import schema_v2

revision = "v2"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    schema_v2.metadata.create_all(bind)
    bind.execute(schema_v2.schema_info.insert().values(id=1, version=schema_v2.VERSION))


def downgrade() -> None:
    raise NotImplementedError("provenance migrations go forward only; restore a backup to go back")
