"""Writing one stage: its rows, its signed file and its change mask, queued to appear together.

Every recording function ends here. :func:`write_stage` adds the rows, builds the manifest from the
record those very rows give (:func:`~provenance.store.queries.stage_record`), signs the file and queues it
with :class:`~provenance.pending_files.PendingFiles`; the caller publishes the files and commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from sqlmodel import Session

from ..change_mask import fit_mask, mask_png, share_size
from ..imaging import describe, png_bytes, thumbnail_jpeg
from ..manifests import manifest_definition, new_manifest_label, sign_png
from ..pending_files import PendingFiles
from ..project import Project
from ..store import Asset, Contribution, Person, Stage, StageInput, saved_id
from ..store.queries import background_names, stage_record


@dataclass(frozen=True)
class RecordedFile:
    """One file a stage wrote: its asset id and its path relative to the project folder."""

    asset_id: int
    path: str
    stage_id: str


def write_stage(
    session: Session,
    pending: PendingFiles,
    project: Project,
    stage: Stage,
    *,
    people: list[tuple[Person, str]],
    inputs: list[Asset],
    image: Image.Image,
    destination: Path,
    parent: tuple[str, bytes] | None,
    mask: np.ndarray | None = None,
    text: dict[str, str] | None = None,
    component: tuple[str, bytes, str] | None = None,
) -> RecordedFile:
    """Add one stage's rows, sign its file and queue it; the caller publishes and commits.

    With a parent, ``mask`` is the pixels the stage changed (:func:`~provenance.change_mask.change_mask`), queued
    with the file; a first stage made every pixel and has none.
    """
    relative_path = project.relative(destination)
    if mask is not None:
        mask_file = project.folder / "masks" / f"{stage.uuid}.png"
        # Measured at the working size; kept at the size shares are computed at, which is all an audit reads.
        pending.add(mask_file, mask_png(fit_mask(mask, share_size((mask.shape[1], mask.shape[0])))))
        stage.mask_path = project.relative(mask_file)
        stage.changed_fraction = float(mask.mean())
    else:
        stage.changed_fraction = 1.0
    session.add(stage)
    session.flush()
    for person, role_code in people:
        session.add(Contribution(stage_id=saved_id(stage), person_id=saved_id(person), role=role_code))
    for used in inputs:
        session.add(StageInput(stage_id=saved_id(stage), asset_id=saved_id(used)))
    session.flush()

    definition = manifest_definition(
        stage_record(session, stage),
        title=destination.name,
        has_parent=parent is not None,
        has_component=component is not None,
    )
    manifest_label = new_manifest_label()
    signed = sign_png(
        definition,
        png_bytes(image, text),
        project.signing_identity,
        thumbnail=thumbnail_jpeg(image),
        label=manifest_label,
        parent=parent,
        component=component,
    )
    facts = describe(signed, image)
    written = pending.add(destination, signed)
    asset = Asset(
        background_id=stage.background_id,
        stage_id=saved_id(stage),
        path=relative_path,
        sha256=facts.sha256,
        pixel_sha256=facts.pixel_sha256,
        phash=facts.phash,
        dhash=facts.dhash,
        width=facts.width,
        height=facts.height,
        format=facts.format,
        size=written.st_size,
        mtime_ns=written.st_mtime_ns,
        manifest_label=manifest_label,
    )
    session.add(asset)
    session.flush()
    return RecordedFile(asset_id=saved_id(asset), path=relative_path, stage_id=stage.uuid)


def default_destination(project: Project, session: Session, stage: Stage, suffix: str = "") -> Path:
    """``assets/<production>/<cut>/<cut>_<kind>_<stage id>[_<suffix>].png`` inside the project."""
    production, name = background_names(session, [stage.background_id])[stage.background_id]
    cut = name.split("/", 1)[1]
    file_name = f"{cut}_{stage.kind}_{stage.uuid[:8]}{'_' + suffix if suffix else ''}.png"
    return project.root / "assets" / production / cut / file_name
