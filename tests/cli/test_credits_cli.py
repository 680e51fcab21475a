"""The credit roll and people's credits from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import main

from .test_journeys import run, studio  # noqa: F401  (the fixture)


@pytest.fixture
def recorded(studio: Path) -> Path:  # noqa: F811
    sketch = json.loads(run("sketch", "harbor/C012", "layout.png", "--artist", "tanaka-aiko", "--json").stdout)
    [candidate] = json.loads(
        run("generate", str(sketch["id"]), "--prompt", "x", "--operator", "sato-ken", "--steps", "2", "--json").stdout
    )
    run("select", str(candidate["id"]), "--by", "yamada-hanako")
    return studio


@pytest.mark.parametrize("output_format", ["txt", "md", "csv", "json", "html"])
def test_every_text_format_names_the_people(recorded: Path, output_format: str) -> None:
    text = run("credits", "harbor", "--format", output_format).stdout
    for name in ("Tanaka Aiko", "Sato Ken", "Yamada Hanako"):
        assert name in text
    assert "AI (+Human)" not in text


def test_pdf_goes_to_a_file(recorded: Path) -> None:
    run("credits", "harbor", "--format", "pdf", "-o", "credits.pdf")
    assert (recorded / "credits.pdf").read_bytes().startswith(b"%PDF-")


def test_lock_then_a_change_is_named_and_strict_fails(recorded: Path) -> None:
    assert "Locked the credits of harbor" in run("credits", "lock", "harbor", "--by", "yamada-hanako").stdout
    assert CliRunner().invoke(main, ["credits", "harbor"]).stderr == ""
    run("person", "set", "sato-ken", "--pseudonym", "KEN-S")
    changed = CliRunner().invoke(main, ["credits", "harbor"])
    assert changed.exit_code == 0 and "KEN-S" in changed.stdout
    assert "Note: this export differs from the sheet locked by yamada-hanako" in changed.stderr
    assert "Sato Ken is now credited as KEN-S" in changed.stderr
    strict = CliRunner().invoke(main, ["credits", "harbor", "--strict"])
    assert strict.exit_code == 5 and strict.stdout == "" and "differs" in strict.stderr


def test_uncredited_people_are_counted(recorded: Path) -> None:
    run("person", "set", "yamada-hanako", "--uncredited")
    text = run("credits", "harbor").stdout
    assert "Yamada Hanako" not in text and "1 more contributor asked not to be named" in text


def test_one_background_and_unknown_scope(recorded: Path) -> None:
    assert "Harbor Lights — harbor/C012" in run("credits", "harbor", "--background", "harbor/C012").stdout
    assert "unknown background" in run("credits", "harbor", "--background", "harbor/C099", code=1).stderr


def test_person_from_kana_is_credited_in_hepburn(studio: Path) -> None:  # noqa: F811
    assert (
        "Added Ono Shota as ono-shota"
        in run("person", "add", "--kana", "おおの しょうた", "--native", "大野 翔太").stdout
    )
    assert "give the name" in run("person", "add", code=1).stderr


def test_prov_json_from_the_command_line(recorded: Path) -> None:
    document = json.loads(run("lineage", "2", "--format", "prov-json").stdout)
    assert set(document) >= {"prefix", "entity", "activity", "agent", "wasGeneratedBy", "wasAssociatedWith"}
