"""The credit roll and people's credits from the command line."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

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


def test_the_pdf_says_studio_date_and_lock_status(recorded: Path) -> None:
    """Draft until signed off, "Locked by NAME on DATE" after, draft again once the credits change."""

    def exported_text() -> str:
        run("credits", "harbor", "--format", "pdf", "-o", "roll.pdf")
        return "\n".join(page.extract_text() for page in PdfReader(recorded / "roll.pdf").pages)

    def dated(pattern: str, text: str) -> str:
        """The date a line of the text gives, which must be today (UTC; either day if midnight passed)."""
        found = re.search(pattern.replace("DATE", r"(\d{4}-\d{2}-\d{2})"), text)
        assert found, f"{pattern!r} not in {text!r}"
        assert found.group(1) in {started, f"{datetime.now(UTC):%Y-%m-%d}"}
        return found.group(1)

    started = f"{datetime.now(UTC):%Y-%m-%d}"
    draft = exported_text()
    assert "Harbor Lights" in draft and "港の灯り" in draft
    # The production names no studio: the studio whose certificate signs the project's files (init --studio).
    assert "Studio: Harbor Studio" in draft
    dated(r"Exported: DATE \d\d:\d\d UTC", draft)
    assert "Draft: not locked" in draft and "Locked" not in draft

    run("credits", "lock", "harbor", "--by", "yamada-hanako")
    locked = exported_text()
    day = dated("Locked by Yamada Hanako on DATE", locked)
    assert f"確定（{day} 山田 花子）" in locked and "Draft" not in locked

    run("person", "set", "sato-ken", "--pseudonym", "KEN-S")
    assert f"Draft: changed since locked by Yamada Hanako on {day}" in exported_text()


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
