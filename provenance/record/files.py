"""Recording a person's file: a layout sketch, or a paint-over of an earlier stage.

The file must be a person's work: anything that says AI made it (see :mod:`provenance.record.evidence`)
is refused, and the refusal names the honest way to record it. With ``external_ai`` the file is recorded
as what it is, an AI picture made outside the tracked pipeline. A file that carries its own C2PA
manifest keeps it, as a component ingredient of ours.

>>> sketch = record_sketch(project, "harbor/C012", Path("layout.png"), artist="tanaka-aiko")  # doctest: +SKIP
>>> record_revision(project, "3", Path("paintover.png"), artist="suzuki-ren")  # doctest: +SKIP
"""

from __future__ import annotations

import shlex
from pathlib import Path

from .. import catalog
from ..change_mask import change_mask
from ..errors import AIEvidenceError, InputFileError, InvalidValueError
from ..imaging import decode_image, mime_type_of, read_file
from ..manifests import read_manifest_store
from ..pending_files import PendingFiles
from ..plain_text import checked_optional_text
from ..project import Project
from ..recorded_files import verified_file
from ..store import Asset, Stage, saved_id
from ..store.queries import selection_of
from ..vocabulary import role as lookup_role
from ..vocabulary import stage_kind
from .evidence import AIEvidence, find_ai_evidence
from .writing import RecordedFile, default_destination, write_stage


def record_sketch(
    project: Project,
    background: str,
    file: Path,
    *,
    artist: str,
    role: str | None = None,
    tool: str | None = None,
    output: Path | None = None,
    external_ai: bool = False,
) -> RecordedFile:
    """Record a hand-drawn sketch (the first stage of a background) as a signed PNG.

    A file that carries evidence of AI (see :mod:`provenance.record.evidence`) is refused, unless
    ``external_ai`` records it honestly as an AI picture made outside the tracked pipeline.
    """
    return _record_file(
        project, "sketch", file, person=artist, role=role, tool=tool, output=output, background=background,
        external_ai=external_ai,
    )  # fmt: skip


def record_revision(
    project: Project,
    asset: str,
    file: Path,
    *,
    artist: str,
    role: str | None = None,
    tool: str | None = None,
    output: Path | None = None,
    external_ai: bool = False,
) -> RecordedFile:
    """Record a person's paint-over of an asset (usually the selected AI candidate).

    AI work that the asset already carries is expected; evidence of AI from anywhere else is refused
    unless ``external_ai`` records the file as AI edits made outside the tracked pipeline.
    """
    return _record_file(
        project, "revise", file, person=artist, role=role, tool=tool, output=output, parent=asset,
        external_ai=external_ai,
    )  # fmt: skip


def _record_file(
    project: Project,
    kind: str,
    file: Path,
    *,
    person: str,
    role: str | None,
    tool: str | None,
    output: Path | None,
    external_ai: bool,
    background: str | None = None,
    parent: str | None = None,
) -> RecordedFile:
    """Record a person's file as a stage: their own work, or with ``external_ai`` an AI picture they bring in."""
    tool = checked_optional_text(tool, "tool")
    if external_ai:
        kind = "ai_external"
    role_code = lookup_role(role or stage_kind(kind).default_role).code
    if output is not None and output.suffix.lower() != ".png":
        raise InvalidValueError(f"{output} must end in .png: every stage writes a signed PNG")
    data = read_file(file)
    image = decode_image(data, name=str(file))
    mime_type = mime_type_of(data)
    own_store = read_manifest_store(data, project.trust_anchors, mime_type) if mime_type else None
    if own_store is not None and not own_store.intact:
        codes = ", ".join(sorted({finding.code for finding in own_store.findings}))
        raise InputFileError(
            f"{file} carries a C2PA manifest that fails validation ({codes}), so its history cannot be kept; "
            "export it again from the application that signed it"
        )
    named_parent = catalog.asset_reference(parent) if parent is not None else None
    with project.store.reading() as session:
        catalog.get_person(session, person)
        parent_asset = catalog.find_asset(session, named_parent) if named_parent is not None else None
        evidence = find_ai_evidence(session, project, data, image, parent=parent_asset, manifest_store=own_store)
    if evidence and not external_ai:
        raise AIEvidenceError(_refusal(file, kind, evidence, person))
    settings = {"evidence": [item.summary for item in evidence]} if external_ai else {}
    generator = next((item.generator for item in evidence if item.generator), None)
    component = (file.name, data, mime_type) if own_store is not None and mime_type else None

    with PendingFiles() as pending, project.store.session() as session:
        contributor = catalog.get_person(session, person)
        inputs: list[Asset] = []
        parent_file = None
        mask = None
        selection = None
        if parent_asset is not None:
            inputs = [parent_asset]
            parent_file = (Path(parent_asset.path).name, verified_file(project, parent_asset))
            mask = change_mask(decode_image(parent_file[1], name=parent_asset.path), image)
            background_id = parent_asset.background_id
            selection = selection_of(session, parent_asset)
        else:
            assert background is not None
            background_id = saved_id(catalog.get_background(session, background))
        stage = Stage(
            kind=kind,
            background_id=background_id,
            tool=tool or generator,
            selection_id=selection.id if selection else None,
            parameters=settings,
        )
        destination = output if output is not None else default_destination(project, session, stage)
        result = write_stage(
            session,
            pending,
            project,
            stage,
            people=[(contributor, role_code)],
            inputs=inputs,
            image=image,
            destination=destination,
            parent=parent_file,
            mask=mask,
            component=component,
        )
        pending.publish()
    return result


def _refusal(file: Path, kind: str, evidence: list[AIEvidence], person: str) -> str:
    """One line: what says the file is AI, and the honest way to record it (a command that runs as printed)."""
    what = "a sketch" if kind == "sketch" else "a paint-over"
    found = evidence[0]
    if found.asset_id is not None:
        # Quoted as a shell reads it, so the command runs as printed whatever the file is called.
        shown = shlex.quote(str(file))
        honest = f"to record work on it, use `provenance revise {found.asset_id} {shown} --artist {person}`"
    else:
        honest = "if AI made it, record it as such with {option:external_ai}"
    more = f" (and {len(evidence) - 1} more sign{'s' if len(evidence) > 2 else ''})" if len(evidence) > 1 else ""
    return f"{file} cannot be recorded as {what} by a person: {found.summary}{more}; {honest}"
