"""Auditing a file: who made it, stage by stage, how much of it is AI, and whether it is intact.

:func:`audit_file` reads the file's C2PA manifest store, validates it against the studio's trust anchors,
walks the ``parentOf`` ingredients back to the first stage, and compares every stage's signed record with
the database. :func:`build_report` does the walking and comparing as a pure function of its inputs.

>>> report = audit_file(project, Path("assets/harbor/C012/C012_revise_1a2b3c4d.png"))  # doctest: +SKIP
>>> report.verdict, [stage.kind for stage in report.stages]  # doctest: +SKIP
('trusted', ['sketch', 'ai_generate', 'select', 'revise'])
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from sqlmodel import select

from .documents import Document, schema_config
from .errors import InputFileError
from .manifests import ManifestStore, read_manifest_store
from .manifests.definition import TRAINED_ALGORITHMIC_MEDIA
from .project import Project
from .records import STAGE_ASSERTION, PersonCredit, StageRecord
from .stages import stage_record
from .store import Asset, Stage

Verdict = Literal["trusted", "valid-untrusted", "tampered", "no-manifest"]
RecordCheck = Literal["matches", "differs", "unrecorded"]

EXIT_CODES: dict[str, int] = {
    "trusted": 0,
    "valid-untrusted": 3,
    "tampered": 4,
    "no-manifest": 5,
    # A trusted, intact file whose records say something else: the database or the file was swapped.
    "records-differ": 6,
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
    sha256: str
    verdict: Verdict
    trusted: bool
    validation_state: str | None
    failures: list[str] = Field(description="validation failure codes with their explanations")
    asset_id: int | None = None
    background: str | None = None
    stages: list[AuditStage]
    summary: AuditSummary
    problems: list[str]

    @property
    def exit_code(self) -> int:
        if self.verdict == "trusted" and self.problems:
            return EXIT_CODES["records-differ"]
        return EXIT_CODES[self.verdict]


def audit_file(project: Project, path: Path) -> AuditReport:
    """Audit one file against the project's trust anchors and records."""
    if not path.is_file():
        raise InputFileError(f"{path} does not exist or is not a file; check the path")
    data = path.read_bytes()
    mime_type = next((mime for magic, mime in _MIME_BY_MAGIC.items() if data.startswith(magic)), None)
    if mime_type is None:
        raise InputFileError(f"{path} is not a PNG or JPEG file; the audit reads C2PA in PNG and JPEG")
    manifest_store = read_manifest_store(data, project.signing_identity, mime_type)
    sha256 = hashlib.sha256(data).hexdigest()
    with project.store.session() as session:
        asset = session.exec(select(Asset).where(Asset.sha256 == sha256)).first()

        def recorded(stage_id: str) -> StageRecord | None:
            stage = session.exec(select(Stage).where(Stage.uuid == stage_id)).first()
            return stage_record(session, stage) if stage else None

        return build_report(
            file=str(path),
            sha256=sha256,
            manifest_store=manifest_store,
            asset_id=asset.id if asset else None,
            recorded=recorded,
        )


def build_report(
    *,
    file: str,
    sha256: str,
    manifest_store: ManifestStore | None,
    asset_id: int | None,
    recorded: Callable[[str], StageRecord | None],
) -> AuditReport:
    """The report for a validated manifest store and a way to look up stage records. Pure."""
    if manifest_store is None:
        return AuditReport(
            file=file,
            sha256=sha256,
            verdict="no-manifest",
            trusted=False,
            validation_state=None,
            failures=[],
            asset_id=asset_id,
            stages=[],
            summary=_summary([]),
            problems=["the file carries no C2PA manifest, so it proves nothing about who made it"],
        )
    verdict: Verdict
    if not manifest_store.intact:
        verdict = "tampered"
    elif manifest_store.trusted:
        verdict = "trusted"
    else:
        verdict = "valid-untrusted"

    stages: list[AuditStage] = []
    problems: list[str] = []
    background = None
    for label, manifest in _chain(manifest_store):
        signed = _signed_record(manifest)
        if signed is None:
            stages.append(_foreign_stage(label, manifest))
            continue
        background = background or signed.background
        on_record = recorded(signed.stage_id)
        check: RecordCheck = "unrecorded"
        if on_record is not None:
            differences = _differences(signed, on_record)
            check = "differs" if differences else "matches"
            if differences:
                problems.append(
                    f"{signed.kind} stage {signed.stage_id[:8]}: the manifest and the database disagree on "
                    + ", ".join(differences)
                )
        else:
            problems.append(f"{signed.kind} stage {signed.stage_id[:8]} is signed but not in this project")
        if signed.selection is not None:
            stages.append(
                AuditStage(
                    kind="select",
                    ai=False,
                    people=[_person(p) for p in signed.selection.people],
                    settings={"alternatives": signed.selection.alternatives},
                    stage_id=signed.selection.stage_id,
                    manifest=label,
                    record=check,
                )
            )
        stages.append(_tracked_stage(label, manifest, signed, check))
    if verdict != "tampered" and asset_id is None and not problems:
        problems.append("the file is validly signed but is not a file this project recorded")

    return AuditReport(
        file=file,
        sha256=sha256,
        verdict=verdict,
        trusted=verdict == "trusted",
        validation_state=manifest_store.validation_state,
        failures=[f"{f.get('code')}: {f.get('explanation', '')}".strip() for f in manifest_store.failures],
        asset_id=asset_id,
        background=background,
        stages=stages,
        summary=_summary(stages),
        problems=problems,
    )


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


def _tracked_stage(label: str, manifest: dict[str, Any], record: StageRecord, check: RecordCheck) -> AuditStage:
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
        source_type=_source_type(manifest),
        stage_id=record.stage_id,
        manifest=label,
        record=check,
    )


def _foreign_stage(label: str, manifest: dict[str, Any]) -> AuditStage:
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
        stages=len(stages),
        ai_stages=ai_stages,
        human_stages=len(stages) - ai_stages,
        people=people,
        models=models,
    )
