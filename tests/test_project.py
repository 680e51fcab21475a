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
