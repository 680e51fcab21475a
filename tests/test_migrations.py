"""Migrations: a database of schema version 2, as provenance 0.1 wrote it, upgraded with nothing lost.

The version-2 database is built from the table definitions frozen in the migrations
(``provenance.store.migrations.schema_v2``), never from today's models, and filled with the rows of a
recorded chain (real diffusion, real signing). After ``provenance db upgrade`` every audit and the credit
roll are what they were before, on SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, inspect, select, text
from sqlmodel import SQLModel

from provenance import record
from provenance.audit import audit_file
from provenance.cli import main
from provenance.credits import credit_sheet
from provenance.errors import ProjectError
from provenance.project import Project
from provenance.store import Store, schema
from provenance.store.migrations import schema_v2

from .conftest import Chain


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, f"{args}: {result.output}{result.stderr}"
    return result


def version_2_copy(project: Project, url: str) -> None:
    """A version-2 database at ``url`` holding every row of ``project``'s records, as 0.1 kept them."""
    engine = create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as target, project.store.engine.connect() as source:
        schema_v2.metadata.create_all(target)
        target.execute(schema_v2.schema_info.insert().values(id=1, version=2))
        for table in schema_v2.metadata.sorted_tables:
            if table.name == "schema_info":
                continue
            rows = [dict(row) for row in source.execute(select(SQLModel.metadata.tables[table.name])).mappings()]
            for row in rows:
                if table.name == "contribution":
                    row["degree"] = "lead"  # what 0.1 wrote on every row
                if table.name == "asset" and postgres:
                    # 0.1's 32-bit INTEGER could not hold a nanosecond time on PostgreSQL: it kept the default.
                    row["mtime_ns"] = 0
            if rows:
                target.execute(table.insert(), rows)
            if postgres and "id" in table.c and rows:
                target.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {len(rows)})"))
    engine.dispose()


def point_at(project: Project, url: str) -> None:
    settings_file = project.folder / "project.json"
    settings = json.loads(settings_file.read_text())
    settings["db"] = url
    settings_file.write_text(json.dumps(settings))


def recorded_files(chain: Chain) -> list[str]:
    return [chain.sketch.path, *(c.path for c in chain.candidates), chain.final.path]


def audits(project: Project, chain: Chain) -> list[dict[str, object]]:
    return [audit_file(project, project.absolute(path)).model_dump(mode="json") for path in recorded_files(chain)]


@pytest.fixture
def v2_url(tmp_path: Path, database_url: str | None) -> str:
    return database_url or f"sqlite:///{tmp_path / 'version-2.db'}"


def test_a_version_2_database_upgrades_with_audits_and_credits_unchanged(
    project: Project, chain: Chain, v2_url: str, monkeypatch: pytest.MonkeyPatch, layout_file: Path
) -> None:
    before_audits = audits(project, chain)
    before_credits = credit_sheet(project, "harbor").model_dump(mode="json")
    assert all(report["verdict"] == "trusted" for report in before_audits)
    with project.store.engine.connect() as connection:
        counts = {t.name: len(connection.execute(select(t)).all()) for t in SQLModel.metadata.sorted_tables}
    version_2_copy(project, v2_url)
    point_at(project, v2_url)
    monkeypatch.chdir(project.root)

    # Every other command refuses the old tables in one line, and changes nothing.
    refused = run("person", "list", code=1).stderr
    assert refused.strip() == (
        "Error: the database holds record tables of version 2, this provenance uses version 3; "
        "run `provenance db upgrade` (back the database up first)"
    )
    assert "schema version 2, this provenance uses 3" in run("db", "status", code=1).stdout

    assert "upgraded from schema version 2 to 3" in run("db", "upgrade").stdout
    assert "already at schema version 3; nothing to do" in run("db", "upgrade").stdout
    assert "up to date" in run("db", "status").stdout

    upgraded = Project.find(project.root)
    try:
        assert audits(upgraded, chain) == before_audits
        assert credit_sheet(upgraded, "harbor").model_dump(mode="json") == before_credits
        with upgraded.store.engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                # The signer table is new: the upgrade records init's signing certificate in it again.
                assert len(connection.execute(select(table)).all()) == counts[table.name], table.name
        assert "degree" not in {c["name"] for c in inspect(upgraded.store.engine).get_columns("contribution")}
        # New records after the upgrade: 64-bit file times, ids that continue the old ones.
        sketch = record.record_sketch(upgraded, "harbor/C012", layout_file, artist="tanaka-aiko")
        assert sketch.asset_id == counts["asset"] + 1
        assert audit_file(upgraded, upgraded.absolute(sketch.path)).verdict == "trusted"
    finally:
        upgraded.close()


def test_migrations_build_exactly_the_tables_of_the_models(v2_url: str) -> None:
    """Version 2 plus every migration gives what ``create_all`` gives a new project: no drift either way."""
    engine = create_engine(v2_url)
    with engine.begin() as connection:
        schema_v2.metadata.create_all(connection)
        connection.execute(schema_v2.schema_info.insert().values(id=1, version=2))
    engine.dispose()
    store = Store.open(v2_url, any_version=True)
    try:
        before, after = schema.upgrade(store)
        assert (before.version, after.version, after.revision) == (2, 3, "v3")
        with store.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        store.close()
    if store.dialect == "sqlite":
        # SQLite's INTEGER is 64-bit whatever the declared type: the migration leaves those columns alone.
        differences = [d for d in differences if not (d[0][0] == "modify_type" and d[0][3] in ("size", "mtime_ns"))]
    assert differences == []


def test_an_empty_or_newer_database_is_refused_in_one_line(v2_url: str) -> None:
    engine = create_engine(v2_url)
    with engine.begin() as connection:
        schema_v2.metadata.create_all(connection)
        connection.execute(schema_v2.schema_info.insert().values(id=1, version=9))
    engine.dispose()
    with pytest.raises(ProjectError, match="version 9, newer than this provenance's 3; install the provenance"):
        Store.open(v2_url)
    store = Store.open(v2_url, any_version=True)
    try:
        with pytest.raises(ProjectError, match="newer than this provenance's 3"):
            schema.upgrade(store)
    finally:
        store.close()
