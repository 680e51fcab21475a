"""Project folders: created whole or not at all, found from below, damaged ones reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.errors import ProjectError
from provenance.project import Project


def test_init_creates_settings_database_and_keys(tmp_path: Path) -> None:
    project = Project.init(tmp_path, studio="Harbor Studio")
    project.close()
    assert (tmp_path / ".provenance" / "project.json").is_file()
    assert (tmp_path / ".provenance" / "provenance.db").is_file()
    assert (tmp_path / ".provenance" / "keys" / "signer.pem").is_file()


def test_find_walks_up_from_a_subfolder(tmp_path: Path) -> None:
    Project.init(tmp_path).close()
    nested = tmp_path / "assets" / "harbor"
    nested.mkdir(parents=True)
    found = Project.find(nested)
    assert found.root == tmp_path.resolve()
    found.close()


def test_no_project_and_damaged_project_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="run `provenance init`"):
        Project.find(tmp_path)
    Project.init(tmp_path).close()
    (tmp_path / ".provenance" / "project.json").write_text("{not json")
    with pytest.raises(ProjectError, match="cannot be read"):
        Project.find(tmp_path)


def test_a_failed_init_leaves_no_half_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="cannot use database URL"):
        Project.init(tmp_path, db_url="nonsense://")
    assert not (tmp_path / ".provenance").exists()


def test_paths_outside_the_project_are_refused(tmp_path: Path) -> None:
    project = Project.init(tmp_path / "p")
    with pytest.raises(Exception, match="outside the project"):
        project.relative(tmp_path / "elsewhere.png")
    assert project.relative(tmp_path / "p" / "assets" / "a.png") == "assets/a.png"
    project.close()


def test_a_deleted_database_is_an_error_and_is_not_recreated(tmp_path: Path) -> None:
    """An empty new database would make every signed file look like an orphan; worse, it would hide that."""
    Project.init(tmp_path).close()
    database = tmp_path / ".provenance" / "provenance.db"
    database.unlink()
    with pytest.raises(ProjectError, match=r"provenance\.db is missing; restore it from backup"):
        Project.find(tmp_path)
    assert not database.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database at all, just some bytes" * 100, "cannot be read as a provenance database"),
        (b"", "holds no provenance records"),
    ],
)
def test_a_damaged_or_foreign_database_is_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    Project.init(tmp_path).close()
    database = tmp_path / ".provenance" / "provenance.db"
    database.write_bytes(content)
    with pytest.raises(ProjectError, match=message) as error:
        Project.find(tmp_path)
    assert "\n" not in str(error.value)
    assert database.read_bytes() == content


def test_opening_never_creates_tables(tmp_path: Path) -> None:
    import sqlite3

    Project.init(tmp_path).close()
    database = tmp_path / ".provenance" / "provenance.db"
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TABLE credit_lock")
    Project.find(tmp_path).close()
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "credit_lock" not in tables


@pytest.mark.parametrize("url", ["postgresql://provenance@localhost/harbor", "postgresql+psycopg:///harbor"])
def test_a_postgresql_url_without_its_driver_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """Without the `postgres` extra (no psycopg to import): one line that names the extra, never exit 70."""
    import sys

    for driver in ("psycopg", "psycopg2"):
        monkeypatch.setitem(sys.modules, driver, None)  # `import psycopg` now fails, as when it is not installed
    with pytest.raises(ProjectError) as error:
        Project.init(tmp_path, db_url=url)
    message = str(error.value)
    assert "pip install 'provenance[postgres]'" in message and "postgresql+psycopg://" in message
    assert "\n" not in message
    assert not (tmp_path / ".provenance").exists()


def test_another_database_without_its_driver_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"cannot use database URL mysql://u@localhost/db: .*driver installed"):
        Project.init(tmp_path, db_url="mysql://u@localhost/db")


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[postgres]'")
    url = f"postgresql+psycopg://provenance:secret@/harbor?host={tmp_path / 'no-server'}&port=5999"
    with pytest.raises(ProjectError) as error:
        Project.init(tmp_path / "p", db_url=url)
    assert "cannot create the database at" in str(error.value) and "secret" not in str(error.value)
    Project.init(tmp_path / "q").close()
    with pytest.raises(ProjectError, match="cannot reach the database at .*check that the server runs") as error:
        Project.find(tmp_path / "q", db_url=url)
    assert "\n" not in str(error.value) and "secret" not in str(error.value)


def test_a_busy_sqlite_database_waits_its_turn_and_then_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that holds the lock longer than every attempt waits is a one-line error, nothing written."""
    import sqlite3

    from provenance import catalog
    from provenance.store import database

    project = Project.init(tmp_path)
    monkeypatch.setattr(database, "BUSY_ATTEMPTS", 2)
    holder = sqlite3.connect(tmp_path / ".provenance" / "provenance.db", timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    project.store.engine.dispose()  # new connections, with a short busy timeout for the test
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)
    busy = Project.find(tmp_path)
    message = r"is busy \(database is locked\): another provenance command is writing to it and held it over \d+ s"
    with pytest.raises(ProjectError, match=message):
        catalog.add_person(busy, "Kimura Yu")
    holder.rollback()
    catalog.add_person(busy, "Kimura Yu")
    holder.close()
    busy.close()
    project.close()
