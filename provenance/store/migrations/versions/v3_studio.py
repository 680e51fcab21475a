"""Schema version 3: workstation signing identities, 64-bit file facts, and no dead ``degree`` column.

* ``signer``: each identity the studio CA issued (``provenance keys issue``), with its revocation;
* ``asset.size`` and ``asset.mtime_ns`` become 64-bit (nanosecond times overflow PostgreSQL's INTEGER;
  SQLite's INTEGER is 64-bit already, so its tables stay as they are);
* ``contribution.degree`` goes: every row held "lead" and nothing read it.

Revision ID: v3
Revises: v2
"""

import sqlalchemy as sa
from alembic import op

revision = "v3"
down_revision = "v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signer",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("serial", sa.String, nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("fingerprint", sa.String, nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.String, nullable=True),
    )
    op.create_index("ix_signer_name", "signer", ["name"], unique=True)
    op.create_index("ix_signer_serial", "signer", ["serial"], unique=True)
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("asset", "size", type_=sa.BigInteger, existing_nullable=False)
        op.alter_column("asset", "mtime_ns", type_=sa.BigInteger, existing_nullable=False)
    # SQLite 3.35+ drops a column in place (no table copy): contribution has no index or constraint on it.
    op.drop_column("contribution", "degree")
    op.execute("UPDATE schema_info SET version = 3 WHERE id = 1")


def downgrade() -> None:
    raise NotImplementedError("provenance migrations go forward only; restore a backup to go back")
