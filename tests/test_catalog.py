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


def test_credited_names_from_parts_or_kana(project: Project) -> None:
    assert catalog.add_person(project, family_name="Ono", given_name="Shota").name == "Ono Shota"
    from_kana = catalog.add_person(project, kana="こうの ゆうこ", native_name="河野 裕子")
    assert (from_kana.name, from_kana.romanization, from_kana.handle) == ("Kono Yuko", "hepburn", "kono-yuko")
    own = catalog.add_person(project, "Kohno Yuko", kana="こうの ゆうこ", handle="kohno")
    assert (own.name, own.romanization) == ("Kohno Yuko", "own")  # their own spelling wins
    with pytest.raises(InvalidValueError, match="give the name"):
        catalog.add_person(project)
