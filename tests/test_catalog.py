"""People, productions and backgrounds: handles, duplicates and lookups."""

from __future__ import annotations

import pytest

from provenance import catalog
from provenance.errors import AlreadyExistsError, InvalidValueError, NotFoundError
from provenance.project import Project

from .conftest import snapshot


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


# (function, arguments, keyword arguments, the field the refusal names)
HOSTILE_CATALOG_INPUTS = [
    (catalog.add_person, ("Kimura\nYu",), {}, "person name"),
    (catalog.add_person, ("   ",), {}, "person name"),
    (catalog.add_person, ("Kimura Yu",), {"handle": "kimu\n"}, "handle"),
    (catalog.add_person, ("Kimura Yu",), {"native_name": "木村\x1b[2J"}, "native name"),
    (catalog.add_person, (), {"kana": "きむら\u202eゆう"}, "kana reading"),
    (catalog.add_person, (), {"family_name": "Kimura\t", "given_name": "Yu"}, "family name"),
    (catalog.add_person, (), {"family_name": "Kimura", "given_name": " "}, "given name"),
    (catalog.add_person, ("Kimura Yu",), {"pseudonym": "KIMU\u2028"}, "pseudonym"),
    (catalog.add_person, ("Kimura Yu",), {"native_pseudonym": "キム\x85"}, "native pseudonym"),
    (catalog.add_person, ("Kimura Yu",), {"organization": "Kumo\u200b"}, "organization"),
    (
        catalog.add_person,
        ("Kimura Yu",),
        {"organization": "Kumo", "organization_native": "雲\n"},
        "organization's native name",
    ),
    (catalog.update_person, ("tanaka-aiko",), {"name": "Tanaka\nFake Row"}, "person name"),
    (catalog.update_person, ("tanaka-aiko",), {"native_name": "  "}, "native name"),
    (catalog.update_person, ("tanaka-aiko",), {"pseudonym": "\x9b31m"}, "pseudonym"),
    (catalog.update_person, ("tanaka-aiko",), {"organization": "New\x00Org"}, "organization"),
    (catalog.add_production, ("Night\nFerry",), {}, "production title"),
    (catalog.add_production, ("Night Ferry",), {"native_title": "夜\u202e船"}, "native title"),
    (catalog.add_production, ("Night Ferry",), {"studio": "\t"}, "studio"),
    (catalog.add_production, ("Night Ferry",), {"handle": "ferry\n"}, "handle"),
    (catalog.add_background, ("harbor", "C013\n"), {}, "cut"),
    (catalog.add_background, ("harbor", "C013"), {"scene": "S03\x1b"}, "scene"),
    (catalog.add_background, ("harbor", "C013"), {"episode": ""}, "episode"),
]


@pytest.mark.parametrize(("function", "args", "kwargs", "field"), HOSTILE_CATALOG_INPUTS)
def test_hostile_text_is_refused_before_anything_is_written(  # type: ignore[no-untyped-def]
    project: Project, function, args, kwargs, field: str
) -> None:
    before = snapshot(project)
    with pytest.raises(InvalidValueError, match=rf"^{field}"):
        function(project, *args, **kwargs)
    assert snapshot(project) == before


def test_handles_and_cuts_with_a_trailing_newline_are_refused_as_such(project: Project) -> None:
    # The patterns once used re.match with "$", which also matches before a final newline.
    with pytest.raises(InvalidValueError, match="handle: U\\+000A"):
        catalog.check_handle("alice\n")
    with pytest.raises(InvalidValueError, match="cut: U\\+000A"):
        catalog.add_background(project, "harbor", "C013\n")


def test_typed_values_are_stored_stripped_and_an_empty_update_still_clears(project: Project) -> None:
    person = catalog.add_person(project, " Kimura Yu ", handle=" kimu ", pseudonym=" KIMU", organization="Kumo ")
    assert (person.name, person.handle, person.pseudonym) == ("Kimura Yu", "kimu", "KIMU")
    assert catalog.update_person(project, "kimu", pseudonym="").pseudonym is None
    assert catalog.update_person(project, "kimu", native_name=" 木村 悠 ").native_name == "木村 悠"
    background = catalog.add_background(project, "harbor", " C013", scene=" S03 ")
    assert (background.cut, background.scene) == ("C013", "S03")
