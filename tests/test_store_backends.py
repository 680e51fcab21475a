"""Every command on both stores: SQLite in the project folder, and a real PostgreSQL server.

The same journey as a newcomer types it (init, catalog, sketch, generate with the tiny model, select,
revise, audit, credits and their sign-off, lineage, check, keys, db), once per store, with the same
content asserted: nothing in the commands depends on which database keeps the records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from provenance.cli import main

from .conftest import read_image


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, f"{args}: {result.output}{result.stderr}"
    return result


@pytest.fixture
def studio(tmp_path: Path, layout_file: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None) -> Path:
    folder = tmp_path / "studio"
    folder.mkdir()
    monkeypatch.chdir(folder)
    run("init", "--studio", "Harbor Studio", *(["--db", database_url] if database_url else []))
    run("person", "add", "Tanaka Aiko", "--native", "田中 愛子", "--org", "Harbor Studio")
    run("person", "add", "Sato Ken", "--native", "佐藤 健")
    run("person", "add", "Yamada Hanako", "--native", "山田 花子")
    run("person", "add", "Suzuki Ren", "--native", "鈴木 蓮")
    run("production", "add", "Harbor Lights", "--handle", "harbor", "--native-title", "港の灯り")
    run("background", "add", "harbor", "C012")
    (folder / "layout.png").write_bytes(layout_file.read_bytes())
    return folder


def test_every_command_works_the_same_on_this_store(studio: Path, database_url: str | None) -> None:
    settings = json.loads((studio / ".provenance" / "project.json").read_text())
    assert settings["db"] == database_url
    assert (studio / ".provenance" / "provenance.db").exists() == (database_url is None)

    sketch = json.loads(run("sketch", "harbor/C012", "layout.png", "--artist", "tanaka-aiko", "--json").stdout)
    candidates = json.loads(
        run(
            "generate", str(sketch["id"]), "--prompt", "harbor at dusk", "--operator", "sato-ken",
            "--candidates", "2", "--steps", "2", "--seed", "9", "--json",
        ).stdout
    )  # fmt: skip
    assert len({c["id"] for c in candidates}) == 2
    chosen = candidates[0]
    run("select", str(chosen["id"]), "--by", "yamada-hanako")
    assert "already been selected" in run("select", str(chosen["id"]), "--by", "yamada-hanako", code=1).stderr
    read_image(studio / chosen["path"]).rotate(180).save(studio / "paint.png")
    final = json.loads(run("revise", str(chosen["id"]), "paint.png", "--artist", "suzuki-ren", "--json").stdout)

    for path in (sketch["path"], *(c["path"] for c in candidates), final["path"]):
        report = json.loads(run("audit", path, "--json").stdout)
        assert report["verdict"] == "trusted", (path, report["problems"])
    report = json.loads(run("audit", final["path"], "--json").stdout)
    assert [s["kind"] for s in report["stages"]] == ["sketch", "ai_generate", "select", "revise"]
    assert [p["handle"] for s in report["stages"] for p in s["people"]] == [
        "tanaka-aiko", "sato-ken", "yamada-hanako", "suzuki-ren",
    ]  # fmt: skip
    assert report["stages"][0]["signer"] == "Harbor Studio background department"

    credits = run("credits", "harbor").stdout
    assert "背景原図：田中 愛子（Harbor Studio）" in credits and "背景加筆・修正：鈴木 蓮" in credits
    run("credits", "lock", "harbor", "--by", "yamada-hanako")
    run("person", "set", "suzuki-ren", "--pseudonym", "REN")
    assert "Suzuki Ren is now credited as REN" in run("credits", "harbor", "--strict", code=5).stderr

    lineage = json.loads(run("lineage", str(final["id"]), "--json").stdout)
    assert lineage["asset"]["inputs"][0]["inputs"][0]["kind"] == "sketch"
    assert run("check").exit_code == 0
    assert "up to date" in run("db", "status").stdout
    assert "nothing to do" in run("db", "upgrade").stdout
    assert json.loads(run("keys", "list", "--json").stdout)[0]["name"] == "studio"

    # A duplicate that the database refuses is one line, exit 1, never an internal error.
    assert "already a person with handle 'tanaka-aiko'" in run("person", "add", "Tanaka Aiko", code=1).stderr


def test_init_refuses_a_database_that_already_holds_records(tmp_path: Path, database_url: str | None) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'shared.db'}"
    run("--project", str(tmp_path / "first"), "init", "--db", url)
    result = run("--project", str(tmp_path / "second"), "init", "--db", url, code=1)
    assert "already holds provenance records" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "second" / ".provenance").exists()
