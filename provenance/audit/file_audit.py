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
masks measured when the stages were recorded), with totals per person and for human against AI work; and
``contribution``: what it gave, measured the way that fits it (a layout's composition, a painting or AI
stage's pixels, a selection's decision; :mod:`.contributions`).

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
from pathlib import Path

from sqlmodel import Session, col, select

from ..generator_metadata import read_generator_metadata
from ..imaging import decode_image, mime_type_of, read_file
from ..manifests import ManifestStore, read_manifest_store
from ..plain_text import encodable
from ..project import Project
from ..recorded_files import file_check
from ..signers import revocation_note, revoked_signers
from ..store import Asset
from .chain import Link, audit_stage, studio_signed
from .contributions import FinalPicture, Picture, contributions, small_picture
from .matching import recorded_links, reidentify
from .reconcile import reconcile_chain
from .report import AuditReport, AuditStage, AuditSummary, Match, StageContribution, Verdict
from .shares import StageMask, mask_size, ownership, share_size, share_summary, shares, stage_mask
from .verdict import failure_text, statement, validation_verdict


def audit_file(project: Project, path: Path, *, deep: bool = False, thumbnails: bool = False) -> AuditReport:
    """Audit one file against the project's trust anchors and records.

    ``deep`` re-hashes every recorded file in the chain; by default a file is re-hashed only when its size
    or modification time differs from what was recorded. ``thumbnails`` keeps each manifest's embedded
    thumbnail on the report (``report.thumbnails``) for the process sheet; they are read in any case, in
    the same pass, because a layout's composition is measured on them.
    """
    data = read_file(path)
    file = encodable(str(path))  # a name that is not UTF-8 would make the report impossible to write as JSON
    mime_type = mime_type_of(data)
    manifest_store = read_manifest_store(data, project.trust_anchors, mime_type, thumbnails=True) if mime_type else None
    with project.store.reading() as session:
        if manifest_store is None:
            return _audit_unsigned(session, project, file, data, deep)
        studio_labels = studio_signed(project, data, mime_type or "", manifest_store)
        report = _audit_signed(session, project, file, data, manifest_store, studio_labels, deep)
    if thumbnails:
        report._thumbnails = manifest_store.thumbnails
    return report


def _audit_signed(
    session: Session,
    project: Project,
    file: str,
    data: bytes,
    manifest_store: ManifestStore,
    studio_labels: set[str],
    deep: bool,
) -> AuditReport:
    verdict = validation_verdict(manifest_store)
    links, problems, notes = reconcile_chain(session, manifest_store, studio_labels)
    # A key the studio revoked proves nothing any more: no timestamp says its files predate the revocation.
    revoked = revoked_signers(session, [manifest_store.manifests[label] for label in sorted(studio_labels)])
    notes += [revocation_note(signer) for signer in revoked]
    verdict = "valid-untrusted" if revoked and verdict == "trusted" else verdict
    asset = session.exec(select(Asset).where(Asset.manifest_label == manifest_store.active_label)).first()
    if (
        asset is None
        and manifest_store.active_label in studio_labels
        and not any(link.check == "missing" for link in links)
    ):
        problems.append("the file is signed by this studio but no recorded asset has this manifest")
    # c2pa names the manifest in each failure's URL (self#jumbf=/c2pa/<label>/...): give each stage its own.
    for link in links:
        if link.label and link.selection_of is None:
            link.failures = [failure_text(f) for f in manifest_store.findings if f.manifest == link.label]
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
        failures=[failure_text(f) for f in manifest_store.findings],
        problems=problems,
        notes=notes,
        thumbnails=manifest_store.thumbnails,
        final=_signed_picture(manifest_store, data, file),
    )
    if revoked and report.verdict == "valid-untrusted":
        report.statement = "Intact and signed under the studio CA, but with a revoked key (see the note): not trusted."
    if report.verdict in ("trusted", "valid-untrusted") and manifest_store.active_label not in studio_labels:
        report.notes.append("the file is signed by another party; only stages this studio signed have records here")
    return report


def _audit_unsigned(session: Session, project: Project, file: str, data: bytes, deep: bool) -> AuditReport:
    sha256 = hashlib.sha256(data).hexdigest()
    image = decode_image(data, name=file)
    match = reidentify(session, project, image)
    if match is not None:
        asset = session.get(Asset, match.asset_id)
        assert asset is not None
        report = _report(
            session, project, file=file, sha256=sha256, verdict="matched-without-manifest",
            links=recorded_links(session, asset), asset=asset, deep=deep, match=match,
            final=lambda: Picture(image, "audited file"),
        )  # fmt: skip
        return report
    foreign = read_generator_metadata(data)
    if foreign is not None:
        stage = AuditStage(
            kind="ai_generate", ai=True, origin="ai", people=[], tool=foreign.generator,
            settings=foreign.parameters, record="unrecorded",
            contribution=StageContribution(
                kind="pixels", measure=None, text="pixels unmeasured",
                unmeasured="made outside the tracked pipeline: no earlier stage is known to compare with",
            ),
        )  # fmt: skip
        return AuditReport(
            file=file, sha256=sha256, verdict="foreign-ai-metadata", trusted=False,
            statement=statement("foreign-ai-metadata", [stage], None, foreign),
            validation_state=None, failures=[], stages=[stage], summary=summary([stage]), foreign=foreign,
            problems=[], notes=["no person is recorded for this file"],
        )  # fmt: skip
    return AuditReport(
        file=file, sha256=sha256, verdict="unknown", trusted=False, statement=statement("unknown", [], None, None),
        validation_state=None, failures=[], stages=[], summary=summary([]), problems=[], notes=[],
    )  # fmt: skip


def _report(
    session: Session,
    project: Project,
    *,
    file: str,
    sha256: str | None,
    verdict: Verdict,
    links: list[Link],
    asset: Asset | None,
    deep: bool,
    validation_state: str | None = None,
    failures: list[str] | None = None,
    problems: list[str] | None = None,
    notes: list[str] | None = None,
    match: Match | None = None,
    thumbnails: dict[str, bytes] | None = None,
    final: FinalPicture,
) -> AuditReport:
    """Stages, shares, contributions, file checks and notes for a chain of links, newest last.

    ``thumbnails`` are the manifests' thumbnails by label; ``final`` gives the audited picture, read only
    when a layout's composition is measured.
    """
    problems = list(problems or [])
    notes = list(notes or [])
    stages: list[AuditStage] = []
    masks: list[StageMask] = []
    row_ids = [link.row.id for link in links if link.row is not None and link.selection_of is None]
    query = select(Asset).where(col(Asset.stage_id).in_(row_ids))
    outputs = {output.stage_id: output for output in session.exec(query)}
    for index, link in enumerate(links):
        stage = audit_stage(link)
        mask = stage_mask(project, link, first=index == 0)
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

    totals = None
    owners = None
    if stages and verdict != "tampered":
        final_size = share_size((asset.width, asset.height)) if asset else mask_size(masks)
        if final_size is not None:
            owners = ownership(masks, final_size)
            for stage, share in zip(stages, shares(masks, owners), strict=True):
                stage.share = share
            totals = share_summary(stages)
            if not totals.complete:
                notes.append("shares are approximate: a stage's changes were never measured")
    changed = "the file changed after signing, so nothing in it is measured" if verdict == "tampered" else None
    notes += contributions(project, stages, links, thumbnails or {}, final, unmeasured=changed)
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
        statement=statement(verdict, stages, match, None),
        validation_state=validation_state,
        failures=failures or [],
        asset_id=asset.id if asset else None,
        background=background,
        stages=stages,
        summary=summary(stages),
        shares=totals,
        match=match,
        problems=list(dict.fromkeys(problems)),
        notes=list(dict.fromkeys(notes)),
    )
    report._ownership = owners
    return report


def _signed_picture(manifest_store: ManifestStore, data: bytes, file: str) -> FinalPicture:
    """The signed file's picture: its manifest's thumbnail (a 4K file is never decoded for it), else its pixels."""

    def picture() -> Picture | None:
        thumbnail = manifest_store.thumbnails.get(manifest_store.active_label)
        image = small_picture(thumbnail, file) if thumbnail else None
        if image is not None:
            return Picture(image, "manifest thumbnail")
        image = small_picture(data, file)
        return Picture(image, "audited file") if image is not None else None

    return picture


def summary(stages: list[AuditStage]) -> AuditSummary:
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
