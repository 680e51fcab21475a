"""Every recorded asset at a glance: its id, the stage that made it, its people and whether its file is intact.

What ``provenance asset list`` prints, so a person can find the id that ``generate``, ``select``,
``revise``, ``replay`` and ``lineage`` take. An AI candidate carries its number in its batch, the
``candidate N`` that ``provenance generate`` printed beside its id. The file column compares each file
with its row as the audit does (size and time, then sha256: :func:`provenance.recorded_files.file_check`);
a full audit of each file is ``provenance audit``'s job.

>>> listing = list_assets(project, "harbor/C012")  # doctest: +SKIP
>>> [(entry.asset_id, entry.kind, entry.candidate) for entry in listing.assets]  # doctest: +SKIP
[(1, 'sketch', None), (2, 'ai_generate', 1), (3, 'ai_generate', 2), (4, 'ai_generate', 3), (5, 'revise', None)]
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlmodel import Session, col, select

from . import catalog
from .documents import Document, schema_config
from .project import Project
from .recorded_files import file_check
from .store import Asset, Background
from .store.queries import background_names, people_of, selections_of, stages_of, utc
from .vocabulary import stage_kind


class AssetPerson(Document):
    handle: str
    name: str
    role: str


class AssetEntry(Document):
    asset_id: int
    background: str = Field(description="PRODUCTION/CUT")
    kind: str = Field(description="the kind of the stage that made the file: sketch, ai_generate, revise...")
    ai: bool = Field(description="whether that stage is AI work")
    stage_id: str
    candidate: int | None = Field(
        description="for an AI candidate: its number in its batch, as `provenance generate` printed it"
    )
    candidates: int | None = Field(description="for an AI candidate: how many candidates its batch made")
    people: list[AssetPerson] = Field(description="who did the stage, in the order they were recorded")
    selected_by: list[str] = Field(description="handles of the people whose selection picked this asset")
    file: Literal["intact", "changed", "missing"] = Field(
        description="the file compared with its row: size and time, then sha256"
    )
    path: str = Field(description="relative to the project")
    created_at: datetime


class AssetList(Document):
    """What ``provenance asset list --json`` prints; schema ``schemas/asset-list.v1.json``."""

    model_config = schema_config("asset-list.v1.json")

    document: Literal["provenance.asset-list"] = "provenance.asset-list"
    version: Literal[1] = 1
    scope: str | None = Field(description="the production or PRODUCTION/CUT listed; null for the whole project")
    assets: list[AssetEntry] = Field(description="in the order they were recorded")


def list_assets(project: Project, scope: str | None = None) -> AssetList:
    """Every recorded asset of the project, of one production (``harbor``) or of one background (``harbor/C012``).

    The rows come in a fixed number of queries, whatever the number of assets; each file is then compared
    with its row (a stat, and a hash only when size or time differ).
    """
    with project.store.session() as session:
        query = select(Asset).order_by(col(Asset.id))
        if scope is not None:
            query = query.where(col(Asset.background_id).in_(_background_ids(session, scope)))
        assets = list(session.exec(query))
        stages = stages_of(session, {asset.stage_id for asset in assets})
        picked = selections_of(session, [asset.id for asset in assets if asset.id is not None])
        selections = [stage for chosen in picked.values() for stage in chosen]
        people = people_of(session, [*stages.values(), *selections])
        backgrounds = background_names(session, {asset.background_id for asset in assets})
    entries = []
    for asset in assets:
        stage = stages[asset.stage_id]
        batch_place = _batch_place(stage.kind, stage.parameters)
        entries.append(
            AssetEntry(
                asset_id=asset.id or 0,
                background=backgrounds[asset.background_id][1],
                kind=stage.kind,
                ai=stage_kind(stage.kind).ai,
                stage_id=stage.uuid,
                candidate=batch_place[0] if batch_place else None,
                candidates=batch_place[1] if batch_place else None,
                people=[
                    AssetPerson(handle=credit.handle, name=credit.name, role=credit.role)
                    for credit in people.get(stage.id or 0, [])
                ],
                selected_by=[
                    credit.handle
                    for selection in picked.get(asset.id or 0, [])
                    for credit in people.get(selection.id or 0, [])
                ],
                file=file_check(project, asset),
                path=asset.path,
                created_at=utc(asset.created_at),
            )
        )
    return AssetList(scope=scope, assets=entries)


def _background_ids(session: Session, scope: str) -> list[int]:
    """The backgrounds a scope names: one for ``PRODUCTION/CUT``, all of a production for ``PRODUCTION``."""
    if "/" in scope:
        return [catalog.get_background(session, scope).id or 0]
    production = catalog.get_production(session, scope)
    query = select(Background.id).where(Background.production_id == production.id)
    return [background_id for background_id in session.exec(query) if background_id is not None]


def _batch_place(kind: str, parameters: dict[str, Any]) -> tuple[int, int | None] | None:
    """``(number, batch size)`` of an AI candidate, as its generation recorded them in the stage's settings."""
    number = parameters.get("candidate") if kind == "ai_generate" else None
    if number is None:
        return None
    size = parameters.get("candidates")
    return int(number), int(size) if size is not None else None
