"""Credit sheets: every human named by role, AI only in the disclosure, consent and gaps respected."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from sqlmodel import select

from provenance import catalog, record
from provenance.credits.formats import render_json, render_txt
from provenance.credits.sheet import (
    ContributionFact,
    CreditGap,
    CreditGapsError,
    ModelUseFact,
    ProductionInfo,
    build_credit_sheet,
    credit_sheet,
)
from provenance.errors import InvalidValueError
from provenance.project import Project
from provenance.store import Person

from .conftest import Chain, read_image

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "credit-sheet.v1.json").read_text())
PRODUCTION = ProductionInfo(handle="harbor", title="Harbor Lights", native_title="港の灯り", studio="Harbor Studio")


def fact(
    role: str,
    handle: str,
    name: str,
    native: str | None = None,
    company: str | None = None,
    company_native: str | None = None,
    credited: bool = True,
) -> ContributionFact:
    return ContributionFact(
        role=role,
        handle=handle,
        name=name,
        native_name=native,
        company=company,
        company_native=company_native,
        credited=credited,
    )


def tiny_use(background_id: int) -> ModelUseFact:
    return ModelUseFact(
        name="tiny",
        version="v1",
        fingerprint="f" * 64,
        test_model=True,
        license=None,
        stage_kind="ai_generate",
        background_id=background_id,
    )


def sample_sheet(**overrides):  # type: ignore[no-untyped-def]
    """Two backgrounds, five people (one uncredited, one credited twice), the tiny model on both."""
    contributions = [
        fact("BG_LAYOUT", "tanaka-aiko", "Tanaka Aiko", "田中 愛子", "Harbor Studio", "ハーバースタジオ"),
        fact("AI_OPERATOR", "sato-ken", "Sato Ken", "佐藤 健"),
        fact("BG_AD", "yamada-hanako", "Yamada Hanako", "山田 花子"),
        fact("BG_RETOUCH", "suzuki-ren", "Suzuki Ren", "鈴木 蓮", "Studio Kumo", "スタジオ雲"),
        fact("BG_RETOUCH", "kimura-yu", "KIMU", "キム"),
        fact("BG_LAYOUT", "tanaka-aiko", "Tanaka Aiko", "田中 愛子", "Harbor Studio", "ハーバースタジオ"),
        fact("BG_RETOUCH", "anon", "Hidden Person", credited=False),
    ]
    arguments = {"gaps": []} | overrides
    return build_credit_sheet(PRODUCTION, "harbor", 2, contributions, [tiny_use(1), tiny_use(2)], **arguments)


def test_roles_follow_department_order_and_name_each_person_once() -> None:
    sheet = sample_sheet()
    assert [role.code for role in sheet.roles] == ["BG_AD", "BG_LAYOUT", "BG_RETOUCH", "AI_OPERATOR"]
    assert [n.handle for n in sheet.roles[1].names] == ["tanaka-aiko"]
    assert [n.name_ja for n in sheet.roles[2].names] == ["鈴木 蓮", "キム"]
    assert sheet.roles[2].names[0].company_ja == "スタジオ雲"


def test_people_who_asked_not_to_be_named_are_counted_not_dropped() -> None:
    sheet = sample_sheet()
    assert sheet.uncredited == 1
    text = render_txt(sheet)
    assert "Hidden Person" not in text
    assert "1 more contributor asked not to be named" in text and "ほか1名" in text


def test_ai_appears_only_in_the_disclosure() -> None:
    sheet = sample_sheet()
    assert "tiny" not in {name.name_en for role in sheet.roles for name in role.names}
    model = sheet.ai_disclosure.models[0]
    assert (model.name, model.version, model.backgrounds, model.stages) == ("tiny", "v1", 2, ["ai_generate"])
    assert "tiny v1 (a built-in random-weight test model" in sheet.ai_disclosure.text_en
    assert "背景2点" in sheet.ai_disclosure.text_ja
    assert "AI (+Human)" not in render_json(sheet)


def test_a_recorded_license_is_disclosed() -> None:
    use = ModelUseFact(
        name="house-model",
        version="2",
        fingerprint="a" * 64,
        test_model=False,
        license="CreativeML OpenRAIL-M",
        stage_kind="ai_generate",
        background_id=1,
    )
    disclosure = build_credit_sheet(PRODUCTION, "harbor", 1, [], [use]).ai_disclosure
    assert disclosure.text_en == (
        "AI disclosure: house-model 2 was used for AI candidate generation (img2img from the layout) in 1 background, "
        "license: CreativeML OpenRAIL-M. The AI is credited as a tool, never as an artist."
    )
    assert "ライセンス：CreativeML OpenRAIL-M" in disclosure.text_ja


def test_a_production_without_ai_says_so() -> None:
    sheet = build_credit_sheet(PRODUCTION, "harbor", 1, [fact("BG_ARTIST", "a", "A")], [])
    assert not sheet.ai_disclosure.used and "No generative AI" in sheet.ai_disclosure.text_en


def test_sheet_json_matches_the_schema() -> None:
    gap = CreditGap(background="harbor/C013", stage_kind="revise", stage_id="0" * 36, role="BG_RETOUCH")
    jsonschema.validate(json.loads(render_json(sample_sheet(gaps=[gap]))), SCHEMA)


def test_credit_sheet_from_recorded_stages(project: Project, chain: Chain, tmp_path: Path) -> None:
    catalog.add_person(project, "Quiet Artist", handle="quiet", credited=False)
    touched = read_image(project.absolute(chain.final.path)).convert("RGB")
    touched.paste((250, 140, 30), (0, 0, 16, 16))
    touched.save(tmp_path / "touch-up.png")
    record.record_revision(project, str(chain.final.asset_id), tmp_path / "touch-up.png", artist="quiet")
    sheet = credit_sheet(project, "harbor")
    by_role = {role.code: [n.name_en for n in role.names] for role in sheet.roles}
    assert by_role == {
        "BG_AD": ["Yamada Hanako"],
        "BG_LAYOUT": ["Tanaka Aiko"],
        "BG_RETOUCH": ["Suzuki Ren"],
        "AI_OPERATOR": ["Sato Ken"],
    }
    assert sheet.uncredited == 1 and sheet.scope == "harbor" and sheet.backgrounds == 1
    assert "背景原図：田中 愛子（Test Studio）" in render_txt(sheet)


def test_pen_names_replace_names_and_consent_can_change_later(project: Project, chain: Chain) -> None:
    catalog.update_person(project, "suzuki-ren", pseudonym="REN", native_pseudonym="レン")
    catalog.update_person(project, "sato-ken", credited=False)
    sheet = credit_sheet(project, "harbor")
    retouch = next(role for role in sheet.roles if role.code == "BG_RETOUCH")
    assert [(n.name_en, n.name_ja) for n in retouch.names] == [("REN", "レン")]
    assert "AI_OPERATOR" not in [role.code for role in sheet.roles] and sheet.uncredited == 1
    catalog.update_person(project, "sato-ken", credited=True)
    assert credit_sheet(project, "harbor").uncredited == 0
    with project.store.session() as session:
        suzuki = session.exec(select(Person).where(Person.handle == "suzuki-ren")).one()
    assert suzuki.name == "Suzuki Ren"  # the record keeps the name; only the credit uses the pen name


def test_a_stage_with_no_named_person_fails_the_export_and_is_listed(project: Project, chain: Chain) -> None:
    stage_id = record.record_external_stage(project, "harbor/C012", "art_check")
    with pytest.raises(
        CreditGapsError, match=f"1 stage has no named person \\(harbor/C012 art_check {stage_id[:8]}\\)"
    ):
        credit_sheet(project, "harbor")
    sheet = credit_sheet(project, "harbor", allow_gaps=True)
    assert [(g.stage_kind, g.role, g.stage_id) for g in sheet.gaps] == [("art_check", "BG_AD", stage_id)]
    assert f"UNNAMED: art_check on harbor/C012 (stage {stage_id[:8]})" in render_txt(sheet)


def test_external_stages_credit_their_people(project: Project, chain: Chain) -> None:
    catalog.add_person(project, "Kimura Yu")
    record.record_external_stage(
        project, "harbor/C012", "composite", people=[("kimura-yu", "DOP")], inputs=[str(chain.final.asset_id)]
    )
    sheet = credit_sheet(project, "harbor")
    assert [n.name_en for r in sheet.roles if r.code == "DOP" for n in r.names] == ["Kimura Yu"]
    with pytest.raises(InvalidValueError, match="use `provenance generate`"):
        record.record_external_stage(project, "harbor/C012", "ai_generate", people=[("sato-ken", "AI_OPERATOR")])


def test_one_background_can_be_credited_alone(project: Project, chain: Chain, layout_file: Path) -> None:
    catalog.add_background(project, "harbor", "C013")
    catalog.add_person(project, "Kimura Yu", native_name="木村 優")
    record.record_sketch(project, "harbor/C013", layout_file, artist="kimura-yu")
    whole = credit_sheet(project, "harbor")
    only = credit_sheet(project, "harbor", background="harbor/C013")
    assert whole.backgrounds == 2 and only.backgrounds == 1 and only.scope == "harbor/C013"
    assert [n.name_en for r in only.roles for n in r.names] == ["Kimura Yu"]
    assert not only.ai_disclosure.used
    assert "Harbor Lights — harbor/C013" in render_txt(only)
    catalog.add_production(project, "Other", handle="other")
    with pytest.raises(InvalidValueError, match="not part of production other"):
        credit_sheet(project, "other", background="harbor/C013")
