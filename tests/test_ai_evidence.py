"""No laundering: a file with evidence of AI is never recorded as a person's sketch or paint-over."""

from __future__ import annotations

import io
import json
from pathlib import Path

import c2pa
import pytest
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from provenance import record, trust
from provenance.audit import audit_file
from provenance.credits.sheet import credit_sheet
from provenance.errors import AIEvidenceError
from provenance.imaging import png_bytes, thumbnail_jpeg
from provenance.keys import create_studio_keys, load_signing_identity, load_studio_ca_pem
from provenance.manifests import sign_png
from provenance.manifests.definition import COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA, DIGITAL_CREATION, HUMAN_EDITS
from provenance.project import Project

from .conftest import Chain, read_image, snapshot

A1111_TEXT = "harbor at dusk\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234567, Model hash: 6ce0161689"


def _painted(picture: Image.Image) -> Image.Image:
    painted = picture.convert("RGB").copy()
    ImageDraw.Draw(painted).rectangle((0, 0, picture.width // 3, picture.height // 3), fill=(250, 140, 30))
    return painted


def _foreign_signed(tmp_path: Path, image: Image.Image, source_type: str, *, parent: bool = False) -> bytes:
    """A file signed by another tool's certificate, declaring ``source_type`` (in its second action)."""
    keys = tmp_path / "photoshop-keys"
    if not keys.exists():
        create_studio_keys(keys, "Other Tool")
    identity = load_signing_identity(keys, load_studio_ca_pem(keys))
    actions: list[dict[str, object]] = [{"action": "c2pa.created", "digitalSourceType": DIGITAL_CREATION}]
    if source_type != DIGITAL_CREATION:
        actions.append({"action": "c2pa.edited", "digitalSourceType": source_type})
    definition = {
        "claim_generator_info": [{"name": "Adobe Photoshop", "version": "26.0"}],
        "title": "export.png",
        "format": "image/png",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": actions}}],
    }
    return sign_png(definition, png_bytes(image), identity, thumbnail=thumbnail_jpeg(image))


def test_a_candidate_recorded_as_a_sketch_is_refused(project: Project, chain: Chain, tmp_path: Path) -> None:
    before = snapshot(project)
    candidate = project.absolute(chain.candidates[2].path)
    with pytest.raises(AIEvidenceError, match=rf"AI candidate #{chain.candidates[2].asset_id} \(same bytes\)") as error:
        record.record_sketch(project, "harbor/C012", candidate, artist="tanaka-aiko")
    assert f"provenance revise {chain.candidates[2].asset_id}" in str(error.value)
    assert "\n" not in str(error.value)
    resaved = tmp_path / "resaved.png"
    read_image(candidate).save(resaved)  # no manifest, no A1111 text: only the pixels remain
    with pytest.raises(AIEvidenceError, match="same pixels"):
        record.record_sketch(project, "harbor/C012", resaved, artist="tanaka-aiko")
    assert snapshot(project) == before


def test_a_resized_copy_of_the_final_is_found_by_its_pixels(project: Project, chain: Chain, tmp_path: Path) -> None:
    """The final paint-over is human work over AI pixels: a copy of it is not a fresh sketch either."""
    final = read_image(project.absolute(chain.final.path)).convert("RGB")
    copy = tmp_path / "copy.jpg"
    final.resize((final.width * 2, final.height * 2)).save(copy, quality=95)
    with pytest.raises(AIEvidenceError, match=rf"recorded asset #{chain.final.asset_id} \(SSIM 0\.\d\d\)"):
        record.record_sketch(project, "harbor/C012", copy, artist="tanaka-aiko")


def test_painting_over_another_candidate_than_the_one_named_is_refused(
    project: Project, chain: Chain, tmp_path: Path
) -> None:
    other = chain.candidates[2]
    paint = tmp_path / "paint.png"
    _painted(read_image(project.absolute(other.path))).save(paint)
    with pytest.raises(AIEvidenceError, match=rf"AI candidate #{other.asset_id}.*provenance revise {other.asset_id}"):
        record.record_revision(project, str(chain.chosen.asset_id), paint, artist="suzuki-ren")


def test_work_on_what_the_parent_already_carries_is_not_laundering(
    project: Project, chain: Chain, tmp_path: Path
) -> None:
    """A second paint-over of the final, and a paint-over that kept the candidate's own A1111 text."""
    again = tmp_path / "again.png"
    _painted(read_image(project.absolute(chain.final.path))).save(again)
    record.record_revision(project, str(chain.final.asset_id), again, artist="tanaka-aiko")

    with Image.open(project.absolute(chain.candidates[0].path)) as opened:
        own_text = opened.text["parameters"]
    kept = tmp_path / "kept-text.png"
    info = PngInfo()
    info.add_text("parameters", own_text)
    _painted(read_image(project.absolute(chain.candidates[0].path))).save(kept, pnginfo=info)
    record.record_revision(project, str(chain.candidates[0].asset_id), kept, artist="suzuki-ren")


def test_another_generators_metadata_is_refused_unless_recorded_as_ai(
    project: Project, chain: Chain, tmp_path: Path
) -> None:
    picture = Image.effect_noise((96, 64), 60).convert("RGB")
    info = PngInfo()
    info.add_text("parameters", A1111_TEXT)
    a1111 = tmp_path / "a1111.png"
    picture.save(a1111, pnginfo=info)
    before = snapshot(project)
    with pytest.raises(AIEvidenceError, match="carries AUTOMATIC1111 generation parameters.*with `external_ai`"):
        record.record_sketch(project, "harbor/C012", a1111, artist="tanaka-aiko")
    assert snapshot(project) == before

    recorded = record.record_sketch(project, "harbor/C012", a1111, artist="sato-ken", external_ai=True)
    report = audit_file(project, project.absolute(recorded.path))
    assert report.verdict == "trusted"
    [stage] = report.stages
    assert (stage.kind, stage.origin, stage.ai, stage.tool) == ("ai_external", "ai", True, "AUTOMATIC1111")
    assert stage.people[0].role == "AI_OPERATOR"
    assert stage.settings["evidence"] == ["it carries AUTOMATIC1111 generation parameters"]
    assert report.shares is not None and report.shares.ai == 1.0 and report.shares.human == 0.0
    disclosure = credit_sheet(project, "harbor").ai_disclosure
    external = [model for model in disclosure.models if model.external]
    assert [(m.name, m.fingerprint, m.stages) for m in external] == [("AUTOMATIC1111", None, ["ai_external"])]
    assert "AUTOMATIC1111 (outside the tracked pipeline; weights unknown)" in disclosure.text_en


def test_a_generative_fill_in_a_photoshop_manifest_is_refused(project: Project, chain: Chain, tmp_path: Path) -> None:
    """The AI is declared in the second action only, as a composite: it still counts."""
    painted = _painted(read_image(project.absolute(chain.chosen.path)))
    genfill = tmp_path / "genfill.png"
    genfill.write_bytes(_foreign_signed(tmp_path, painted, COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA))
    with pytest.raises(AIEvidenceError, match=r"C2PA manifest \(Adobe Photoshop\) declares compositeWith"):
        record.record_revision(project, str(chain.chosen.asset_id), genfill, artist="suzuki-ren")

    recorded = record.record_revision(
        project, str(chain.chosen.asset_id), genfill, artist="suzuki-ren", tool="Photoshop", external_ai=True
    )
    report = audit_file(project, project.absolute(recorded.path))
    last = report.stages[-1]
    assert (last.kind, last.origin, last.source_type) == ("ai_external", "ai", COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA)
    assert report.shares is not None and report.shares.human < report.shares.ai


def test_an_artists_own_manifest_is_kept_as_an_ingredient(project: Project, chain: Chain, tmp_path: Path) -> None:
    painted = _painted(read_image(project.absolute(chain.final.path)))
    exported = tmp_path / "exported.png"
    exported.write_bytes(_foreign_signed(tmp_path, painted, HUMAN_EDITS))
    recorded = record.record_revision(project, str(chain.final.asset_id), exported, artist="tanaka-aiko")
    report = audit_file(project, project.absolute(recorded.path))
    # The kept manifest is signed by a CA this project does not trust (yet): intact, not trusted.
    assert report.verdict == "valid-untrusted", report.problems
    assert any(failure.startswith("signingCredential.untrusted") for failure in report.failures)
    assert report.stages[-1].origin == "human"
    trust.add_anchor(project, tmp_path / "photoshop-keys" / "studio-ca.pem", name="photoshop")
    reopened = Project.find(project.root)
    assert audit_file(reopened, project.absolute(recorded.path)).verdict == "trusted"
    reopened.close()
    anchors = (project.keys_folder / "studio-ca.pem").read_text()
    context = c2pa.Context.from_dict({"trust": {"user_anchors": anchors}, "verify": {"remote_manifest_fetch": False}})
    with c2pa.Reader("image/png", io.BytesIO(project.absolute(recorded.path).read_bytes()), context=context) as reader:
        store = json.loads(reader.json())
    active = store["manifests"][store["active_manifest"]]
    relationships = sorted(i["relationship"] for i in active["ingredients"])
    assert relationships == ["componentOf", "parentOf"]
    component = next(i for i in active["ingredients"] if i["relationship"] == "componentOf")
    placed = store["manifests"][component["active_manifest"]]
    assert placed["claim_generator_info"][0]["name"] == "Adobe Photoshop"
