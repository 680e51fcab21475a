"""Alembic's entry: runs the migrations on the connection :mod:`provenance.store.schema` hands over."""

from alembic import context

connection = context.config.attributes["connection"]
# One transaction for the whole upgrade: PostgreSQL and SQLite both roll DDL back, so a failed migration
# leaves the database as it was.
context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
