"""Walking a manifest store: the chain of stages, what each manifest declares, and who signed it.

The chain runs from the active manifest back through ``parentOf`` ingredients to the first stage. A
stage's origin is read from every action of its manifest and of every manifest it places as a component:
AI when any declares an AI digital source type, otherwise what the stage's own actions declare
(``undeclared`` when they declare nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..manifests import ManifestStore, read_manifest_store
from ..manifests.validation import action_sources, manifest_source_class
from ..project import Project
from ..records import STAGE_ASSERTION, PersonCredit, StageRecord
from ..store import Stage
from .report import AuditPerson, AuditStage, Origin, RecordCheck


@dataclass
class Link:
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


def studio_signed(project: Project, data: bytes, mime_type: str, manifest_store: ManifestStore) -> set[str]:
    """Labels of the manifests signed under this studio's own CA (not a partner's), intact or not.

    With partner anchors trusted, the store is validated a second time trusting our CA alone: a manifest
    that is then untrusted was signed by someone else, whatever stage ids it claims.
    """
    studio_view = manifest_store
    if project.partner_anchors:
        studio_view = read_manifest_store(data, project.studio_anchor, mime_type) or manifest_store
    return {label for label in studio_view.manifests if studio_view.signed_under_anchor(label)}


def manifest_chain(manifest_store: ManifestStore) -> list[tuple[str, dict[str, Any]]]:
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


def stage_origin(manifest_store: ManifestStore, label: str) -> Origin:
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


def assertion_data(manifest: dict[str, Any], label: str) -> Any:
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") == label:
            return assertion.get("data")
    return None


def signed_record(manifest: dict[str, Any]) -> StageRecord | None:
    data = assertion_data(manifest, STAGE_ASSERTION)
    if data is None:
        return None
    try:
        return StageRecord.model_validate(data)
    except ValidationError:
        return None


def source_type_of(manifest: dict[str, Any]) -> str | None:
    """The first AI source type the manifest declares, else its first declared source type."""
    declared = [source for source in action_sources(manifest) if source.digital_source_type]
    ai = [source for source in declared if source.source_class == "ai"]
    return (ai or declared)[0].digital_source_type if declared else None


def signer_of(manifest: dict[str, Any]) -> str:
    info = manifest.get("signature_info") or {}
    return str(info.get("issuer") or info.get("common_name") or "another party")


def foreign_stage(label: str | None, manifest: dict[str, Any], origin: Origin) -> AuditStage:
    """A manifest made outside this tool: what its standard assertions say."""
    metadata = assertion_data(manifest, "cawg.metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    names = [*_names(metadata.get("dc:creator")), *_names(metadata.get("dc:contributor"))]
    generator = (manifest.get("claim_generator_info") or [{}])[0]
    return AuditStage(
        kind="unknown",
        ai=origin == "ai",
        origin=origin,
        people=[AuditPerson(handle=None, name=name) for name in names],
        tool=str(generator.get("name")) if isinstance(generator, dict) and generator.get("name") else None,
        source_type=source_type_of(manifest),
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


def audit_person(credit: PersonCredit) -> AuditPerson:
    return AuditPerson(handle=credit.handle, name=credit.name, native_name=credit.native_name, role=credit.role)


def audit_stage(link: Link) -> AuditStage:
    stage = described_stage(link)
    stage.failures = link.failures
    stage.signer = signer_name(link.manifest) if link.manifest and link.selection_of is None else None
    return stage


def signer_name(manifest: dict[str, Any]) -> str | None:
    """The signing certificate's common name: the workstation, for identities ``keys issue`` made."""
    info = manifest.get("signature_info") or {}
    return str(info["common_name"]) if info.get("common_name") else None


def described_stage(link: Link) -> AuditStage:
    if link.selection_of is not None:
        selection = link.selection_of.selection
        assert selection is not None
        return AuditStage(
            kind="select",
            ai=False,
            origin="human",
            people=[audit_person(p) for p in selection.people],
            settings={"alternatives": selection.alternatives},
            stage_id=selection.stage_id,
            manifest=link.label,
            record=link.check,
        )
    if link.record is None:
        return foreign_stage(link.label, link.manifest or {}, link.origin or "undeclared")
    record = link.record
    tool = record.tool
    # Our own records say what a stage was; a manifest's declarations count where there is one.
    origin: Origin = link.origin if link.origin is not None else ("ai" if record.ai else "human")
    return AuditStage(
        kind=record.kind,
        ai=origin == "ai",
        origin=origin,
        people=[audit_person(p) for p in record.people],
        tool=f"{tool.name} {tool.version}" if tool and tool.version else (tool.name if tool else None),
        model=record.model.label if record.model else None,
        model_fingerprint=record.model.fingerprint if record.model else None,
        test_model=bool(record.model and record.model.test_model),
        settings=record.settings.model_dump(mode="json"),
        source_type=source_type_of(link.manifest) if link.manifest else None,
        stage_id=record.stage_id,
        manifest=link.label,
        record=link.check,
    )
