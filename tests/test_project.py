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
