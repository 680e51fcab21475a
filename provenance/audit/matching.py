"""Files without a manifest: finding the recorded asset by its pixels, and the chain our records hold."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from ..imaging import decode_image, pixel_sha256
from ..project import Project
from ..reidentify import SSIM_BOUND, HashIndex, image_hashes, similarity
from ..store import Asset
from ..store.queries import chain_behind, stage_records, stages_of
from .chain import Link
from .report import Match


def recorded_links(session: Session, asset: Asset) -> list[Link]:
    """The chain our records hold for an asset, first stage first (for a file with no manifest).

    Every stage behind the asset is included, through every input of every stage; a stage that worked
    on a selected candidate is preceded by that selection.
    """
    rows = chain_behind(session, asset)
    records = stage_records(session, rows)
    selections = stages_of(session, [row.selection_id for row in rows if row.selection_id is not None])
    links: list[Link] = []
    for row in rows:
        record = records[row.uuid]
        if record.selection is not None and row.selection_id is not None:
            selection = selections.get(row.selection_id)
            links.append(Link(record=None, check="from-records", row=selection, selection_of=record))
        links.append(Link(record=record, check="from-records", row=row))
    return links


def reidentify(session: Session, project: Project, image: Any) -> Match | None:
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
