"""`provenance asset list`: a table a person reads, JSON a script reads, both with the ids commands take."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from provenance.cli import main
from provenance.project import Project

from ..conftest import Chain

SCHEMAS = Path(__file__).parents[2] / "schemas"


def test_the_table_shows_ids_candidate_numbers_people_and_files(project: Project, chain: Chain) -> None:
    project.absolute(chain.candidates[2].path).unlink()
    result = CliRunner().invoke(main, ["--project", str(project.root), "asset", "list"])
    assert result.exit_code == 0, result.output
    header, rule, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "background", "stage", "candidate", "people", "selected", "by", "file", "path"]
    assert set(rule) <= {"-", " "}
    cells = [row.split() for row in rows]
    assert cells[0] == ["1", "harbor/C012", "sketch", "tanaka-aiko", "intact", chain.sketch.path]
    first = chain.candidates[0].path
    assert cells[1] == ["2", "harbor/C012", "ai_generate", "1", "of", "3", "sato-ken", "intact", first]
    chosen = ["ai_generate", "2", "of", "3", "sato-ken", "yamada-hanako", "intact", chain.chosen.path]
    assert cells[2] == ["3", "harbor/C012", *chosen]
    assert cells[3][-2:] == ["missing", chain.candidates[2].path]
    assert cells[4] == ["5", "harbor/C012", "revise", "suzuki-ren", "intact", chain.final.path]


def test_json_follows_its_schema(project: Project, chain: Chain) -> None:
    result = CliRunner().invoke(main, ["asset", "list", "harbor/C012", "--json", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    jsonschema.validate(listing, json.loads((SCHEMAS / "asset-list.v1.json").read_text()))
    assert listing["document"] == "provenance.asset-list" and listing["scope"] == "harbor/C012"
    numbers = [(entry["asset_id"], entry["candidate"]) for entry in listing["assets"]]
    assert numbers == [(1, None), (2, 1), (3, 2), (4, 3), (5, None)]


def test_an_unknown_background_is_one_line_naming_the_command_that_adds_it(project: Project, chain: Chain) -> None:
    result = CliRunner().invoke(main, ["--project", str(project.root), "asset", "list", "harbor/C099"])
    assert result.exit_code != 0
    assert result.stderr == (
        "Error: unknown background 'harbor/C099'; add it with `provenance background add harbor C099`\n"
    )
