"""Credit sheets: every human named by role, AI only in the disclosure, consent respected."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema

from provenance import catalog, stages
from provenance.credits import (
    ContributionFact,
    ModelUseFact,
    ProductionInfo,
    build_credit_sheet,
    credit_sheet,
    render_csv,
    render_json,
    render_txt,
)
from provenance.project import Project

from .conftest import Chain, assert_golden

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "credit-sheet.v1.json").read_text())
PRODUCTION = ProductionInfo(handle="harbor", title="Harbor Lights", native_title="港の灯り", studio="Harbor Studio")


def fact(
    role: str,
    handle: str,
    name: str,
    native: str | None = None,
    company: str | None = None,
    credited: bool = True,
) -> ContributionFact:
    return ContributionFact(
        role=role,
        handle=handle,
        name=name,
        native_name=native,
        company=company,
        company_native=None,
        credited=credited,
    )


def sample_sheet():  # type: ignore[no-untyped-def]
    contributions = [
        fact("BG_LAYOUT", "tanaka-aiko", "Tanaka Aiko", "田中 愛子", "Harbor Studio"),
        fact("AI_OPERATOR", "sato-ken", "Sato Ken", "佐藤 健"),
        fact("BG_AD", "yamada-hanako", "Yamada Hanako", "山田 花子"),
        fact("BG_RETOUCH", "suzuki-ren", "Suzuki Ren", "鈴木 蓮", "Studio Kumo"),
        fact("BG_RETOUCH", "kimura-yu", "Kimura Yu", "木村 優"),
        fact("BG_LAYOUT", "tanaka-aiko", "Tanaka Aiko", "田中 愛子", "Harbor Studio"),  # a second cut
        fact("BG_RETOUCH", "anon", "Hidden Person", credited=False),
    ]
    uses = [
        ModelUseFact(
            name="tiny-v1",
            fingerprint="f" * 64,
            test_model=True,
            license=None,
            stage_kind="ai_generate",
            background_id=1,
        ),
        ModelUseFact(
            name="tiny-v1",
            fingerprint="f" * 64,
            test_model=True,
            license=None,
            stage_kind="ai_generate",
            background_id=2,
        ),
    ]
    return build_credit_sheet(PRODUCTION, 2, contributions, uses)


def test_roles_follow_department_order_and_name_each_person_once() -> None:
    sheet = sample_sheet()
    assert [role.code for role in sheet.roles] == ["BG_AD", "BG_LAYOUT", "BG_RETOUCH", "AI_OPERATOR"]
    layout = sheet.roles[1]
    assert [n.handle for n in layout.names] == ["tanaka-aiko"]
    assert [n.name_ja for n in sheet.roles[2].names] == ["鈴木 蓮", "木村 優"]


def test_people_who_asked_not_to_be_named_are_counted_not_dropped() -> None:
    sheet = sample_sheet()
    assert sheet.uncredited == 1
    text = render_txt(sheet)
    assert "Hidden Person" not in text
    assert "1 more contributor asked not to be named" in text and "ほか1名" in text


def test_ai_appears_only_in_the_disclosure() -> None:
    sheet = sample_sheet()
    names = {name.name_en for role in sheet.roles for name in role.names}
    assert "tiny-v1" not in names
    assert sheet.ai_disclosure.used and sheet.ai_disclosure.models[0].backgrounds == 2
    assert sheet.ai_disclosure.models[0].stages == ["ai_generate"]
    for text in (render_txt(sheet), render_csv(sheet), render_json(sheet)):
        assert "AI (+Human)" not in text
    rows = list(csv.DictReader(io.StringIO(render_csv(sheet))))
    assert all("tiny-v1" not in row["name_en"] for row in rows if row["block"] == "credits")
    assert rows[-1]["block"] == "ai_disclosure" and "tiny-v1" in rows[-1]["name_en"]


def test_a_production_without_ai_says_so() -> None:
    sheet = build_credit_sheet(PRODUCTION, 1, [fact("BG_ARTIST", "a", "A")], [])
    assert not sheet.ai_disclosure.used
    assert "No generative AI" in sheet.ai_disclosure.text_en


def test_golden_txt() -> None:
    assert_golden("credits.txt", render_txt(sample_sheet()))


def test_golden_csv() -> None:
    assert_golden("credits.csv", render_csv(sample_sheet()))


def test_golden_json_and_schema() -> None:
    text = render_json(sample_sheet())
    jsonschema.validate(json.loads(text), SCHEMA)
    assert_golden("credits.json", text)


def test_credit_sheet_from_recorded_stages(project: Project, chain: Chain, tmp_path: Path) -> None:
    catalog.add_person(project, "Quiet Artist", handle="quiet", credited=False)
    stages.record_revision(project, str(chain.final.asset_id), tmp_path / "paint.png", artist="quiet")
    sheet = credit_sheet(project, "harbor")
    by_role = {role.code: [n.name_en for n in role.names] for role in sheet.roles}
    assert by_role == {
        "BG_AD": ["Yamada Hanako"],
        "BG_LAYOUT": ["Tanaka Aiko"],
        "BG_RETOUCH": ["Suzuki Ren"],
        "AI_OPERATOR": ["Sato Ken"],
    }
    assert sheet.uncredited == 1
    assert sheet.roles[1].names[0].company_en == "Test Studio"
    text = render_txt(sheet)
    assert "背景原図：田中 愛子（Test Studio）" in text
    assert "tiny-v1 (a built-in random-weight test model" in text
