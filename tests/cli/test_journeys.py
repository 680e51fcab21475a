"""Every journey through the command line, as a newcomer would type it."""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path

import click
import jsonschema
import pytest
from click.testing import CliRunner, Result

from provenance.audit import VERDICTS
from provenance.cli import COMMANDS, main
from provenance.cli.exit_codes import VERDICT_CODES
from provenance.errors import AlreadyExistsError
from provenance.project import Project

from ..conftest import read_image, snapshot

SCHEMAS = Path(__file__).parents[2] / "schemas"


@pytest.fixture
def studio(tmp_path: Path, layout_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project made with `provenance init` in the current folder, with people and a background."""
    folder = tmp_path / "studio"
    folder.mkdir()
    monkeypatch.chdir(folder)
    run("init", "--studio", "Harbor Studio")
    run("person", "add", "Tanaka Aiko", "--native", "田中 愛子", "--org", "Harbor Studio")
    run("person", "add", "Sato Ken", "--native", "佐藤 健")
    run("person", "add", "Yamada Hanako", "--native", "山田 花子")
    run("person", "add", "Suzuki Ren", "--native", "鈴木 蓮")
    run("production", "add", "Harbor Lights", "--handle", "harbor", "--native-title", "港の灯り")
    run("background", "add", "harbor", "C012")
    (folder / "layout.png").write_bytes(layout_file.read_bytes())
    return folder


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, f"{args}: {result.output}{result.stderr}"
    return result


def test_the_three_journeys(studio: Path) -> None:
    sketch = json.loads(run("sketch", "harbor/C012", "layout.png", "--artist", "tanaka-aiko", "--json").stdout)
    assert sketch["path"].startswith("assets/harbor/C012/") and (studio / sketch["path"]).is_file()

    candidates = json.loads(
        run(
            "generate",
            str(sketch["id"]),
            "--prompt",
            "harbor at dusk",
            "--operator",
            "sato-ken",
            "--candidates",
            "2",
            "--steps",
            "4",
            "--seed",
            "9",
            "--json",
        ).stdout
    )
    assert len(candidates) == 2 and all((studio / c["path"]).is_file() for c in candidates)

    chosen = candidates[0]
    assert "over 1 other" in run("select", chosen["path"], "--by", "yamada-hanako").stdout

    read_image(studio / chosen["path"]).rotate(180).save(studio / "paint.png")
    final = json.loads(run("revise", str(chosen["id"]), "paint.png", "--artist", "suzuki-ren", "--json").stdout)

    report = json.loads(run("audit", final["path"], "--json").stdout)
    jsonschema.validate(report, json.loads((SCHEMAS / "audit-report.v1.json").read_text()))
    assert report["verdict"] == "trusted"
    assert [s["kind"] for s in report["stages"]] == ["sketch", "ai_generate", "select", "revise"]
    table = run("audit", final["path"]).stdout
    assert "TRUSTED" in table and "Suzuki Ren 鈴木 蓮 (Background Paint-over)" in table

    credits = run("credits", "harbor").stdout
    assert "背景原図：田中 愛子（Harbor Studio）" in credits and "AI (+Human)" not in credits
    sheet = json.loads(run("credits", "harbor", "--format", "json").stdout)
    jsonschema.validate(sheet, json.loads((SCHEMAS / "credit-sheet.v1.json").read_text()))
    run("credits", "harbor", "--format", "csv", "-o", "credits.csv")
    assert (studio / "credits.csv").read_text(encoding="utf-8").startswith("block,order,role_en")

    lineage = run("lineage", final["path"]).stdout
    assert lineage.index("revise") < lineage.index("ai_generate") < lineage.index("sketch")
    assert "select by Yamada Hanako (BG_AD)" in lineage
    tree = json.loads(run("lineage", str(final["id"]), "--json").stdout)
    jsonschema.validate(tree, json.loads((SCHEMAS / "lineage.v1.json").read_text()))
    assert tree["asset"]["inputs"][0]["inputs"][0]["kind"] == "sketch"


def test_listing_and_trust_export(studio: Path) -> None:
    assert "田中 愛子" in run("person", "list").stdout
    assert json.loads(run("production", "list", "--json").stdout)[0]["handle"] == "harbor"
    assert "harbor/C012" in run("background", "list", "harbor").stdout
    assert run("trust", "export").stdout.startswith("-----BEGIN CERTIFICATE-----")


def test_audit_exit_codes_for_scripts(studio: Path) -> None:
    sketch = json.loads(run("sketch", "harbor/C012", "layout.png", "--artist", "tanaka-aiko", "--json").stdout)
    read_image(studio / sketch["path"]).save(studio / "stripped.png")
    stripped = json.loads(run("audit", "stripped.png", "--json", code=7).stdout)
    assert stripped["verdict"] == "matched-without-manifest" and stripped["match"]["asset_id"] == sketch["id"]
    read_image(studio / sketch["path"]).rotate(90, expand=True).save(studio / "other.png")
    assert json.loads(run("audit", "other.png", "--json", code=5).stdout)["verdict"] == "unknown"
    assert json.loads(run("audit", sketch["path"], "--json", "--strict").stdout)["verdict"] == "trusted"
    help_text = " ".join(run("audit", "--help").stdout.split())
    for verdict, promise in VERDICTS.items():
        assert f"{VERDICT_CODES[verdict]} {verdict}: {' '.join(promise.split())}" in help_text
    assert "9 with --strict: trusted, but with notes" in help_text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sketch", "harbor/C012", "missing.png", "--artist", "tanaka-aiko"], "missing.png does not exist"),
        (["sketch", "harbor/C012", "notes.txt", "--artist", "tanaka-aiko"], "is not an image file"),
        (["sketch", "harbor/C012", "broken.png", "--artist", "tanaka-aiko"], "is damaged"),
        (["sketch", "harbor/C012", "anim.gif", "--artist", "tanaka-aiko"], "is a GIF image"),
        (["sketch", "harbor/C012", "layout.png", "--artist", "nobody"], "unknown person 'nobody'"),
        (["sketch", "harbor/C099", "layout.png", "--artist", "tanaka-aiko"], "unknown background"),
        (["sketch", "nowhere/C012", "layout.png", "--artist", "tanaka-aiko"], "unknown production"),
        (["generate", "42", "--prompt", "x", "--operator", "sato-ken"], "there is no asset #42"),
        (["generate", "other.png", "--prompt", "x", "--operator", "sato-ken"], "matches no recorded asset"),
        (
            ["generate", "1", "--prompt", "x", "--operator", "sato-ken", "--model", "/no/such/model"],
            "not found",
        ),
        (["revise", "1", "paint.png", "--artist", "suzuki-ren"], "paint.png does not exist"),
        (["select", "1", "--by", "yamada-hanako"], "not an AI candidate"),
        (["audit", "missing.png"], "does not exist"),
        (["credits", "nowhere"], "unknown production"),
        (["person", "add", "Tanaka Aiko"], "already a person"),
        (["person", "add", "田中 愛子"], "give the person one with --handle"),
    ],
)
def test_bad_input_is_one_line_nonzero_and_changes_nothing(studio: Path, args: list[str], message: str) -> None:
    (studio / "notes.txt").write_text("hello")
    (studio / "broken.png").write_bytes((studio / "layout.png").read_bytes()[:200])
    read_image(studio / "layout.png").save(studio / "anim.gif")
    read_image(studio / "layout.png").rotate(90).save(studio / "other.png")
    run("sketch", "harbor/C012", "layout.png", "--artist", "tanaka-aiko")
    project = Project.find(studio)
    before = snapshot(project)

    result = CliRunner().invoke(main, args)

    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert snapshot(project) == before
    project.close()


def test_debug_shows_the_traceback(studio: Path) -> None:
    result = CliRunner().invoke(main, ["--debug", "person", "add", "Tanaka Aiko"])
    assert isinstance(result.exception, AlreadyExistsError)


def test_commands_outside_a_project_say_how_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["person", "list"])
    assert result.exit_code == 1 and "run `provenance init`" in result.stderr


def test_init_twice_is_refused(studio: Path) -> None:
    assert "already holds a provenance project" in run("init", code=1).stderr


def test_database_url_from_option_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "records.sqlite"
    run("init", "--db", f"sqlite:///{elsewhere}")
    run("person", "add", "Tanaka Aiko")
    assert elsewhere.is_file() and not (tmp_path / ".provenance" / "provenance.db").exists()
    other = tmp_path / "other.sqlite"
    monkeypatch.setenv("PROVENANCE_DB", f"sqlite:///{other}")
    # A database that does not exist is an error, never a new empty one that would hide every record.
    assert "other.sqlite is missing" in run("person", "list", code=1).stderr
    assert not other.exists()
    monkeypatch.setenv("PROVENANCE_DB", f"sqlite:///{elsewhere}")
    assert "Tanaka Aiko" in run("person", "list").stdout


def test_private_keys_are_owner_only(studio: Path) -> None:
    for key in (studio / ".provenance" / "keys").glob("*.key"):
        assert os.stat(key).st_mode & 0o077 == 0


def test_help_lists_every_command_without_importing_them() -> None:
    """The listing comes from a table (so --help stays fast); it must say what each command's own help says."""
    listed = [line.split()[0] for line in run("--help").stdout.split("Commands:")[1].strip().splitlines()]
    assert listed == list(COMMANDS)
    context = click.Context(main)
    for name, (_, first_sentence) in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None
        own = " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())
        assert own.startswith(first_sentence), name
