"""The read side of the records: stage records and the lineage graph, in batched queries.

Every reader (the audit, lineage, PROV export, replay, the laundering check, the web viewer) asks its
questions here, so a graph question is written once: which assets a stage used (all of them, not the
first), which stage made an asset, which selections picked it, what the stages behind an asset were.
Each function takes many ids at once and makes a fixed number of queries, whatever the number of stages.

>>> records = stage_records(session, stages)  # doctest: +SKIP
>>> records[stage.uuid].people[0].handle  # doctest: +SKIP
'tanaka-aiko'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ..records import ModelRecord, PersonCredit, SelectionRecord, SoftwareAgent, StageRecord, settings_record
from ..vocabulary import AI_STAGE_KINDS, stage_kind
from .tables import AIModel, Asset, Background, Contribution, Person, Production, Stage, StageInput


def stage_record(session: Session, stage: Stage) -> StageRecord:
    """The record of a stage as its rows say it: what the manifest carries and the audit compares."""
    return stage_records(session, [stage])[stage.uuid]


def stage_records(session: Session, stages: Sequence[Stage]) -> dict[str, StageRecord]:
    """Records of several stages at once, keyed by stage id (a fixed number of queries for any number)."""
    selection_ids = {stage.selection_id for stage in stages if stage.selection_id is not None}
    # An empty IN is no free answer in SQLite: it scans the table. Ask only when there is something to ask.
    selections = (
        {row.id: row for row in session.exec(select(Stage).where(col(Stage.id).in_(selection_ids)))}
        if selection_ids
        else {}
    )
    credits = people_of(session, [*stages, *selections.values()])
    inputs = input_digests(session, [stage.id for stage in stages if stage.id is not None])
    backgrounds = background_names(session, {stage.background_id for stage in stages})
    model_ids = {stage.model_id for stage in stages if stage.model_id is not None}
    models = (
        {row.id: row for row in session.exec(select(AIModel).where(col(AIModel.id).in_(model_ids)))}
        if model_ids
        else {}
    )
    records: dict[str, StageRecord] = {}
    for stage in stages:
        production, background = backgrounds[stage.background_id]
        model = models.get(stage.model_id) if stage.model_id is not None else None
        selection = selections.get(stage.selection_id) if stage.selection_id is not None else None
        ai = stage_kind(stage.kind).ai
        records[stage.uuid] = StageRecord(
            stage_id=stage.uuid,
            kind=stage.kind,
            ai=ai,
            production=production,
            background=background,
            people=credits.get(stage.id or 0, []),
            tool=SoftwareAgent(name=stage.tool, version=stage.tool_version) if stage.tool else None,
            model=model_record(model) if model else None,
            settings=settings_record(stage.kind, stage.parameters if ai else None),
            selection=_selection_record(selection, credits.get(selection.id or 0, [])) if selection else None,
            inputs=inputs.get(stage.id or 0, []),
            started_at=utc(stage.started_at),
            finished_at=utc(stage.finished_at),
        )
    return records


def people_of(session: Session, stages: Sequence[Stage]) -> dict[int, list[PersonCredit]]:
    """Who worked on each stage, by stage row id, in the order they were recorded."""
    query = (
        select(Contribution, Person)
        .join(Person, col(Person.id) == Contribution.person_id)
        .where(col(Contribution.stage_id).in_([stage.id for stage in stages]))
        .order_by(col(Contribution.id))
    )
    credits: dict[int, list[PersonCredit]] = {}
    for contribution, person in session.exec(query):
        credits.setdefault(contribution.stage_id, []).append(
            PersonCredit(handle=person.handle, name=person.name, native_name=person.native_name, role=contribution.role)
        )
    return credits


def background_names(session: Session, background_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """``(production handle, "PRODUCTION/CUT")`` of each background, by row id."""
    query = (
        select(Background.id, Background.cut, Production.handle)
        .join(Production, col(Production.id) == Background.production_id)
        .where(col(Background.id).in_(set(background_ids)))
    )
    return {
        background_id: (handle, f"{handle}/{cut}")
        for background_id, cut, handle in session.exec(query)
        if background_id is not None
    }


def inputs_of(session: Session, stage_ids: Iterable[int]) -> dict[int, list[Asset]]:
    """Every asset each stage used, by stage row id, in asset order (a stage may use several)."""
    query = (
        select(StageInput.stage_id, Asset)
        .join(Asset, col(Asset.id) == StageInput.asset_id)
        .where(col(StageInput.stage_id).in_(set(stage_ids)))
        .order_by(col(Asset.id))
    )
    used: dict[int, list[Asset]] = {}
    for stage_id, asset in session.exec(query):
        used.setdefault(stage_id, []).append(asset)
    return used


def input_digests(session: Session, stage_ids: Iterable[int]) -> dict[int, list[str]]:
    """The sha256 of each stage's input files, by stage row id, in asset order."""
    return {stage_id: [asset.sha256 for asset in assets] for stage_id, assets in inputs_of(session, stage_ids).items()}


def outputs_of(session: Session, stage_ids: Iterable[int]) -> dict[int, Asset]:
    """The file each stage wrote, by stage row id (a selection writes none)."""
    query = select(Asset).where(col(Asset.stage_id).in_(set(stage_ids)))
    return {asset.stage_id: asset for asset in session.exec(query)}


def stages_of(session: Session, stage_ids: Iterable[int]) -> dict[int, Stage]:
    """Stage rows by row id."""
    return {row.id or 0: row for row in session.exec(select(Stage).where(col(Stage.id).in_(set(stage_ids))))}


def selections_of(session: Session, asset_ids: Iterable[int]) -> dict[int, list[Stage]]:
    """The selections that picked each asset, by asset id (normally one)."""
    # The kind is checked here, not in SQL: given "kind = 'select'", SQLite walks every selection of the
    # project through the kind index (0.3 s on a season) instead of the few stages that used these assets.
    query = (
        select(StageInput.asset_id, Stage)
        .join(Stage, col(Stage.id) == StageInput.stage_id)
        .where(col(StageInput.asset_id).in_(set(asset_ids)))
        .order_by(col(Stage.id))
    )
    picked: dict[int, list[Stage]] = {}
    for asset_id, stage in session.exec(query):
        if stage.kind == "select":
            picked.setdefault(asset_id, []).append(stage)
    return picked


def selection_of(session: Session, asset: Asset) -> Stage | None:
    """The selection that picked this asset, if any."""
    return next(iter(selections_of(session, [asset.id or 0]).get(asset.id or 0, [])), None)


def batch_outputs(session: Session, stage: Stage) -> list[int]:
    """Ids of every candidate a generation batch wrote, in order."""
    if stage.batch is None:
        return []
    query = (
        select(Asset.id)
        .join(Stage, col(Stage.id) == Asset.stage_id)
        .where(Stage.batch == stage.batch, Stage.kind == "ai_generate")
        .order_by(col(Asset.id))
    )
    return [asset_id for asset_id in session.exec(query) if asset_id is not None]


def chain_behind(session: Session, asset: Asset) -> list[Stage]:
    """The stages behind an asset, first stage first: the stage that made it and, through every input,
    the stages that made those (breadth first, each stage once)."""
    found: list[Stage] = []
    seen: set[int] = set()
    frontier = [asset]
    while frontier:
        makers = stages_of(session, {a.stage_id for a in frontier} - seen)
        seen |= set(makers)
        found.extend(makers[a.stage_id] for a in frontier if a.stage_id in makers and makers[a.stage_id] not in found)
        frontier = [used for assets in inputs_of(session, makers).values() for used in assets]
    return list(reversed(found))


def ai_stages_behind(session: Session, asset_ids: Iterable[int]) -> set[int]:
    """Row ids of the AI stages that made these assets or anything they were made from."""
    found: set[int] = set()
    seen: set[int] = set()
    frontier = set(asset_ids)
    while frontier:
        query = (
            select(Stage.id, Stage.kind).join(Asset, col(Asset.stage_id) == Stage.id).where(col(Asset.id).in_(frontier))
        )
        rows = [(stage_id, kind) for stage_id, kind in session.exec(query) if stage_id is not None]
        stage_ids = {stage_id for stage_id, _ in rows} - seen
        if not stage_ids:
            break
        seen |= stage_ids
        found |= {stage_id for stage_id, kind in rows if stage_id in stage_ids and kind in AI_STAGE_KINDS}
        frontier = set(session.exec(select(StageInput.asset_id).where(col(StageInput.stage_id).in_(stage_ids))))
    return found


def model_record(model: AIModel) -> ModelRecord:
    return ModelRecord(
        name=model.name,
        version=model.version,
        architecture=model.architecture,
        fingerprint=model.fingerprint,
        weight_sha256=model.weight_sha256,
        test_model=model.is_test_model,
        license=model.license,
    )


def utc(moment: datetime) -> datetime:
    """A stored time as UTC: SQLite hands back naive datetimes, and every time we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _selection_record(selection: Stage, people: list[PersonCredit]) -> SelectionRecord:
    return SelectionRecord(
        stage_id=selection.uuid,
        people=people,
        alternatives=len(selection.parameters.get("alternatives", [])),
    )


def background_counts(session: Session) -> dict[int, int]:
    """How many backgrounds each production has, by production row id (one query)."""
    query = select(Background.production_id, func.count(col(Background.id))).group_by(col(Background.production_id))
    return {production_id: count for production_id, count in session.exec(query)}


def backgrounds_page(session: Session, production_id: int, *, offset: int, limit: int) -> list[Background]:
    """One page of a production's backgrounds, in cut order."""
    query = (
        select(Background)
        .where(Background.production_id == production_id)
        .order_by(col(Background.cut))
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query))


def finals_of(session: Session, background_ids: Iterable[int]) -> dict[int, Asset]:
    """The final file of each background, by background id: the newest file no later file was made from.

    A candidate no one picked is a final only when nothing better exists (generation ran, nobody chose
    yet): a picked candidate, or any file a person made, comes first.
    """
    # Correlated on the asset (indexed lookups per row), not a scan of every input in the project.
    later = aliased(Asset)
    made_from = (
        select(StageInput.asset_id)
        .join(later, col(later.stage_id) == StageInput.stage_id)
        .where(StageInput.asset_id == Asset.id)
        .exists()
    )
    query = (
        select(Asset, Stage.kind)
        .join(Stage, col(Stage.id) == Asset.stage_id)
        .where(col(Asset.background_id).in_(set(background_ids)), ~made_from)
    )
    leaves = list(session.exec(query))
    picked = set(selections_of(session, [asset.id or 0 for asset, _ in leaves]))
    ranked: dict[int, tuple[tuple[bool, int], Asset]] = {}
    for asset, kind in leaves:
        rank = (kind not in AI_STAGE_KINDS or asset.id in picked, asset.id or 0)
        if asset.background_id not in ranked or rank > ranked[asset.background_id][0]:
            ranked[asset.background_id] = (rank, asset)
    return {background_id: asset for background_id, (_, asset) in ranked.items()}


def people_by_background(session: Session, background_ids: Iterable[int]) -> dict[int, list[tuple[Person, str]]]:
    """Who worked on each background and in which role, by background id, in the order the work was done
    (a person once per role)."""
    query = (
        select(Stage.background_id, Contribution.role, Person)
        .join(Stage, col(Stage.id) == Contribution.stage_id)
        .join(Person, col(Person.id) == Contribution.person_id)
        .where(col(Stage.background_id).in_(set(background_ids)))
        .order_by(col(Stage.started_at), col(Contribution.id))
    )
    people: dict[int, list[tuple[Person, str]]] = {}
    for background_id, role, person in session.exec(query):
        found = people.setdefault(background_id, [])
        if all((other.id, other_role) != (person.id, role) for other, other_role in found):
            found.append((person, role))
    return people


def assets_by_path(session: Session, paths: Iterable[str]) -> dict[str, Asset]:
    """Recorded assets by their stored path (relative to the project)."""
    return {asset.path: asset for asset in session.exec(select(Asset).where(col(Asset.path).in_(set(paths))))}


def assets_of_background(session: Session, background_id: int) -> list[tuple[Asset, Stage]]:
    """Every file recorded for one background with the stage that wrote it, oldest first."""
    query = (
        select(Asset, Stage)
        .join(Stage, col(Stage.id) == Asset.stage_id)
        .where(Asset.background_id == background_id)
        .order_by(col(Asset.id))
    )
    return [(asset, stage) for asset, stage in session.exec(query)]
