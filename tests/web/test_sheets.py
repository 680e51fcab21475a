"""The viewer's credit sheets are the library's, kept only while the database is unchanged."""

from __future__ import annotations

import pytest

from provenance import catalog, record
from provenance.credits import credit_sheet
from provenance.errors import CreditGapsError
from provenance.project import Project
from provenance.web.sheets import SheetCache, database_stamp

from ..conftest import Chain


def test_a_cached_sheet_is_the_librarys_until_the_records_change(project: Project, chain: Chain) -> None:
    sheets = SheetCache(project)
    first = sheets.sheet("harbor")
    assert first == credit_sheet(project, "harbor")
    assert sheets.sheet("harbor") is first  # nothing changed: the same sheet, not rebuilt
    stamp = database_stamp(project)
    catalog.update_person(project, "suzuki-ren", pseudonym="REN")  # same row, same file size
    assert database_stamp(project) != stamp
    renamed = sheets.sheet("harbor")
    assert renamed == credit_sheet(project, "harbor") and renamed != first
    assert "REN" in [name.name_en for role in renamed.roles for name in role.names]


def test_gaps_are_refused_in_the_librarys_words(project: Project, chain: Chain) -> None:
    record.record_external_stage(project, "harbor/C012", "art_check")
    sheets = SheetCache(project)
    assert sheets.sheet("harbor", allow_gaps=True) == credit_sheet(project, "harbor", allow_gaps=True)
    with pytest.raises(CreditGapsError) as theirs:
        credit_sheet(project, "harbor")
    with pytest.raises(CreditGapsError) as ours:
        sheets.sheet("harbor")
    assert str(ours.value) == str(theirs.value)


def test_without_a_sqlite_file_sheets_live_for_max_age(project: Project, chain: Chain, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("provenance.web.sheets.database_stamp", lambda project: None)
    sheets = SheetCache(project, max_age=0.0)
    assert sheets.sheet("harbor") is not sheets.sheet("harbor")
    lasting = SheetCache(project, max_age=60.0)
    assert lasting.sheet("harbor") is lasting.sheet("harbor")


def test_warming_up_builds_every_productions_sheet_before_anyone_asks(
    project: Project,
    chain: Chain,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from provenance.web import create_app
    from provenance.web.app import warm_up

    app = create_app(project)
    warm_up(app)

    def not_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sheet should have been built by the warm-up")

    monkeypatch.setattr("provenance.web.sheets.credit_sheet", not_again)
    assert app.state.viewer.sheets.sheet("harbor", allow_gaps=True) == credit_sheet(project, "harbor")
