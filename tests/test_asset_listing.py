"""`list_assets`: the ids other commands take, each with its stage, candidate number, people and file state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from provenance import catalog, record
from provenance.asset_listing import list_assets
from provenance.errors import InvalidValueError, NotFoundError
from provenance.project import Project

from .conftest import Chain
from .fake_engine import fake_generate


def test_every_asset_with_its_stage_candidate_number_people_and_file(project: Project, chain: Chain) -> None:
    listing = list_assets(project)
    assert listing.scope is None
    rows = [(e.asset_id, e.kind, e.ai, e.candidate, e.candidates, e.file) for e in listing.assets]
    ids = [chain.sketch.asset_id, *(c.asset_id for c in chain.candidates), chain.final.asset_id]
    assert rows == [
        (ids[0], "sketch", False, None, None, "intact"),
        (ids[1], "ai_generate", True, 1, 3, "intact"),
        (ids[2], "ai_generate", True, 2, 3, "intact"),
        (ids[3], "ai_generate", True, 3, 3, "intact"),
        (ids[4], "revise", False, None, None, "intact"),
    ]
    by_id = {entry.asset_id: entry for entry in listing.assets}
    assert [(p.handle, p.role) for p in by_id[chain.sketch.asset_id].people] == [("tanaka-aiko", "BG_LAYOUT")]
    assert [(p.handle, p.role) for p in by_id[chain.chosen.asset_id].people] == [("sato-ken", "AI_OPERATOR")]
    assert by_id[chain.chosen.asset_id].selected_by == ["yamada-hanako"]
    assert by_id[chain.candidates[0].asset_id].selected_by == []
    assert by_id[chain.final.asset_id].people[0].name == "Suzuki Ren"
    assert [entry.path for entry in listing.assets][-1] == chain.final.path
    assert {entry.background for entry in listing.assets} == {"harbor/C012"}


def test_a_changed_or_missing_file_shows_in_its_row(project: Project, chain: Chain) -> None:
    candidate = project.absolute(chain.candidates[0].path)
    candidate.write_bytes(candidate.read_bytes() + b"tail")
    project.absolute(chain.candidates[2].path).unlink()
    files = {entry.asset_id: entry.file for entry in list_assets(project).assets}
    assert files[chain.candidates[0].asset_id] == "changed"
    assert files[chain.candidates[2].asset_id] == "missing"
    assert files[chain.chosen.asset_id] == "intact"


def test_one_background_or_one_production(project: Project, chain: Chain, layout_file) -> None:
    catalog.add_background(project, "harbor", "C013")
    catalog.add_production(project, "Night Ferry", handle="ferry")
    catalog.add_background(project, "ferry", "C001")
    other = record.record_sketch(project, "ferry/C001", layout_file, artist="tanaka-aiko")

    assert [e.asset_id for e in list_assets(project, "harbor/C013").assets] == []
    assert len(list_assets(project, "harbor/C012").assets) == 5
    assert len(list_assets(project, "harbor").assets) == 5
    ferry = list_assets(project, "ferry")
    assert ferry.scope == "ferry" and [(e.asset_id, e.background) for e in ferry.assets] == [
        (other.asset_id, "ferry/C001")
    ]
    with pytest.raises(NotFoundError, match="provenance background add harbor C099"):
        list_assets(project, "harbor/C099")
    with pytest.raises(NotFoundError, match="unknown production 'nowhere'"):
        list_assets(project, "nowhere")
    with pytest.raises(InvalidValueError, match="PRODUCTION/CUT"):
        list_assets(project, "harbor/")


def test_the_reads_do_not_grow_with_the_number_of_assets(project: Project, chain: Chain) -> None:
    with _counting_queries(project) as before:
        list_assets(project)
    record.record_generation(
        project, str(chain.sketch.asset_id), operator="sato-ken", prompt="more", candidates=4, generator=fake_generate
    )
    record.record_selection(project, str(chain.candidates[0].asset_id), by="yamada-hanako")
    with _counting_queries(project) as after:
        listing = list_assets(project)
    assert len(listing.assets) == 9
    assert [e.candidate for e in listing.assets if e.asset_id > chain.final.asset_id] == [1, 2, 3, 4]
    assert len(after) == len(before) > 0


@contextmanager
def _counting_queries(project: Project) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(project.store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(project.store.engine, "before_cursor_execute", count)
