"""Recording a selection: the human decision that picks one AI candidate to go on.

A selection writes no file; the stage that works on the chosen candidate names it in its record.

>>> record_selection(project, "3", by="yamada-hanako").alternatives  # doctest: +SKIP
[2, 4]
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import catalog
from ..errors import AlreadyExistsError, InvalidValueError
from ..project import Project
from ..store import Asset, Contribution, Stage, StageInput, lock, saved_id
from ..store.queries import batch_outputs, selection_of
from ..vocabulary import role as lookup_role
from ..vocabulary import stage_kind


@dataclass(frozen=True)
class RecordedSelection:
    stage_id: str
    asset_id: int
    alternatives: list[int]


def record_selection(project: Project, asset: str, *, by: str, role: str | None = None) -> RecordedSelection:
    """Record that a person picked this AI candidate to go on; the other candidates are the alternatives."""
    role_code = lookup_role(role or stage_kind("select").default_role).code
    named = catalog.asset_reference(asset)
    with project.store.session() as session:
        person = catalog.get_person(session, by)
        chosen = catalog.find_asset(session, named)
        # Two people selecting the same candidate at once: the second waits here, then sees the first's.
        lock(session, Asset, saved_id(chosen))
        generating = session.get(Stage, chosen.stage_id)
        assert generating is not None
        if generating.kind != "ai_generate":
            raise InvalidValueError(
                f"asset #{chosen.id} is a {generating.kind}, not an AI candidate; select one of the "
                "files `provenance generate` wrote"
            )
        if selection_of(session, chosen) is not None:
            raise AlreadyExistsError(f"asset #{chosen.id} has already been selected")
        alternatives = batch_outputs(session, generating)
        alternatives = [asset_id for asset_id in alternatives if asset_id != chosen.id]
        stage = Stage(
            kind="select",
            background_id=chosen.background_id,
            parameters={"alternatives": alternatives},
            batch=generating.batch,
        )
        session.add(stage)
        session.flush()
        session.add(StageInput(stage_id=saved_id(stage), asset_id=saved_id(chosen)))
        session.add(Contribution(stage_id=saved_id(stage), person_id=saved_id(person), role=role_code))
    return RecordedSelection(stage_id=stage.uuid, asset_id=saved_id(chosen), alternatives=alternatives)
