"""Manifest definitions per stage kind: pure, compared with golden files; and how c2pa embeds them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from PIL import Image

from provenance.imaging import png_bytes, thumbnail_jpeg
from provenance.manifests import manifest_definition, new_manifest_label, read_manifest_store, sign_png
from provenance.manifests.definition import DIGITAL_CREATION, HUMAN_EDITS, TRAINED_ALGORITHMIC_MEDIA
from provenance.project import Project
from provenance.records import (
    STAGE_ASSERTION,
    GenerationParameters,
    ModelRecord,
    PersonCredit,
    SelectionRecord,
    SoftwareAgent,
    StageRecord,
)

from .conftest import assert_golden
from .jumbf import png_manifest_store, superboxes

WHEN = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
TANAKA = PersonCredit(handle="tanaka-aiko", name="Tanaka Aiko", native_name="田中 愛子", role="BG_LAYOUT")
SATO = PersonCredit(handle="sato-ken", name="Sato Ken", native_name="佐藤 健", role="AI_OPERATOR")
YAMADA = PersonCredit(handle="yamada-hanako", name="Yamada Hanako", role="BG_AD")
SUZUKI = PersonCredit(handle="suzuki-ren", name="Suzuki Ren", native_name="鈴木 蓮", role="BG_RETOUCH")


def record(kind: str, ai: bool, people: list[PersonCredit], **extra) -> StageRecord:  # type: ignore[no-untyped-def]
    return StageRecord(
        stage_id=f"00000000-0000-0000-0000-00000000000{len(kind) % 10}",
        kind=kind,
        ai=ai,
        production="harbor",
        background="harbor/C012",
        people=people,
        started_at=WHEN,
        finished_at=WHEN,
        **extra,
    )


SKETCH = record("sketch", False, [TANAKA], tool=SoftwareAgent(name="Clip Studio Paint"))
GENERATED = record(
    "ai_generate",
    True,
    [SATO],
    tool=SoftwareAgent(name="diffusers StableDiffusionImg2ImgPipeline", version="0.42.1"),
    model=ModelRecord(
        name="tiny-v1",
        architecture="sd",
        fingerprint="ab" * 32,
        weight_sha256={"unet/diffusion_pytorch_model.safetensors": "cd" * 32},
        test_model=True,
    ),
    settings=GenerationParameters(prompt="harbor at dusk", seed=1204, steps=20, strength=0.6, guidance=7.0),
    inputs=["ef" * 32],
)
REVISED = record(
    "revise",
    False,
    [SUZUKI],
    tool=SoftwareAgent(name="Krita"),
    selection=SelectionRecord(stage_id="11111111-1111-1111-1111-111111111111", people=[YAMADA], alternatives=2),
    inputs=["01" * 32],
)


def actions(definition: dict) -> list[dict]:
    return definition["assertions"][0]["data"]["actions"]


def test_a_first_stage_is_created_as_digital_creation() -> None:
    definition = manifest_definition(SKETCH, title="C012_sketch.png", has_parent=False)
    [created] = actions(definition)
    assert created["action"] == "c2pa.created" and created["digitalSourceType"] == DIGITAL_CREATION
    assert_golden("manifest-sketch.json", json.dumps(definition, indent=2, ensure_ascii=False) + "\n")


def test_an_ai_stage_opens_its_parent_and_names_no_creator() -> None:
    definition = manifest_definition(GENERATED, title="C012_ai.png", has_parent=True)
    opened, edited = actions(definition)
    assert opened == {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}
    assert edited["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert edited["softwareAgent"] == {
        "name": "diffusers StableDiffusionImg2ImgPipeline",
        "version": "0.42.1",
    }
    assert edited["parameters"]["org.provenance.seed"] == 1204
    labels = [assertion["label"] for assertion in definition["assertions"]]
    assert "cawg.training-mining" not in labels
    metadata = definition["assertions"][1]["data"]
    assert "dc:creator" not in metadata and metadata["dc:contributor"] == ["Sato Ken"]
    assert_golden("manifest-ai_generate.json", json.dumps(definition, indent=2, ensure_ascii=False) + "\n")


def test_a_paint_over_is_human_edits_and_credits_the_selection() -> None:
    definition = manifest_definition(REVISED, title="C012_revise.png", has_parent=True)
    assert actions(definition)[1]["digitalSourceType"] == HUMAN_EDITS
    metadata = definition["assertions"][1]["data"]
    assert metadata["dc:creator"] == ["Suzuki Ren"] and metadata["dc:contributor"] == ["Yamada Hanako"]
    do_not_train = definition["assertions"][3]
    assert do_not_train["label"] == "cawg.training-mining"
    assert {entry["use"] for entry in do_not_train["data"]["entries"].values()} == {"notAllowed"}
    assert_golden("manifest-revise.json", json.dumps(definition, indent=2, ensure_ascii=False) + "\n")


def test_the_stage_record_round_trips_through_the_manifest() -> None:
    definition = manifest_definition(GENERATED, title="x.png", has_parent=True)
    embedded = definition["assertions"][2]
    assert embedded["label"] == "org.provenance.stage"
    assert StageRecord.model_validate(embedded["data"]) == GENERATED


def test_people_are_named_in_a_json_cawg_metadata_box(project: Project) -> None:
    definition = manifest_definition(REVISED, title="C012_revise.png", has_parent=False)
    image = Image.effect_noise((64, 36), 30).convert("RGB")
    signed = sign_png(definition, png_bytes(image), project.signing_identity, thumbnail=thumbnail_jpeg(image))

    found = {box.label: box for box in superboxes(png_manifest_store(signed))}
    metadata = found["cawg.metadata"]
    assert metadata.content_type == b"json"
    [payload] = [data for kind, data in metadata.contents if kind == b"json"]
    assert json.loads(payload) == definition["assertions"][1]["data"]
    assert json.loads(payload)["dc:creator"] == ["Suzuki Ren"]
    # The other assertions stay CBOR, as c2pa's own ones are: the box type is what tells them apart.
    assert found["c2pa.actions.v2"].content_type == b"cbor"
    assert found[STAGE_ASSERTION].content_type == b"cbor"

    store = read_manifest_store(signed, project.trust_anchors, "image/png")
    assert store is not None and store.trusted
    [read] = [a for a in store.manifests[store.active_label]["assertions"] if a["label"] == "cawg.metadata"]
    assert read["data"] == definition["assertions"][1]["data"]


def test_a_label_chosen_before_signing_is_the_label_the_file_carries(project: Project) -> None:
    definition = manifest_definition(REVISED, title="C012_revise.png", has_parent=False)
    image = Image.effect_noise((64, 36), 30).convert("RGB")
    label = new_manifest_label()
    signed = sign_png(
        definition, png_bytes(image), project.signing_identity, thumbnail=thumbnail_jpeg(image), label=label
    )
    store = read_manifest_store(signed, project.trust_anchors, "image/png")
    assert store is not None and store.trusted
    assert store.active_label == label and label.startswith("urn:c2pa:")
    assert new_manifest_label() != label
