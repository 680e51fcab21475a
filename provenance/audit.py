"""Auditing a file: who made it, stage by stage, how much of it is AI, and whether it is intact.

Three paths, decided by what the file carries:

* a C2PA manifest store: validated against the studio's and partners' trust anchors (signature, hash
  binding, ingredient links), walked through its ``parentOf`` ingredients back to the first stage, and
  every stage's signed record compared with the database, every recorded file checked on disk;
* no manifest, but pixels that match a recorded asset (a re-save, a JPEG, a resized or cropped copy):
  the lineage our records hold for that asset, stated plainly as records, not proof;
* no manifest and no match, but another generator's metadata (AUTOMATIC1111, ComfyUI, InvokeAI): made with
  AI outside the tracked pipeline.

Each stage gets ``share``: the fraction of the final picture's pixels it changed last (from the change
masks measured when the stages were recorded), with totals per person and for human against AI work.

>>> report = audit_file(project, Path("assets/harbor/C012/C012_revise_1a2b3c4d.png"))  # doctest: +SKIP
>>> report.verdict, [stage.kind for stage in report.stages]  # doctest: +SKIP
('trusted', ['sketch', 'ai_generate', 'select', 'revise'])
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr, ValidationError
from sqlmodel import Session, col, select

from .change_mask import read_mask
from .documents import Document, schema_config
from .errors import InputFileError
from .generator_metadata import GeneratorMetadata, read_generator_metadata
from .imaging import decode_image, pixel_sha256
from .manifests import ManifestStore, read_manifest_store
from .manifests.definition import TRAINED_ALGORITHMIC_MEDIA
from .project import Project
from .recorded_files import FileCheck, file_check
from .records import STAGE_ASSERTION, PersonCredit, StageRecord
from .reidentify import SSIM_BOUND, HashIndex, image_hashes, similarity
from .shares import StageMask, ownership, share_size, shares
from .stages import stage_record, stage_records
from .store import Asset, Stage, StageInput

Verdict = Literal[
    "trusted", "valid-untrusted", "tampered", "matched-without-manifest", "foreign-ai-metadata", "unknown"
]
RecordCheck = Literal["matches", "differs", "unrecorded", "from-records"]

EXIT_CODES: dict[str, int] = {
    "trusted": 0,
    "valid-untrusted": 3,
    "tampered": 4,
    "unknown": 5,
    # Intact and signed, but the records or the recorded files say otherwise.
    "records-differ": 6,
    "matched-without-manifest": 7,
    "foreign-ai-metadata": 8,
    # Only with --strict: notes (unrecorded or unmeasured stages, a test model) count as failures.
    "notes": 9,
}

_MIME_BY_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class AuditPerson(Document):
    handle: str | None = Field(description="the person's handle, when the manifest names one")
    name: str
    native_name: str | None = None
    role: str | None = None


class AuditStage(Document):
    kind: str
    ai: bool
    people: list[AuditPerson]
    tool: str | None = None
    model: str | None = None
    model_fingerprint: str | None = None
    test_model: bool = False
    settings: dict[str, Any] = Field(default_factory=dict)
    source_type: str | None = None
    stage_id: str | None = None
    manifest: str | None = Field(default=None, description="label of the manifest that signs this stage")
    record: RecordCheck
    share: float | None = Field(default=None, description="fraction of the final pixels this stage changed last")
    changed: float | None = Field(default=None, description="fraction of its own output this stage changed")
    failures: list[str] = Field(default_factory=list, description="validation failures of this stage's manifest")
    file: FileCheck | None = Field(default=None, description="the recorded file of this stage, on disk")
    path: str | None = Field(default=None, description="the recorded file, relative to the project")


class PersonShare(Document):
    handle: str | None
    name: str
    native_name: str | None = None
    share: float


class Shares(Document):
    human: float
    ai: float
    complete: bool = Field(description="false when a stage's changes were never measured")
    people: list[PersonShare]


class Match(Document):
    asset_id: int
    path: str
    phash_distance: int
    dhash_distance: int
    ssim: float


class AuditSummary(Document):
    stages: int
    ai_stages: int
    human_stages: int
    people: list[str] = Field(description="handles (or names) of every human in the chain")
    models: list[str]


class AuditReport(Document):
    """What ``provenance audit --json`` prints; schema ``schemas/audit-report.v1.json``."""

    model_config = schema_config("audit-report.v1.json")

    report: Literal["provenance.audit"] = "provenance.audit"
    version: Literal[1] = 1
    file: str
    sha256: str | None = Field(description="computed when the file has no valid manifest to bind its bytes")
    verdict: Verdict
    trusted: bool
    statement: str = Field(description="the verdict in one or two plain sentences")
    validation_state: str | None
    failures: list[str] = Field(description="validation failure codes with their explanations")
    asset_id: int | None = None
    background: str | None = None
    stages: list[AuditStage]
    summary: AuditSummary
    shares: Shares | None = None
    match: Match | None = None
    foreign: GeneratorMetadata | None = None
    problems: list[str] = Field(description="what makes the records and the file disagree")
    notes: list[str] = Field(description="what limits the conclusion without contradicting it")
    # Which stage last changed each pixel (working size), for the heatmap; not part of the JSON.
    _ownership: np.ndarray | None = PrivateAttr(default=None)
    # Each manifest's embedded thumbnail by label, when the audit was asked for them (the process sheet).
    _thumbnails: dict[str, bytes] = PrivateAttr(default_factory=dict)

    @property
    def ownership(self) -> np.ndarray | None:
        return self._ownership

    @property
    def thumbnails(self) -> dict[str, bytes]:
        return self._thumbnails

    def exit_code(self, *, strict: bool = False) -> int:
        if self.verdict in ("trusted", "valid-untrusted") and self.problems:
            return EXIT_CODES["records-differ"]
        if strict and self.verdict == "trusted" and self.notes:
            return EXIT_CODES["notes"]
        return EXIT_CODES[self.verdict]


@dataclass
class _Link:
    """One stage of the chain as found: its record, where it came from, and its row if recorded."""

    record: StageRecord | None
    check: RecordCheck
    label: str | None = None
    manifest: dict[str, Any] | None = None
    row: Stage | None = None
    selection_of: StageRecord | None = None
    failures: list[str] = field(default_factory=list)


def audit_file(project: Project, path: Path, *, deep: bool = False, thumbnails: bool = False) -> AuditReport:
    """Audit one file against the project's trust anchors and records.

    ``deep`` re-hashes every recorded file in the chain; by default a file is re-hashed only when its size
    or modification time differs from what was recorded. ``thumbnails`` keeps each manifest's embedded
    thumbnail on the report (``report.thumbnails``), read in the same pass, for the process sheet.
    """
    if not path.is_file():
        raise InputFileError(f"{path} does not exist or is not a file; check the path")
    data = path.read_bytes()
    mime_type = next((mime for magic, mime in _MIME_BY_MAGIC.items() if data.startswith(magic)), None)
    manifest_store = (
        read_manifest_store(data, project.signing_identity, mime_type, thumbnails=thumbnails) if mime_type else None
    )
    with project.store.session() as session:
        if manifest_store is None:
            return _audit_unsigned(session, project, str(path), data, deep)
        report = _audit_signed(session, project, str(path), manifest_store, deep)
    report._thumbnails = manifest_store.thumbnails
    return report


def _audit_signed(
    session: Session, project: Project, file: str, manifest_store: ManifestStore, deep: bool
) -> AuditReport:
    verdict: Verdict
    if not manifest_store.intact:
        verdict = "tampered"
    elif manifest_store.trusted:
        verdict = "trusted"
    else:
        verdict = "valid-untrusted"
    links: list[_Link] = []
    problems: list[str] = []
    chain = [(label, manifest, _signed_record(manifest)) for label, manifest in _chain(manifest_store)]
    wanted = [signed.stage_id for _, _, signed in chain if signed]
    wanted += [signed.selection.stage_id for _, _, signed in chain if signed and signed.selection]
    rows = {row.uuid: row for row in session.exec(select(Stage).where(col(Stage.uuid).in_(wanted)))}
    on_record = stage_records(session, [rows[s.stage_id] for _, _, s in chain if s and s.stage_id in rows])
    for label, manifest, signed in chain:
        if signed is None:
            links.append(_Link(record=None, check="unrecorded", label=label, manifest=manifest))
            continue
        row = rows.get(signed.stage_id)
        check: RecordCheck = "unrecorded"
        if row is not None:
            differences = _differences(signed, on_record[row.uuid])
            check = "differs" if differences else "matches"
            if differences:
                problems.append(
                    f"{signed.kind} stage {signed.stage_id[:8]}: the manifest and the database disagree on "
                    + ", ".join(differences)
                )
        if signed.selection is not None:
            selection_row = rows.get(signed.selection.stage_id)
            links.append(_Link(record=None, check=check, label=label, row=selection_row, selection_of=signed))
        links.append(_Link(record=signed, check=check, label=label, manifest=manifest, row=row))
    asset = session.exec(select(Asset).where(Asset.manifest_label == manifest_store.active_label)).first()
    # c2pa names the manifest in each failure's URL (self#jumbf=/c2pa/<label>/...): give each stage its own.
    for link in links:
        if link.label and link.selection_of is None:
            link.failures = [_failure_text(f) for f in manifest_store.failures if link.label in str(f.get("url", ""))]
    report = _report(
        session,
        project,
        file=file,
        sha256=None,
        verdict=verdict,
        links=links,
        asset=asset,
        deep=deep,
        validation_state=manifest_store.validation_state,
        failures=[_failure_text(f) for f in manifest_store.failures],
        problems=problems,
    )
    if verdict != "tampered" and asset is None:
        report.notes.append("the file is validly signed but is not a file this project recorded")
    return report


def _audit_unsigned(session: Session, project: Project, file: str, data: bytes, deep: bool) -> AuditReport:
    sha256 = hashlib.sha256(data).hexdigest()
    image = decode_image(data, name=file)
    match = _reidentify(session, project, image)
    if match is not None:
        asset = session.get(Asset, match.asset_id)
        assert asset is not None
        report = _report(
            session, project, file=file, sha256=sha256, verdict="matched-without-manifest",
            links=_recorded_links(session, asset), asset=asset, deep=deep, match=match,
        )  # fmt: skip
        return report
    foreign = read_generator_metadata(data)
    if foreign is not None:
        stage = AuditStage(
            kind="ai_generate", ai=True, people=[], tool=foreign.generator, settings=foreign.parameters,
            record="unrecorded",
        )  # fmt: skip
        return AuditReport(
            file=file, sha256=sha256, verdict="foreign-ai-metadata", trusted=False,
            statement=_statement("foreign-ai-metadata", [stage], None, foreign),
            validation_state=None, failures=[], stages=[stage], summary=_summary([stage]), foreign=foreign,
            problems=[], notes=["no person is recorded for this file"],
        )  # fmt: skip
    return AuditReport(
        file=file, sha256=sha256, verdict="unknown", trusted=False, statement=_statement("unknown", [], None, None),
        validation_state=None, failures=[], stages=[], summary=_summary([]), problems=[], notes=[],
    )  # fmt: skip


def _report(
    session: Session,
    project: Project,
    *,
    file: str,
    sha256: str | None,
    verdict: Verdict,
    links: list[_Link],
    asset: Asset | None,
    deep: bool,
    validation_state: str | None = None,
    failures: list[str] | None = None,
    problems: list[str] | None = None,
    match: Match | None = None,
) -> AuditReport:
    """Stages, shares, file checks and notes for a chain of links, newest last."""
    problems = list(problems or [])
    notes: list[str] = []
    stages: list[AuditStage] = []
    masks: list[StageMask] = []
    row_ids = [link.row.id for link in links if link.row is not None and link.selection_of is None]
    query = select(Asset).where(col(Asset.stage_id).in_(row_ids))
    outputs = {output.stage_id: output for output in session.exec(query)}
    for index, link in enumerate(links):
        stage = _stage(link)
        mask = _stage_mask(project, link, first=index == 0)
        if link.row is not None and link.selection_of is None:
            stage.changed = link.row.changed_fraction
            output = outputs.get(link.row.id or 0)
            if output is not None:
                stage.path = output.path
                stage.file = file_check(project, output, deep=deep)
                if stage.file != "intact":
                    problems.append(f"the recorded file of the {stage.kind} stage ({output.path}) is {stage.file}")
        if link.check == "unrecorded" and link.record is not None:
            notes.append(f"the {stage.kind} stage {link.record.stage_id[:8]} is signed but not in this project")
        if link.manifest is not None and link.record is None:
            notes.append(f"stage {index + 1} was signed by another tool ({stage.tool or 'unknown'})")
        stages.append(stage)
        masks.append(mask)

    share_summary = None
    owners = None
    if stages and verdict != "tampered":
        final_size = share_size((asset.width, asset.height)) if asset else _mask_size(masks)
        if final_size is not None:
            owners = ownership(masks, final_size)
            for stage, share in zip(stages, shares(masks, owners), strict=True):
                stage.share = share
            share_summary = _share_summary(stages)
            if not share_summary.complete:
                notes.append("shares are approximate: a stage's changes were never measured")
    if any(stage.test_model for stage in stages):
        notes.append("an AI stage used the built-in test model, not a real generator")
    background = next((link.record.background for link in links if link.record), None)
    report = AuditReport(
        file=file,
        sha256=sha256,
        verdict=verdict,
        trusted=verdict == "trusted",
        statement=_statement(verdict, stages, match, None),
        validation_state=validation_state,
        failures=failures or [],
        asset_id=asset.id if asset else None,
        background=background,
        stages=stages,
        summary=_summary(stages),
        shares=share_summary,
        match=match,
        problems=problems,
        notes=notes,
    )
    report._ownership = owners
    return report


def _failure_text(failure: dict[str, Any]) -> str:
    return f"{failure.get('code')}: {failure.get('explanation', '')}".strip()


def _stage(link: _Link) -> AuditStage:
    stage = _described_stage(link)
    stage.failures = link.failures
    return stage


def _described_stage(link: _Link) -> AuditStage:
    if link.selection_of is not None:
        selection = link.selection_of.selection
        assert selection is not None
        return AuditStage(
            kind="select",
            ai=False,
            people=[_person(p) for p in selection.people],
            settings={"alternatives": selection.alternatives},
            stage_id=selection.stage_id,
            manifest=link.label,
            record=link.check,
        )
    if link.record is None:
        return _foreign_stage(link.label, link.manifest or {})
    record = link.record
    tool = record.tool
    return AuditStage(
        kind=record.kind,
        ai=record.ai,
        people=[_person(p) for p in record.people],
        tool=f"{tool.name} {tool.version}" if tool and tool.version else (tool.name if tool else None),
        model=record.model.label if record.model else None,
        model_fingerprint=record.model.fingerprint if record.model else None,
        test_model=bool(record.model and record.model.test_model),
        settings=record.settings,
        source_type=_source_type(link.manifest) if link.manifest else None,
        stage_id=record.stage_id,
        manifest=link.label,
        record=link.check,
    )


def _recorded_links(session: Session, asset: Asset) -> list[_Link]:
    """The chain our records hold for an asset, first stage first (for a file with no manifest)."""
    links: list[_Link] = []
    current: Asset | None = asset
    while current is not None:
        row = session.get(Stage, current.stage_id)
        assert row is not None
        record = stage_record(session, row)
        links.append(_Link(record=record, check="from-records", row=row))
        if record.selection is not None:
            selection_row = session.get(Stage, row.selection_id) if row.selection_id else None
            links.append(_Link(record=None, check="from-records", row=selection_row, selection_of=record))
        used = session.exec(select(StageInput).where(StageInput.stage_id == row.id)).first()
        current = session.get(Asset, used.asset_id) if used else None
    return list(reversed(links))


def _reidentify(session: Session, project: Project, image: Any) -> Match | None:
    exact = session.exec(select(Asset).where(Asset.pixel_sha256 == pixel_sha256(image))).first()
    if exact is not None:
        return Match(asset_id=exact.id or 0, path=exact.path, phash_distance=0, dhash_distance=0, ssim=1.0)
    rows = [
        (asset_id or 0, phash, dhash)
        for asset_id, phash, dhash in session.exec(select(Asset.id, Asset.phash, Asset.dhash))
    ]
    phash, dhash = image_hashes(image)
    for candidate in HashIndex.build(rows).nearest(phash, dhash):
        recorded = session.get(Asset, candidate.asset_id)
        recorded_file = project.absolute(recorded.path) if recorded else None
        if recorded is None or recorded_file is None or not recorded_file.is_file():
            continue
        score = similarity(decode_image(recorded_file.read_bytes(), name=recorded.path), image)
        if score >= SSIM_BOUND:
            return Match(
                asset_id=candidate.asset_id,
                path=recorded.path,
                phash_distance=candidate.phash_distance,
                dhash_distance=candidate.dhash_distance,
                ssim=round(score, 4),
            )
    return None


def _stage_mask(project: Project, link: _Link, *, first: bool) -> StageMask:
    """What a link contributes to the ownership map.

    The first stage made every pixel. A selection changed none. A recorded stage changed what its mask
    covers; any other stage (unrecorded, from another tool, or recorded before masks) is unmeasured.
    """
    if link.selection_of is not None:
        return StageMask(first=False, mask=None, measured=True)
    mask = _load_mask(project, link.row) if link.row is not None else None
    return StageMask(first=first, mask=mask, measured=first or mask is not None)


def _load_mask(project: Project, row: Stage) -> np.ndarray | None:
    if not row.mask_path:
        return None
    try:
        return read_mask(project.absolute(row.mask_path).read_bytes())
    except OSError:
        return None


def _mask_size(masks: list[StageMask]) -> tuple[int, int] | None:
    last = next((m.mask for m in reversed(masks) if m.mask is not None), None)
    return share_size((last.shape[1], last.shape[0])) if last is not None else None


def _share_summary(stages: list[AuditStage]) -> Shares:
    people: dict[str, PersonShare] = {}
    for stage in stages:
        if not stage.share or not stage.people:
            continue
        portion = stage.share / len(stage.people)
        for person in stage.people:
            key = person.handle or person.name
            entry = people.setdefault(
                key, PersonShare(handle=person.handle, name=person.name, native_name=person.native_name, share=0.0)
            )
            entry.share = round(entry.share + portion, 6)
    return Shares(
        human=round(sum(s.share or 0.0 for s in stages if not s.ai), 6),
        ai=round(sum(s.share or 0.0 for s in stages if s.ai), 6),
        complete=all(stage.share is not None for stage in stages),
        people=sorted(people.values(), key=lambda p: -p.share),
    )


def _statement(
    verdict: Verdict, stages: list[AuditStage], match: Match | None, foreign: GeneratorMetadata | None
) -> str:
    humans = sum(not s.ai for s in stages)
    ais = sum(s.ai for s in stages)
    if verdict == "trusted":
        return f"Signed by a trusted certificate and intact: {len(stages)} stages, {humans} by people, {ais} by AI."
    if verdict == "valid-untrusted":
        return (
            "Intact, but signed by a certificate this project does not trust; if it is a partner's, "
            "add their CA with `provenance trust add`."
        )
    if verdict == "tampered":
        return "Changed after signing: the file no longer matches its manifest, so the names in it prove nothing."
    if verdict == "matched-without-manifest" and match is not None:
        return (
            f"This file carries no manifest, so it proves nothing by itself. Its pixels match recorded asset "
            f"#{match.asset_id} (SSIM {match.ssim:.2f}); the stages below are what our records say about that "
            "asset."
        )
    if verdict == "foreign-ai-metadata" and foreign is not None:
        details = ", ".join(f"{k} {foreign.parameters[k]}" for k in ("seed", "steps", "model_hash", "model")
                            if k in foreign.parameters)  # fmt: skip
        return f"Made with AI outside the tracked pipeline: {foreign.generator} metadata ({details or 'no settings'})."
    return "No manifest, no match in this project's records and no generator metadata: nothing can be said about it."


def _chain(manifest_store: ManifestStore) -> list[tuple[str, dict[str, Any]]]:
    """Manifests from the first stage to the active one, following ``parentOf`` ingredients."""
    chain = []
    label: str | None = manifest_store.active_label
    seen: set[str] = set()
    while label and label in manifest_store.manifests and label not in seen:
        seen.add(label)
        manifest = manifest_store.manifests[label]
        chain.append((label, manifest))
        parents = [i for i in manifest.get("ingredients", []) if i.get("relationship") == "parentOf"]
        label = parents[0].get("active_manifest") if parents else None
    return list(reversed(chain))


def _assertion(manifest: dict[str, Any], label: str) -> Any:
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") == label:
            return assertion.get("data")
    return None


def _signed_record(manifest: dict[str, Any]) -> StageRecord | None:
    data = _assertion(manifest, STAGE_ASSERTION)
    if data is None:
        return None
    try:
        return StageRecord.model_validate(data)
    except ValidationError:
        return None


def _source_type(manifest: dict[str, Any]) -> str | None:
    actions = (_assertion(manifest, "c2pa.actions.v2") or {}).get("actions", [])
    return next((a["digitalSourceType"] for a in actions if "digitalSourceType" in a), None)


def _foreign_stage(label: str | None, manifest: dict[str, Any]) -> AuditStage:
    """A manifest made outside this tool: what its standard assertions say."""
    source_type = _source_type(manifest)
    metadata = _assertion(manifest, "cawg.metadata") or {}
    names = list(metadata.get("dc:creator", [])) + list(metadata.get("dc:contributor", []))
    generator = (manifest.get("claim_generator_info") or [{}])[0].get("name")
    return AuditStage(
        kind="unknown",
        ai=source_type == TRAINED_ALGORITHMIC_MEDIA,
        people=[AuditPerson(handle=None, name=str(name)) for name in names],
        tool=generator,
        source_type=source_type,
        manifest=label,
        record="unrecorded",
    )


def _person(credit: PersonCredit) -> AuditPerson:
    return AuditPerson(handle=credit.handle, name=credit.name, native_name=credit.native_name, role=credit.role)


def _differences(signed: StageRecord, on_record: StageRecord) -> list[str]:
    signed_fields = signed.model_dump(mode="json")
    recorded_fields = on_record.model_dump(mode="json")
    return [key for key in signed_fields if signed_fields[key] != recorded_fields.get(key)]


def _summary(stages: list[AuditStage]) -> AuditSummary:
    people: list[str] = []
    for stage in stages:
        for person in stage.people:
            key = person.handle or person.name
            if key not in people:
                people.append(key)
    models = sorted({stage.model for stage in stages if stage.model})
    ai_stages = sum(stage.ai for stage in stages)
    return AuditSummary(
        stages=len(stages), ai_stages=ai_stages, human_stages=len(stages) - ai_stages, people=people, models=models
    )
