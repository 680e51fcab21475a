"""`--project`, `--db` and `--debug` work where people type them: before the command or after it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import hoist_global_options, main
from provenance.project import Project

from ..conftest import Chain


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder outside any project, where the commands run."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_project_after_the_command(project: Project, chain: Chain, elsewhere: Path) -> None:
    final = str(project.absolute(chain.final.path))
    result = CliRunner().invoke(main, ["audit", final, "--project", str(project.root), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "trusted"
    # The same with the value joined by "=", and without the option: no project here, so it says how to start.
    joined = CliRunner().invoke(main, ["asset", "list", f"--project={project.root}"])
    assert joined.exit_code == 0 and chain.final.path in joined.stdout
    alone = CliRunner().invoke(main, ["audit", final])
    assert alone.exit_code != 0 and "run `provenance init`" in alone.stderr


def test_db_after_the_command(project: Project, chain: Chain, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(project.folder / "provenance.db", copy)
    url = f"sqlite:///{copy}"
    at = ["--project", str(project.root)]
    added = CliRunner().invoke(main, [*at, "person", "add", "Kimura Yu", "--db", url])
    assert added.exit_code == 0, added.output
    listed = CliRunner().invoke(main, ["person", "list", "--db", url, *at])
    assert listed.exit_code == 0 and "kimura-yu" in listed.stdout
    # The project's own database never saw the person: the option after the command chose the database.
    assert "kimura-yu" not in CliRunner().invoke(main, [*at, "person", "list"]).stdout
    missing = CliRunner().invoke(main, ["person", "list", *at, f"--db=sqlite:///{tmp_path / 'none.sqlite'}"])
    assert missing.exit_code != 0 and "none.sqlite is missing" in missing.stderr


def test_debug_after_the_command_shows_the_traceback(project: Project, layout_file: Path) -> None:
    """Forced error: a sketch by a person nobody added. One line without --debug, the traceback with it."""
    command = [sys.executable, "-m", "provenance", "sketch", "harbor/C012", str(layout_file), "--artist", "nobody"]
    plain = subprocess.run(command, cwd=project.root, capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0
    assert plain.stderr == "Error: unknown person 'nobody'; add them with `provenance person add`\n"
    debug = subprocess.run([*command, "--debug"], cwd=project.root, capture_output=True, text=True, timeout=120)
    assert debug.returncode != 0
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert "provenance.errors.NotFoundError: unknown person 'nobody'" in debug.stderr


def test_only_the_root_options_move_and_values_stay_with_their_options() -> None:
    assert hoist_global_options(["sketch", "harbor/C012", "a.png", "--artist", "x", "--debug"]) == [
        "--debug",
        "sketch",
        "harbor/C012",
        "a.png",
        "--artist",
        "x",
    ]
    assert hoist_global_options(["--db", "sqlite:///a", "person", "list", "--project", "p"]) == [
        "--project",
        "p",
        "--db",
        "sqlite:///a",
        "person",
        "list",
    ]
    # After "--" everything is an argument, even a word that looks like an option.
    assert hoist_global_options(["sketch", "--", "--debug"]) == ["sketch", "--", "--debug"]
