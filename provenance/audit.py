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

What each verdict promises (exit code in brackets) is in :data:`VERDICTS`. Two rules carry the weight:
``tampered`` means an integrity failure and nothing else, and ``trusted`` means that every stage this
studio signed has a matching record in this project's database, compared on what was fixed at signing.
A stage's origin is read from every action of its manifest: AI when any action declares an AI digital
source type, human when one declares a human one, ``undeclared`` when none says, never assumed human.

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
from .generator_metadata import GeneratorMetadata, read_generator_metadata
from .imaging import decode_image, mime_type_of, pixel_sha256, read_file
from .manifests import ManifestStore, read_manifest_store
from .manifests.validation import (
    FailureKind,
    ValidationFinding,
    action_sources,
    manifest_source_class,
)
from .project import Project
from .recorded_files import FileCheck, file_check
from .records import STAGE_ASSERTION, PersonCredit, StageRecord
from .reidentify import SSIM_BOUND, HashIndex, image_hashes, similarity
from .shares import StageMask, ownership, share_size, shares
from .stages import stage_record, stage_records
from .store import Asset, Stage, StageInput

Verdict = Literal[
    "trusted",
    "valid-untrusted",
    "tampered",
    "unknown",
    "records-differ",
    "matched-without-manifest",
    "foreign-ai-metadata",
    "unverifiable",
]
# matches/differs: a stage this studio signed, compared with its rows; missing: signed by this studio, but
# the rows are not in this project; unrecorded: signed by someone else (a partner, another tool), so
# there is nothing of ours to match; from-records: no manifest, the stage is what our records say.
RecordCheck = Literal["matches", "differs", "missing", "unrecorded", "from-records"]
Origin = Literal["human", "ai", "undeclared"]

# Each verdict, its exit code, and what it promises. The exit codes are a contract with delivery scripts.
VERDICTS: dict[str, tuple[int, str]] = {
    "trusted": (
        0,
        "every manifest intact and signed under an anchor trusted here; every stage this studio signed "
        "matches its record in this project",
    ),
    "valid-untrusted": (3, "intact, but a signer (or identity credential) is not trusted here"),
    "tampered": (4, "an integrity failure: pixels, an assertion or a signature no longer match their hashes"),
    "unknown": (5, "no manifest, no match in the records, no other generator's metadata"),
    "records-differ": (
        6,
        "intact and signed by this studio, but its records are missing here or disagree with what was signed "
        "(or a recorded file is missing or changed)",
    ),
    "matched-without-manifest": (7, "no manifest; the pixels match a recorded asset: our records, not proof"),
    "foreign-ai-metadata": (8, "no manifest; another AI front end's metadata says AI made it"),
    "unverifiable": (
        10,
        "a manifest is present but cannot be validated here (remote manifest, unsupported format or algorithm)",
    ),
}
# Only with --strict: a trusted verdict with notes (unrecorded or unmeasured stages, a test model).
NOTES_EXIT_CODE = 9
EXIT_CODES: dict[str, int] = {verdict: code for verdict, (code, _) in VERDICTS.items()} | {"notes": NOTES_EXIT_CODE}


class AuditPerson(Document):
    handle: str | None = Field(description="the person's handle, when the manifest names one")
    name: str
    native_name: str | None = None
    role: str | None = None


class AuditStage(Document):
    kind: str
    ai: bool = Field(description="true when the stage declares an AI digital source type (origin 'ai')")
    origin: Origin = Field(
        default="human", description="ai, human, or undeclared when the stage's manifest declares no source type"
    )
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
    undeclared: float = Field(default=0.0, description="made by stages that declare no source type")
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
    undeclared_stages: int = 0
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
        if strict and self.verdict == "trusted" and self.notes:
            return NOTES_EXIT_CODE
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
    # What the manifest (and the manifests it places as components) declares; None: no manifest.
    origin: Origin | None = None


def audit_file(project: Project, path: Path, *, deep: bool = False, thumbnails: bool = False) -> AuditReport:
    """Audit one file against the project's trust anchors and records.

    ``deep`` re-hashes every recorded file in the chain; by default a file is re-hashed only when its size
    or modification time differs from what was recorded. ``thumbnails`` keeps each manifest's embedded
    thumbnail on the report (``report.thumbnails``), read in the same pass, for the process sheet.
    """
    data = read_file(path)
    mime_type = mime_type_of(data)
    manifest_store = (
        read_manifest_store(data, project.trust_anchors, mime_type, thumbnails=thumbnails) if mime_type else None
    )
    with project.store.session() as session:
        if manifest_store is None:
            return _audit_unsigned(session, project, str(path), data, deep)
        studio_labels = _studio_signed(project, data, mime_type or "", manifest_store)
        report = _audit_signed(session, project, str(path), manifest_store, studio_labels, deep)
    report._thumbnails = manifest_store.thumbnails
    return report


def _studio_signed(project: Project, data: bytes, mime_type: str, manifest_store: ManifestStore) -> set[str]:
    """Labels of the manifests signed under this studio's own CA (not a partner's), intact or not.

    With partner anchors trusted, the store is validated a second time trusting our CA alone: a manifest
    that is then untrusted was signed by someone else, whatever stage ids it claims.
    """
    studio_view = manifest_store
    if project.partner_anchors:
        studio_view = read_manifest_store(data, project.studio_anchor, mime_type) or manifest_store
    return {label for label in studio_view.manifests if studio_view.signed_under_anchor(label)}


def _audit_signed(
    session: Session,
    project: Project,
    file: str,
    manifest_store: ManifestStore,
    studio_labels: set[str],
    deep: bool,
) -> AuditReport:
    verdict = _validation_verdict(manifest_store)
    links: list[_Link] = []
    problems: list[str] = []
    notes: list[str] = []
    chain = [(label, manifest, _signed_record(manifest)) for label, manifest in _chain(manifest_store)]
    ours = [(label, signed) for label, _, signed in chain if signed is not None and label in studio_labels]
    wanted = [signed.stage_id for _, signed in ours]
    wanted += [signed.selection.stage_id for _, signed in ours if signed.selection]
    rows = {row.uuid: row for row in session.exec(select(Stage).where(col(Stage.uuid).in_(wanted)))}
    on_record = stage_records(session, [rows[s.stage_id] for _, s in ours if s.stage_id in rows])
    for label, manifest, signed in chain:
        origin = _origin(manifest_store, label)
        if signed is None:
            links.append(_Link(record=None, check="unrecorded", label=label, manifest=manifest, origin=origin))
            continue
        row = rows.get(signed.stage_id) if label in studio_labels else None
        check: RecordCheck = "unrecorded"
        if label not in studio_labels:
            # A partner's (or anyone's) manifest may carry a stage record of ours; it never matches our rows.
            notes.append(
                f"the {signed.kind} stage {signed.stage_id[:8]} is signed by {_signer(manifest)}, not this studio; "
                "it has no records here to match"
            )
        elif row is None:
            check = "missing"
            problems.append(
                f"the {signed.kind} stage {signed.stage_id[:8]} is signed by this studio but not recorded in this "
                "project (a file left by an interrupted command, another project's file, or a database restored "
                "from an older backup); `provenance check` lists such files"
            )
        else:
            differences, changes = _differences(signed, on_record[row.uuid])
            check = "differs" if differences else "matches"
            if differences:
                problems.append(
                    f"{signed.kind} stage {signed.stage_id[:8]}: the manifest and the database disagree on "
                    + ", ".join(differences)
                )
            notes.extend(f"{signed.kind} stage {signed.stage_id[:8]}: {change}" for change in changes)
        if signed.selection is not None:
            selection_row = rows.get(signed.selection.stage_id) if label in studio_labels else None
            selection_check = check if check == "unrecorded" else _selection_check(session, signed, selection_row)
            links.append(
                _Link(
                    record=None, check=selection_check, label=label, row=selection_row, selection_of=signed,
                    origin="human",
                )
            )  # fmt: skip
        links.append(_Link(record=signed, check=check, label=label, manifest=manifest, row=row, origin=origin))
    asset = session.exec(select(Asset).where(Asset.manifest_label == manifest_store.active_label)).first()
    if asset is None and manifest_store.active_label in studio_labels and not any(
        link.check == "missing" for link in links
    ):
        problems.append("the file is signed by this studio but no recorded asset has this manifest")
    # c2pa names the manifest in each failure's URL (self#jumbf=/c2pa/<label>/...): give each stage its own.
    for link in links:
        if link.label and link.selection_of is None:
            link.failures = [_failure_text(f) for f in manifest_store.findings if f.manifest == link.label]
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
        failures=[_failure_text(f) for f in manifest_store.findings],
        problems=problems,
        notes=notes,
    )
    if report.verdict in ("trusted", "valid-untrusted") and manifest_store.active_label not in studio_labels:
        report.notes.append("the file is signed by another party; only stages this studio signed have records here")
    return report


def _selection_check(session: Session, signed: StageRecord, row: Stage | None) -> RecordCheck:
    """The selection a signed stage names, against the selection's own rows."""
    assert signed.selection is not None
    if row is None:
        return "missing"
    recorded = stage_record(session, row)
    same_people = [(p.handle, p.role) for p in signed.selection.people] == [(p.handle, p.role) for p in recorded.people]
    same_alternatives = signed.selection.alternatives == len(row.parameters.get("alternatives", []))
    return "matches" if same_people and same_alternatives else "differs"


def _validation_verdict(manifest_store: ManifestStore) -> Verdict:
    """What validation alone says: integrity first, then what cannot be checked here, then trust."""
    worst = manifest_store.worst
    if worst is FailureKind.INTEGRITY:
        return "tampered"
    if worst is FailureKind.UNVERIFIABLE:
        return "unverifiable"
    return "trusted" if manifest_store.trusted else "valid-untrusted"


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
            kind="ai_generate", ai=True, origin="ai", people=[], tool=foreign.generator,
            settings=foreign.parameters, record="unrecorded",
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
    notes: list[str] | None = None,
    match: Match | None = None,
) -> AuditReport:
    """Stages, shares, file checks and notes for a chain of links, newest last."""
    problems = list(problems or [])
    notes = list(notes or [])
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
        if link.manifest is not None and link.record is None:
            notes.append(f"stage {index + 1} was signed by another tool ({stage.tool or 'unknown'})")
        if stage.origin == "undeclared":
            notes.append(f"stage {index + 1} declares no digital source type: whether a person or AI made it is open")
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
    if problems and verdict in ("trusted", "valid-untrusted"):
        verdict = "records-differ"
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
        problems=list(dict.fromkeys(problems)),
        notes=list(dict.fromkeys(notes)),
    )
    report._ownership = owners
    return report


def _failure_text(finding: ValidationFinding) -> str:
    return f"{finding.code}: {finding.explanation}".strip().removesuffix(":")


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
            origin="human",
            people=[_person(p) for p in selection.people],
            settings={"alternatives": selection.alternatives},
            stage_id=selection.stage_id,
            manifest=link.label,
            record=link.check,
        )
    if link.record is None:
        return _foreign_stage(link.label, link.manifest or {}, link.origin or "undeclared")
    record = link.record
    tool = record.tool
    # Our own records say what a stage was; a manifest's declarations count where there is one.
    origin: Origin = link.origin if link.origin is not None else ("ai" if record.ai else "human")
    return AuditStage(
        kind=record.kind,
        ai=origin == "ai",
        origin=origin,
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

    def total(origin: Origin) -> float:
        return round(sum(s.share or 0.0 for s in stages if s.origin == origin), 6)

    return Shares(
        human=total("human"),
        ai=total("ai"),
        undeclared=total("undeclared"),
        complete=all(stage.share is not None for stage in stages),
        people=sorted(people.values(), key=lambda p: -p.share),
    )


def _statement(
    verdict: Verdict, stages: list[AuditStage], match: Match | None, foreign: GeneratorMetadata | None
) -> str:
    humans = sum(s.origin == "human" for s in stages)
    ais = sum(s.origin == "ai" for s in stages)
    undeclared = sum(s.origin == "undeclared" for s in stages)
    counted = f"{len(stages)} stages, {humans} by people, {ais} by AI" + (
        f", {undeclared} undeclared" if undeclared else ""
    )
    if verdict == "trusted":
        return f"Signed by a trusted certificate, intact, and matching this project's records: {counted}."
    if verdict == "valid-untrusted":
        return (
            "Intact, but signed by a certificate this project does not trust; if it is a partner's, "
            "add their CA with `provenance trust add`."
        )
    if verdict == "tampered":
        return "Changed after signing: the file no longer matches its manifest, so the names in it prove nothing."
    if verdict == "unverifiable":
        return (
            "A manifest is present but cannot be validated here (see the failures), so the names in it are "
            "neither confirmed nor refuted."
        )
    if verdict == "records-differ":
        return (
            f"Intact and signed by this studio, but this project's records are missing or disagree (see the "
            f"problems): {counted}."
        )
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
        parents = [i for i in _ingredients(manifest) if i.get("relationship") == "parentOf"]
        label = parents[0].get("active_manifest") if parents else None
    return list(reversed(chain))


def _ingredients(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in manifest.get("ingredients", []) if isinstance(i, dict)]


def _origin(manifest_store: ManifestStore, label: str) -> Origin:
    """What one stage's manifest declares, with AI declared by any manifest it places as a component.

    A component (say, a Photoshop file kept with the artist's paint-over) is part of the stage's work: AI
    declared anywhere in it makes the stage AI.
    """
    own = manifest_source_class(manifest_store.manifests.get(label, {}))
    pending, seen = [label], set()
    while pending:
        current = pending.pop()
        manifest = manifest_store.manifests.get(current)
        if current in seen or manifest is None:
            continue
        seen.add(current)
        if manifest_source_class(manifest) == "ai":
            return "ai"
        pending += [
            str(i["active_manifest"])
            for i in _ingredients(manifest)
            if i.get("relationship") != "parentOf" and i.get("active_manifest")
        ]
    return own


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
    """The first AI source type the manifest declares, else its first declared source type."""
    declared = [source for source in action_sources(manifest) if source.digital_source_type]
    ai = [source for source in declared if source.source_class == "ai"]
    return (ai or declared)[0].digital_source_type if declared else None


def _signer(manifest: dict[str, Any]) -> str:
    info = manifest.get("signature_info") or {}
    return str(info.get("issuer") or info.get("common_name") or "another party")


def _foreign_stage(label: str | None, manifest: dict[str, Any], origin: Origin) -> AuditStage:
    """A manifest made outside this tool: what its standard assertions say."""
    metadata = _assertion(manifest, "cawg.metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    names = [*_names(metadata.get("dc:creator")), *_names(metadata.get("dc:contributor"))]
    generator = (manifest.get("claim_generator_info") or [{}])[0]
    return AuditStage(
        kind="unknown",
        ai=origin == "ai",
        origin=origin,
        people=[AuditPerson(handle=None, name=name) for name in names],
        tool=str(generator.get("name")) if isinstance(generator, dict) and generator.get("name") else None,
        source_type=_source_type(manifest),
        manifest=label,
        record="unrecorded",
    )


def _names(value: Any) -> list[str]:
    """Names from a Dublin Core creator/contributor value: a string, a list, or schema.org-like objects."""
    items = value if isinstance(value, list) else [value] if value else []
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name)
    return names


def _person(credit: PersonCredit) -> AuditPerson:
    return AuditPerson(handle=credit.handle, name=credit.name, native_name=credit.native_name, role=credit.role)


def _differences(signed: StageRecord, on_record: StageRecord) -> tuple[list[str], list[str]]:
    """What disagrees among the facts fixed at signing, and the catalog edits made since (notes, not problems).

    Fixed at signing: the stage id, kind, people's handles and roles, inputs, the model's fingerprint and
    weights, settings, tool, times and the selection. Catalog facts a person may edit later: people's
    names, the model's name, version and licence.
    """
    fixed_signed, fixed_recorded = _fixed(signed), _fixed(on_record)
    if signed.inputs is None:  # version 1 records did not list their inputs
        fixed_recorded.pop("inputs", None)
        fixed_signed.pop("inputs", None)
    differences = [key for key in fixed_signed if fixed_signed[key] != fixed_recorded.get(key)]
    changes = []
    for before, after in zip(_everyone(signed), _everyone(on_record), strict=False):
        if before.handle == after.handle and (before.name, before.native_name) != (after.name, after.native_name):
            shown = lambda p: p.name + (f" / {p.native_name}" if p.native_name else "")  # noqa: E731
            changes.append(f"{before.handle} was signed as {shown(before)}, now recorded as {shown(after)}")
    if signed.model and on_record.model and signed.model.fingerprint == on_record.model.fingerprint:
        if signed.model.label != on_record.model.label:
            changes.append(f"the model signed as {signed.model.label} is now registered as {on_record.model.label}")
        if signed.model.license != on_record.model.license:
            changes.append(f"the model's licence is now recorded as {on_record.model.license or 'unknown'}")
    return differences, changes


def _fixed(record: StageRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude={"version"})
    for credit in [*data["people"], *((data.get("selection") or {}).get("people") or [])]:
        credit.pop("name", None)
        credit.pop("native_name", None)
    if data.get("model"):
        for key in ("name", "version", "license"):
            data["model"].pop(key, None)
    return data


def _everyone(record: StageRecord) -> list[PersonCredit]:
    return [*record.people, *(record.selection.people if record.selection else [])]


def _summary(stages: list[AuditStage]) -> AuditSummary:
    people: list[str] = []
    for stage in stages:
        for person in stage.people:
            key = person.handle or person.name
            if key not in people:
                people.append(key)
    models = sorted({stage.model for stage in stages if stage.model})
    return AuditSummary(
        stages=len(stages),
        ai_stages=sum(stage.origin == "ai" for stage in stages),
        human_stages=sum(stage.origin == "human" for stage in stages),
        undeclared_stages=sum(stage.origin == "undeclared" for stage in stages),
        people=people,
        models=models,
    )
