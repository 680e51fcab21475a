"""The recorded lineage of an asset: the stages and inputs behind it, back to the first sketch.

>>> lineage = asset_lineage(project, "5")  # doctest: +SKIP
>>> [node.kind for node in lineage.asset.walk()]  # doctest: +SKIP
['revise', 'ai_generate', 'sketch']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field
from sqlmodel import Session, col, select

from .. import catalog
from ..documents import Document, schema_config
from ..project import Project
from ..records import GenerationParameters
from ..store import Asset, Stage, StageInput, saved_id
from ..store.queries import stage_record


class LineageDecision(Document):
    """A stage that wrote no file but decided about this asset (a selection)."""

    kind: str
    stage_id: str
    people: list[str]


class LineageNode(Document):
    asset_id: int
    path: str
    kind: str
    ai: bool
    stage_id: str
    people: list[str] = Field(description="'Name (ROLE)' for each person on the stage")
    tool: str | None = None
    model: str | None = None
    seed: int | None = None
    decisions: list[LineageDecision] = Field(default_factory=list)
    inputs: list[LineageNode] = Field(default_factory=list)

    def walk(self) -> Iterator[LineageNode]:
        yield self
        for parent in self.inputs:
            yield from parent.walk()


class Lineage(Document):
    """What ``provenance lineage --json`` prints; schema ``schemas/lineage.v1.json``."""

    model_config = schema_config("lineage.v1.json")

    document: Literal["provenance.lineage"] = "provenance.lineage"
    version: Literal[1] = 1
    asset: LineageNode


def asset_lineage(project: Project, reference: str) -> Lineage:
    """The lineage tree of an asset given by id or by a file that matches a recorded one."""
    named = catalog.asset_reference(reference)
    with project.store.session() as session:
        return Lineage(asset=_node(session, catalog.find_asset(session, named)))


def _node(session: Session, asset: Asset) -> LineageNode:
    stage = session.get(Stage, asset.stage_id)
    assert stage is not None
    record = stage_record(session, stage)
    inputs_query = (
        select(Asset).join(StageInput, col(StageInput.asset_id) == Asset.id).where(StageInput.stage_id == stage.id)
    )
    decisions_query = (
        select(Stage)
        .join(StageInput, col(StageInput.stage_id) == Stage.id)
        .where(StageInput.asset_id == asset.id, Stage.kind == "select")
    )
    decisions = []
    for decision in session.exec(decisions_query):
        people = stage_record(session, decision).people
        decisions.append(
            LineageDecision(
                kind=decision.kind,
                stage_id=decision.uuid,
                people=[f"{p.name} ({p.role})" for p in people],
            )
        )
    return LineageNode(
        asset_id=saved_id(asset),
        path=asset.path,
        kind=stage.kind,
        ai=record.ai,
        stage_id=stage.uuid,
        people=[f"{p.name} ({p.role})" for p in record.people],
        tool=record.tool.name if record.tool else None,
        model=record.model.label if record.model else None,
        seed=record.settings.seed if isinstance(record.settings, GenerationParameters) else None,
        decisions=decisions,
        inputs=[_node(session, parent) for parent in session.exec(inputs_query)],
    )
