"""LoRAs: applied to the pixels, recorded by content with their weight and metadata, replayed, refused clearly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image
from safetensors.torch import load_file, save_file
from sqlmodel import select

from provenance import record
from provenance.audit import audit_file
from provenance.audit.replay import replay_generation
from provenance.engine import LoraWeights, parse_lora
from provenance.engine.lora import addnet_hash
from provenance.errors import InvalidValueError, ModelError
from provenance.manifests import read_manifest_store
from provenance.project import Project
from provenance.records import STAGE_ASSERTION, LoraRecord, StageRecord
from provenance.store import AIModel, Asset, Stage

from . import a1111_reference as a1111
from .conftest import STEPS, Chain, read_image, snapshot
from .model_files import KOHYA_METADATA, rewrite_weights, write_lora, write_unaddressed_lora, write_unrelated_lora

pytestmark = pytest.mark.diffusion


@pytest.fixture
def lora_file(tmp_path: Path) -> Path:
    return write_lora(tmp_path / "ink-wash.safetensors")


def _generate(project: Project, chain: Chain, loras: list[LoraWeights]) -> record.RecordedFile:
    [candidate] = record.record_generation(
        project, str(chain.sketch.asset_id), operator="sato-ken", prompt="harbor", seed=5, steps=STEPS, loras=loras
    )
    return candidate


def test_a_lora_changes_the_pixels_and_is_recorded_by_content(project: Project, chain: Chain, lora_file: Path) -> None:
    with_lora = _generate(project, chain, [LoraWeights(lora_file, 0.8)])
    without = chain.candidates[0]  # same seed, prompt and steps, no LoRA
    pixels = [read_image(project.absolute(c.path)).tobytes() for c in (with_lora, without)]
    assert pixels[0] != pixels[1]

    digest = hashlib.sha256(lora_file.read_bytes()).hexdigest()
    with project.store.session() as session:
        stage = session.exec(select(Stage).join(Asset).where(Asset.id == with_lora.asset_id)).one()
        [recorded] = stage.parameters["loras"]
        row = session.exec(select(AIModel).where(AIModel.architecture == "lora")).one()
    assert recorded["name"] == "ink-wash" and recorded["weight"] == 0.8
    assert recorded["sha256"] == digest and recorded["short_hash"] == digest[:10]
    assert recorded["addnet_hash"][:12] == a1111.LoraOnDisk.read(lora_file).shorthash
    assert recorded["metadata"]["ss_output_name"] == "ink-wash" and recorded["metadata"]["ss_network_dim"] == "4"
    # The long tag table is kept as its digest, so the manifest stays small but still identifies it.
    tags = KOHYA_METADATA["ss_tag_frequency"]
    assert recorded["metadata"]["ss_tag_frequency"].endswith(f"sha256 {hashlib.sha256(tags.encode()).hexdigest()})")
    assert row.path == str(lora_file.resolve()) and row.weight_sha256 == {"ink-wash.safetensors": digest}

    data = project.absolute(with_lora.path).read_bytes()
    store = read_manifest_store(data, project.trust_anchors, "image/png")
    assert store is not None
    manifest = store.manifests[store.active_label]
    embedded = next(a["data"] for a in manifest["assertions"] if a["label"] == STAGE_ASSERTION)
    assert StageRecord.model_validate(embedded).settings.loras == [LoraRecord.model_validate(recorded)]
    assert str(lora_file.parent) not in str(embedded)  # LoRAs are named by hash, never by local path
    assert audit_file(project, project.absolute(with_lora.path)).verdict == "trusted"


def test_the_a1111_text_names_the_lora_as_a1111_does(project: Project, chain: Chain, lora_file: Path) -> None:
    candidate = _generate(project, chain, [LoraWeights(lora_file, 0.8)])
    with Image.open(project.absolute(candidate.path)) as image:
        fields = a1111.parse_generation_parameters(image.text["parameters"])
    on_disk = a1111.LoraOnDisk.read(lora_file)
    [tag] = a1111.extra_network_tags(fields["Prompt"])
    assert fields["Prompt"] == "harbor <lora:ink-wash:0.8>" and tag.positional == [on_disk.alias, "0.8"]
    hashes = a1111.lora_hashes(fields["Lora hashes"])
    assert hashes == {"ink-wash": on_disk.shorthash}
    assert a1111.resolve_lora("ink-wash", hashes, [on_disk]) == on_disk
    # A1111 names a safetensors LoRA by the hash of its tensors, not of the whole file.
    assert on_disk.shorthash != hashlib.sha256(lora_file.read_bytes()).hexdigest()[:12]


def test_the_addnet_hash_leaves_the_header_out(tmp_path: Path, lora_file: Path) -> None:
    relabelled = tmp_path / "relabelled.safetensors"
    save_file(load_file(str(lora_file)), str(relabelled), metadata={"ss_output_name": "another name"})
    assert addnet_hash(relabelled) == addnet_hash(lora_file)
    assert hashlib.sha256(relabelled.read_bytes()).digest() != hashlib.sha256(lora_file.read_bytes()).digest()


def test_a_lora_generation_replays_and_notices_a_changed_lora(project: Project, chain: Chain, lora_file: Path) -> None:
    candidate = _generate(project, chain, [LoraWeights(lora_file, 0.8)])
    assert replay_generation(project, str(candidate.asset_id)).verdict == "identical"
    rewrite_weights(lora_file)
    result = replay_generation(project, str(candidate.asset_id))
    assert result.verdict == "weights-changed" and result.changed_weights == ["ink-wash.safetensors"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: folder / "missing.safetensors", "not found"),
        (lambda folder: _write(folder / "notes.safetensors", b"not weights"), "not a safetensors file"),
        (lambda folder: write_unrelated_lora(folder / "other.safetensors"), "cannot be applied to this model"),
        (lambda folder: write_unaddressed_lora(folder / "bare.safetensors"), "has no weights that fit this model"),
    ],
)
def test_a_bad_lora_is_one_clear_error_and_records_nothing(  # type: ignore[no-untyped-def]
    project: Project, chain: Chain, tmp_path: Path, make, message: str
) -> None:
    lora = make(tmp_path)
    before = snapshot(project)
    with pytest.raises(ModelError, match=message):
        _generate(project, chain, [LoraWeights(lora)])
    assert snapshot(project) == before


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ink.safetensors", LoraWeights(Path("ink.safetensors"), 1.0)),
        ("ink.safetensors:0.6", LoraWeights(Path("ink.safetensors"), 0.6)),
        ("loras/ink.safetensors:-1", LoraWeights(Path("loras/ink.safetensors"), -1.0)),
        ("C:/loras/ink.safetensors", LoraWeights(Path("C:/loras/ink.safetensors"), 1.0)),
    ],
)
def test_lora_arguments(text: str, expected: LoraWeights) -> None:
    assert parse_lora(text) == expected


@pytest.mark.parametrize("text", ["", "ink.safetensors:nan", "ink.safetensors:inf"])
def test_bad_lora_arguments_are_refused(text: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_lora(text)
