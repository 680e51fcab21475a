"""Recording work whose file lives elsewhere: paperwork, an art check, an import of old records."""

from __future__ import annotations

from collections.abc import Sequence

from .. import catalog
from ..errors import InvalidValueError
from ..plain_text import checked_optional_text
from ..project import Project
from ..store import Contribution, Stage, StageInput, saved_id
from ..vocabulary import role as lookup_role
from ..vocabulary import stage_kind


def record_external_stage(
    project: Project,
    background: str,
    kind: str,
    *,
    people: Sequence[tuple[str, str]] = (),
    inputs: Sequence[str] = (),
    tool: str | None = None,
) -> str:
    """Record human work whose file lives elsewhere (paperwork, an art check, an import of old records).

    ``people`` are ``(handle, role code)`` pairs. An empty list is allowed, because that is what old
    records sometimes say; the credit export then refuses to hide the gap. AI generations cannot be
    recorded this way: they run through the engine. Returns the stage's id.
    """
    tool = checked_optional_text(tool, "tool")
    if stage_kind(kind).ai:
        raise InvalidValueError("AI generations are recorded by running them: use `provenance generate`")
    roles = [(handle, lookup_role(code).code) for handle, code in people]
    named = [catalog.asset_reference(reference) for reference in inputs]
    with project.store.session() as session:
        target = catalog.get_background(session, background)
        contributors = [(catalog.get_person(session, handle), code) for handle, code in roles]
        used = [catalog.find_asset(session, reference) for reference in named]
        stage = Stage(kind=kind, background_id=saved_id(target), tool=tool)
        session.add(stage)
        session.flush()
        for person, code in contributors:
            session.add(Contribution(stage_id=saved_id(stage), person_id=saved_id(person), role=code))
        for asset in used:
            session.add(StageInput(stage_id=saved_id(stage), asset_id=saved_id(asset)))
    return stage.uuid
