"""Alembic migrations of the record tables: ``provenance db status`` and ``provenance db upgrade``.

``versions/`` holds one revision per schema version. Revision ``v2`` is the schema provenance 0.1 wrote
(its tables, kept in :mod:`.schema_v2`, never imported from today's models); a database of that release
has no ``alembic_version`` table and is stamped ``v2`` before it is upgraded.
"""
