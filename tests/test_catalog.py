"""People, productions and backgrounds: handles, duplicates and lookups."""

from __future__ import annotations

import pytest

from provenance import catalog
from provenance.errors import AlreadyExistsError, InvalidValueError, NotFoundError
from provenance.project import Project


def test_handles_are_made_from_names() -> None:
    assert catalog.slug("Tanaka Aiko") == "tanaka-aiko"
    assert catalog.slug("Ōno Shōta") == "ono-shota"
    assert catalog.slug("田中 愛子") == ""


def test_people_and_organizations(project: Project) -> None:
    person = catalog.add_person(project, "Kimura Yu", handle="kimu", organization="Test Studio", credited=False)
    assert person.handle == "kimu" and not person.consents_to_credit
    with pytest.raises(InvalidValueError):
        catalog.add_person(project, "X", handle="Bad Handle")
    with project.store.session() as session:
        assert (
            catalog.get_person(session, "kimu").organization_id
            == catalog.get_person(session, "tanaka-aiko").organization_id
        )


def test_backgrounds_are_unique_per_production(project: Project) -> None:
    with pytest.raises(AlreadyExistsError, match="harbor/C012 already exists"):
        catalog.add_background(project, "harbor", "C012")
    with pytest.raises(NotFoundError):
        catalog.add_background(project, "nowhere", "C001")
    with pytest.raises(InvalidValueError):
        catalog.add_background(project, "harbor", "C 1")
    assert [b.cut for b in catalog.list_backgrounds(project, "harbor")] == ["C012"]
