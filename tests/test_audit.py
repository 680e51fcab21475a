"""Auditing files: the chain, each verdict, and the cross-check with the database."""

from __future__ import annotations

import io
import json
import os
import struct
import zlib
from pathlib import Path

import c2pa
import jsonschema
import pytest
from sqlmodel import select

from provenance import catalog, trust
from provenance.audit import audit_file
from provenance.cli.exit_codes import NOTES, VERDICT_CODES, audit_code
from provenance.errors import InputFileError
from provenance.imaging import png_bytes, thumbnail_jpeg
from provenance.keys import create_studio_keys, load_signing_identity, load_studio_ca_pem
from provenance.manifests import manifest_definition, sign_png
from provenance.manifests.definition import DIGITAL_CREATION, HUMAN_EDITS, TRAINED_ALGORITHMIC_MEDIA
from provenance.project import Project
from provenance.store import AIModel, Asset, Contribution, Stage, StageInput
from provenance.store.queries import stage_record

from .conftest import Chain, read_image

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "audit-report.v1.json").read_text())


def test_final_png_read_with_c2pa_reader_holds_the_whole_chain(project: Project, chain: Chain) -> None:
    """Independent of our audit code: c2pa's own Reader, trusting only the studio CA."""
    final = project.absolute(chain.final.path)
    anchors = (project.keys_folder / "studio-ca.pem").read_text()
    context = c2pa.Context.from_dict(
        {"trust": {"user_anchors": anchors}, "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    )
    with c2pa.Reader("image/png", io.BytesIO(final.read_bytes()), context=context) as reader:
        store = json.loads(reader.json())
        state = reader.get_validation_state()
    assert state == "Trusted"

    chain_manifests = []
    label = store["active_manifest"]
    while label:
        manifest = store["manifests"][label]
        chain_manifests.append(manifest)
        parents = [i for i in manifest.get("ingredients", []) if i["relationship"] == "parentOf"]
        label = parents[0]["active_manifest"] if parents else None
    assert len(chain_manifests) == 3

    def assertion(manifest: dict, name: str) -> dict:
        return next(a["data"] for a in manifest["assertions"] if a["label"] == name)

    revise, generated, sketch = chain_manifests
    actions = [assertion(m, "c2pa.actions.v2")["actions"] for m in (sketch, generated, revise)]
    assert actions[0][0]["action"] == "c2pa.created"
    assert actions[0][0]["digitalSourceType"] == DIGITAL_CREATION
    assert [a["action"] for a in actions[1]] == ["c2pa.opened", "c2pa.edited"]
    assert actions[1][1]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert actions[1][1]["parameters"]["org.provenance.seed"] == 6
    assert actions[2][1]["digitalSourceType"] == HUMAN_EDITS

    assert assertion(sketch, "cawg.metadata")["dc:creator"] == ["Tanaka Aiko"]
    assert assertion(generated, "cawg.metadata")["dc:contributor"] == ["Sato Ken"]
    assert assertion(revise, "cawg.metadata")["dc:creator"] == ["Suzuki Ren"]
    assert assertion(revise, "cawg.metadata")["dc:contributor"] == ["Yamada Hanako"]
    for human in (sketch, revise):
        entries = assertion(human, "cawg.training-mining")["entries"]
        assert entries["cawg.ai_generative_training"]["use"] == "notAllowed"
    assert not any(a["label"] == "cawg.training-mining" for a in generated["assertions"])
    model = assertion(generated, "org.provenance.stage")["model"]
    assert model["test_model"] is True and len(model["weight_sha256"]) == 3


def test_audit_of_the_final_file_reports_every_stage(project: Project, chain: Chain) -> None:
    report = audit_file(project, project.absolute(chain.final.path))
    assert report.verdict == "trusted" and audit_code(report) == 0 and report.problems == []
    assert report.notes == ["an AI stage used the built-in test model, not a real generator"]
    assert audit_code(report, strict=True) == NOTES
    assert [(s.kind, s.ai) for s in report.stages] == [
        ("sketch", False),
        ("ai_generate", True),
        ("select", False),
        ("revise", False),
    ]
    people = [[(p.handle, p.name, p.role) for p in s.people] for s in report.stages]
    assert people == [
        [("tanaka-aiko", "Tanaka Aiko", "BG_LAYOUT")],
        [("sato-ken", "Sato Ken", "AI_OPERATOR")],
        [("yamada-hanako", "Yamada Hanako", "BG_AD")],
        [("suzuki-ren", "Suzuki Ren", "BG_RETOUCH")],
    ]
    generated = report.stages[1]
    assert generated.model == "tiny v1" and generated.test_model and generated.settings["seed"] == 6
    assert all(stage.record == "matches" for stage in report.stages)
    assert report.summary.ai_stages == 1 and report.summary.human_stages == 3
    assert report.asset_id == chain.final.asset_id and report.background == "harbor/C012"
    jsonschema.validate(json.loads(report.model_dump_json()), SCHEMA)


def _with_changed_pixel(png: bytes) -> bytes:
    """The same PNG, manifest chunk included, with one pixel's red value changed in the image data."""
    chunks, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        chunks.append((kind, png[position + 8 : position + 8 + length]))
        position += 12 + length
    image_data = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    changed = bytearray(image_data)
    changed[2] ^= 0x01  # row 0 starts with a filter byte; byte 2 is the first pixel's green
    rebuilt = png[:8]
    wrote_idat = False
    for kind, data in chunks:
        if kind == b"IDAT":
            if wrote_idat:
                continue
            data, wrote_idat = zlib.compress(bytes(changed)), True
        rebuilt += struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return rebuilt


def test_a_changed_pixel_is_tampered(project: Project, chain: Chain, tmp_path: Path) -> None:
    original = project.absolute(chain.final.path).read_bytes()
    tampered = tmp_path / "tampered.png"
    tampered.write_bytes(_with_changed_pixel(original))
    assert read_image(tampered).tobytes() != read_image(project.absolute(chain.final.path)).tobytes()
    report = audit_file(project, tampered)
    assert report.verdict == "tampered" and audit_code(report) == VERDICT_CODES["tampered"]
    assert report.shares is None  # a tampered file's pixels are not attributed to anyone
    assert [bool(stage.failures) for stage in report.stages] == [False, False, False, True]  # only the last
    assert any("dataHash.mismatch" in failure for failure in report.failures)


def test_another_studios_file_is_valid_but_untrusted_until_their_ca_is_added(
    project: Project, chain: Chain, tmp_path: Path
) -> None:
    other = Project.init(tmp_path / "other-studio", studio="Other Studio")
    report = audit_file(other, project.absolute(chain.final.path))
    assert report.verdict == "valid-untrusted" and audit_code(report) == 3
    assert all(stage.record == "unrecorded" for stage in report.stages)
    assert any("not this studio; it has no records here" in note for note in report.notes)

    trust.add_anchor(other, project.keys_folder / "studio-ca.pem", name="test-studio")
    other.close()
    partner = Project.find(tmp_path / "other-studio")
    report = audit_file(partner, project.absolute(chain.final.path))
    assert report.verdict == "trusted" and audit_code(report) == 0
    assert [p.name for s in report.stages for p in s.people] == [
        "Tanaka Aiko",
        "Sato Ken",
        "Yamada Hanako",
        "Suzuki Ren",
    ]
    assert [a.name for a in trust.list_anchors(partner)] == ["test-studio"]
    trust.remove_anchor(partner, "test-studio")
    partner.close()
    assert audit_file(Project.find(tmp_path / "other-studio"), project.absolute(chain.final.path)).verdict == (
        "valid-untrusted"
    )


def test_a_database_that_disagrees_with_the_manifest_is_reported(project: Project, chain: Chain) -> None:
    with project.store.session() as session:
        stage = session.exec(select(Stage).where(Stage.uuid == chain.final.stage_id)).one()
        contribution = session.exec(select(Contribution).where(Contribution.stage_id == stage.id)).one()
        contribution.role = "BG_ARTIST"  # signed as BG_RETOUCH
        session.add(contribution)
    report = audit_file(project, project.absolute(chain.final.path))
    assert report.verdict == "records-differ" and audit_code(report) == 6
    assert report.stages[-1].record == "differs"
    assert any("disagree on people" in problem for problem in report.problems)


def test_catalog_edits_made_after_signing_are_notes_not_differences(project: Project, chain: Chain) -> None:
    catalog.update_person(project, "suzuki-ren", name="Suzuki Ren R.", native_name="鈴木 れん")
    with project.store.session() as session:
        model = session.exec(select(AIModel)).one()
        model.name, model.license = "house-test", "CreativeML OpenRAIL-M"
        session.add(model)
    report = audit_file(project, project.absolute(chain.final.path))
    assert report.verdict == "trusted" and audit_code(report) == 0, report.problems
    assert all(stage.record == "matches" for stage in report.stages)
    assert any("suzuki-ren was signed as Suzuki Ren / 鈴木 蓮, now recorded as Suzuki Ren R. / 鈴木 れん" in n
               for n in report.notes)  # fmt: skip
    assert any("now registered as house-test" in note for note in report.notes)
    assert any("licence is now recorded as CreativeML OpenRAIL-M" in note for note in report.notes)


def test_a_signed_file_without_rows_is_never_trusted(project: Project, chain: Chain, tmp_path: Path) -> None:
    """An orphan (files published, then the commit lost), or a file of this studio from another project."""
    with project.store.session() as session:
        stage = session.exec(select(Stage).where(Stage.uuid == chain.final.stage_id)).one()
        for asset in session.exec(select(Asset).where(Asset.stage_id == stage.id)):
            session.delete(asset)
        for row in session.exec(select(Contribution).where(Contribution.stage_id == stage.id)):
            session.delete(row)
        for row in session.exec(select(StageInput).where(StageInput.stage_id == stage.id)):
            session.delete(row)
        session.flush()
        session.delete(stage)
    report = audit_file(project, project.absolute(chain.final.path))
    assert report.verdict == "records-differ" and audit_code(report) == 6
    assert report.stages[-1].record == "missing"
    assert any("signed by this studio but not recorded in this project" in p for p in report.problems)
    assert [stage.record for stage in report.stages[:3]] == ["matches", "matches", "matches"]


def test_a_partners_copy_of_our_stage_record_never_matches(project: Project, chain: Chain, tmp_path: Path) -> None:
    """A partner CA we trust signs a manifest that carries one of our stage records word for word."""
    partner_keys = tmp_path / "partner-keys"
    create_studio_keys(partner_keys, "Partner Studio")
    partner = load_signing_identity(partner_keys, load_studio_ca_pem(partner_keys))
    final = project.absolute(chain.final.path)
    with project.store.session() as session:
        row = session.exec(select(Stage).where(Stage.uuid == chain.final.stage_id)).one()
        record = stage_record(session, row)
    definition = manifest_definition(record, title="copy.png", has_parent=False)
    image = read_image(final).convert("RGB")
    forged = sign_png(definition, png_bytes(image), partner, thumbnail=thumbnail_jpeg(image))
    copy = tmp_path / "copy.png"
    copy.write_bytes(forged)
    trust.add_anchor(project, partner_keys / "studio-ca.pem", name="partner")
    reopened = Project.find(project.root)
    report = audit_file(reopened, copy)
    reopened.close()
    assert report.stages[-1].stage_id == chain.final.stage_id
    assert report.stages[-1].record == "unrecorded"
    assert any("signed by" in note and "not this studio" in note for note in report.notes)
    assert report.verdict == "trusted" and report.asset_id is None  # the partner's own file, with no rows of ours


def test_audit_refuses_files_it_cannot_read(project: Project, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        audit_file(project, tmp_path / "missing.png")
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    with pytest.raises(InputFileError, match="is not an image file"):
        audit_file(project, text)


def test_a_recorded_file_that_changed_on_disk_is_reported(project: Project, chain: Chain) -> None:
    sketch_file = project.absolute(chain.sketch.path)
    sketch_file.write_bytes(sketch_file.read_bytes() + b"appended")
    report = audit_file(project, project.absolute(chain.final.path))
    assert report.verdict == "records-differ"  # the audited file itself is intact, a recorded one is not
    assert report.stages[0].file == "changed" and report.stages[-1].file == "intact"
    assert audit_code(report) == VERDICT_CODES["records-differ"]
    project.absolute(chain.chosen.path).unlink()
    assert audit_file(project, project.absolute(chain.final.path)).stages[1].file == "missing"


def test_a_changed_file_with_the_same_size_and_time_needs_deep(project: Project, chain: Chain) -> None:
    sketch_file = project.absolute(chain.sketch.path)
    stat = sketch_file.stat()
    data = bytearray(sketch_file.read_bytes())
    data[-20] ^= 0xFF
    sketch_file.write_bytes(bytes(data))
    os.utime(sketch_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert audit_file(project, project.absolute(chain.final.path)).stages[0].file == "intact"
    assert audit_file(project, project.absolute(chain.final.path), deep=True).stages[0].file == "changed"
