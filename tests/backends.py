"""Fixtures for the tests that run on both stores: SQLite in the project folder and a real PostgreSQL.

``database_url`` is parametrized: ``sqlite`` gives None (the project's default SQLite file), ``postgresql``
a new database on the session's server (:mod:`tests.postgres_server`). Without the server binaries or
psycopg the PostgreSQL cases skip and say why, unless ``PROVENANCE_REQUIRE_POSTGRES=1`` (CI sets it),
where they fail instead: a CI run must not pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .postgres_server import PostgresServer, find_binaries, unavailable_reason

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, in a temporary folder, stopped at the end."""
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("PROVENANCE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here (PROVENANCE_REQUIRE_POSTGRES=1): {reason}")
        pytest.skip(reason)
    binaries = find_binaries()
    assert binaries is not None
    server = PostgresServer.start(binaries)
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None for the project's own SQLite file, else the URL of a new PostgreSQL database."""
    if request.param == "sqlite":
        return None
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()
