"""Signing off a credit sheet, and naming what changed since."""

from __future__ import annotations

import pytest
from sqlmodel import select

from provenance import catalog
from provenance.credits.lock import lock_credits, locked_changes, sheet_changes
from provenance.credits.sheet import credit_sheet
from provenance.errors import LockTamperedError
from provenance.project import Project
from provenance.store import CreditLock

from .conftest import Chain
from .test_credits import sample_sheet


def test_no_lock_no_comparison(project: Project, chain: Chain) -> None:
    assert locked_changes(project, credit_sheet(project, "harbor")) is None


def test_an_unchanged_sheet_has_no_changes(project: Project, chain: Chain) -> None:
    locked = lock_credits(project, "harbor", by="yamada-hanako")
    assert locked.locked_by == "yamada-hanako" and locked.scope == "harbor"
    comparison = locked_changes(project, credit_sheet(project, "harbor"))
    assert comparison is not None and comparison.changes == []


def test_changes_since_the_lock_are_named(project: Project, chain: Chain) -> None:
    lock_credits(project, "harbor", by="yamada-hanako")
    catalog.update_person(project, "suzuki-ren", pseudonym="REN")
    catalog.update_person(project, "sato-ken", credited=False)
    comparison = locked_changes(project, credit_sheet(project, "harbor"))
    assert comparison is not None
    assert comparison.changes == [
        "Background Paint-over: Suzuki Ren is now credited as REN / REN",
        "Image Generation Operator: removed Sato Ken",
        "uncredited people: 0 -> 1",
    ]


def test_a_lock_only_compares_with_its_own_scope(project: Project, chain: Chain) -> None:
    lock_credits(project, "harbor", by="yamada-hanako", background="harbor/C012")
    assert locked_changes(project, credit_sheet(project, "harbor")) is None
    assert locked_changes(project, credit_sheet(project, "harbor", background="harbor/C012")) is not None


def test_an_altered_lock_is_refused(project: Project, chain: Chain) -> None:
    lock_credits(project, "harbor", by="yamada-hanako")
    with project.store.session() as session:
        lock = session.exec(select(CreditLock)).one()
        lock.sheet_json = lock.sheet_json.replace("Suzuki Ren", "Someone Else")
        session.add(lock)
    with pytest.raises(LockTamperedError, match="fail their signature check"):
        locked_changes(project, credit_sheet(project, "harbor"))


def test_sheet_changes_is_pure_and_names_additions() -> None:
    before = sample_sheet()
    after = before.model_copy(update={"uncredited": 2, "backgrounds": 3})
    assert sheet_changes(before, after) == ["uncredited people: 1 -> 2", "backgrounds: 2 -> 3"]
    assert sheet_changes(before, before) == []
