"""People, organizations, productions and backgrounds: adding them and finding them by handle.

>>> alice = add_person(project, "Tanaka Aiko", native_name="田中 愛子")  # doctest: +SKIP
>>> alice.handle  # doctest: +SKIP
'tanaka-aiko'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from .errors import AlreadyExistsError, InvalidValueError, NotFoundError
from .imaging import decode_image, pixel_sha256
from .plain_text import checked_optional_text, checked_text
from .project import Project
from .romanize import hepburn
from .store import Asset, Background, Organization, Person, Production, saved_id

# Matched with fullmatch: with match, "$" also matches before a trailing newline, so "alice\n" would pass.
_HANDLE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_CUT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def slug(text: str) -> str:
    """A handle made from a name: ASCII, lower case, hyphens. Empty for names with no Latin letters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def check_handle(handle: str) -> str:
    handle = checked_text(handle, "handle")
    if not _HANDLE.fullmatch(handle):
        raise InvalidValueError(f"handle {handle!r} is not valid; use lower-case letters, digits, '.', '_' or '-'")
    return handle


def _handle_for(name: str, handle: str | None, what: str) -> str:
    if handle is not None:
        return check_handle(handle)
    derived = slug(name)
    if not derived:
        raise InvalidValueError(f"cannot derive a handle from {name!r}; give the {what} one with {{option:handle}}")
    return derived


def add_person(
    project: Project,
    name: str | None = None,
    *,
    handle: str | None = None,
    native_name: str | None = None,
    kana: str | None = None,
    family_name: str | None = None,
    given_name: str | None = None,
    pseudonym: str | None = None,
    native_pseudonym: str | None = None,
    organization: str | None = None,
    organization_native: str | None = None,
    credited: bool = True,
) -> Person:
    """Record a human contributor.

    ``name`` is the credited name as the person spells it (Japanese names family name first). Without it,
    ``family_name`` and ``given_name`` make it, family first; failing those it is romanized from the
    ``kana`` reading in Hepburn: ``add_person(p, kana="たなか あいこ")`` credits "Tanaka Aiko".
    Every text must be one line of visible text (see :func:`provenance.plain_text.checked_text`).
    """
    # Every value is checked before the first is used: a refused one leaves nothing half-written.
    name = checked_optional_text(name, "person name")
    native_name = checked_optional_text(native_name, "native name")
    kana = checked_optional_text(kana, "kana reading")
    family_name = checked_optional_text(family_name, "family name")
    given_name = checked_optional_text(given_name, "given name")
    pseudonym = checked_optional_text(pseudonym, "pseudonym")
    native_pseudonym = checked_optional_text(native_pseudonym, "native pseudonym")
    organization = checked_optional_text(organization, "organization")
    organization_native = checked_optional_text(organization_native, "organization's native name")
    if name:
        credited_name, romanization = name, "own"
    elif family_name and given_name:
        # Japanese credits put the family name first in both scripts.
        credited_name, romanization = f"{family_name} {given_name}", "own"
    elif kana:
        credited_name, romanization = hepburn(kana), "hepburn"
        if not credited_name:  # only marks that lengthen or double a sound: "ー", "っ"
            raise InvalidValueError(f"kana reading {kana!r} romanizes to nothing; give the name as they spell it")
    else:
        raise InvalidValueError(
            "give the name as the person spells it, {option:family_name} and {option:given_name}, or their kana "
            "reading for Hepburn"
        )
    handle = _handle_for(credited_name, handle, "person")
    with project.store.session() as session:
        if _one(session, Person, handle=handle):
            raise AlreadyExistsError(f"there is already a person with handle {handle!r}; pick another")
        person = Person(
            handle=handle,
            name=credited_name,
            native_name=native_name,
            kana=kana,
            romanization=romanization,
            family_name=family_name,
            given_name=given_name,
            pseudonym=pseudonym,
            native_pseudonym=native_pseudonym,
            organization_id=_organization_id(session, organization, organization_native),
            consents_to_credit=credited,
        )
        session.add(person)
    return person


_UNSET: Any = object()


def update_person(
    project: Project,
    handle: str,
    *,
    name: str | None = None,
    native_name: str | None = _UNSET,
    pseudonym: str | None = _UNSET,
    native_pseudonym: str | None = _UNSET,
    organization: str | None = _UNSET,
    organization_native: str | None = None,
    credited: bool | None = None,
) -> Person:
    """Change how a person is credited; arguments left out stay as they are, ``None`` or ``""`` clears a field.

    >>> update_person(project, "suzuki-ren", credited=False)  # doctest: +SKIP
    """
    name = checked_optional_text(name, "person name")
    native_name = _cleared_or_checked(native_name, "native name")
    pseudonym = _cleared_or_checked(pseudonym, "pseudonym")
    native_pseudonym = _cleared_or_checked(native_pseudonym, "native pseudonym")
    organization = _cleared_or_checked(organization, "organization")
    organization_native = checked_optional_text(organization_native, "organization's native name")
    with project.store.session() as session:
        person = get_person(session, handle)
        if name:
            person.name, person.romanization = name, "own"
        for field, value in (
            ("native_name", native_name),
            ("pseudonym", pseudonym),
            ("native_pseudonym", native_pseudonym),
        ):
            if value is not _UNSET:
                setattr(person, field, value)
        if organization is not _UNSET:
            person.organization_id = _organization_id(session, organization, organization_native)
        if credited is not None:
            person.consents_to_credit = credited
        session.add(person)
    return person


def add_production(
    project: Project,
    title: str,
    *,
    handle: str | None = None,
    native_title: str | None = None,
    studio: str | None = None,
) -> Production:
    """Add a production; its handle is made from ``title`` unless given.

    >>> add_production(project, "Harbor Lights", handle="harbor", native_title="港の灯り")  # doctest: +SKIP
    """
    title = checked_text(title, "production title")
    native_title = checked_optional_text(native_title, "native title")
    studio = checked_optional_text(studio, "studio")
    handle = _handle_for(title, handle, "production")
    with project.store.session() as session:
        if _one(session, Production, handle=handle):
            raise AlreadyExistsError(f"there is already a production with handle {handle!r}; pick another")
        production = Production(handle=handle, title=title, native_title=native_title, studio=studio)
        session.add(production)
    return production


def add_background(
    project: Project,
    production: str,
    cut: str,
    *,
    scene: str | None = None,
    episode: str | None = None,
) -> Background:
    """Add one background (one cut) to a production; it is named ``<production>/<cut>``."""
    cut = checked_text(cut, "cut")
    scene = checked_optional_text(scene, "scene")
    episode = checked_optional_text(episode, "episode")
    if not _CUT.fullmatch(cut):
        raise InvalidValueError(f"cut {cut!r} is not valid; use letters, digits, '.', '_' or '-' (e.g. C012)")
    with project.store.session() as session:
        owner = get_production(session, production)
        if _one(session, Background, production_id=owner.id, cut=cut):
            raise AlreadyExistsError(f"background {owner.handle}/{cut} already exists")
        background = Background(production_id=saved_id(owner), cut=cut, scene=scene, episode=episode)
        session.add(background)
    return background


def get_person(session: Session, handle: str) -> Person:
    person = _one(session, Person, handle=handle)
    if person is None:
        raise NotFoundError(f"unknown person {handle!r}; add them with `provenance person add`")
    return person


def get_production(session: Session, handle: str) -> Production:
    production = _one(session, Production, handle=handle)
    if production is None:
        raise NotFoundError(f"unknown production {handle!r}; add it with `provenance production add`")
    return production


def get_background(session: Session, name: str) -> Background:
    """A background by its name ``<production>/<cut>``."""
    production_handle, separator, cut = name.partition("/")
    if not separator or not cut:
        raise InvalidValueError(f"background {name!r} should be written PRODUCTION/CUT, e.g. harbor/C012")
    production = get_production(session, production_handle)
    background = _one(session, Background, production_id=production.id, cut=cut)
    if background is None:
        raise NotFoundError(
            f"unknown background {name!r}; add it with `provenance background add {production_handle} {cut}`"
        )
    return background


@dataclass(frozen=True)
class AssetReference:
    """An asset as a person names it: an id (``12``, ``#12``), or a file whose content should be recorded.

    Made by :func:`asset_reference`, which reads the file then and there; :func:`find_asset` only queries.
    """

    text: str
    asset_id: int | None = None
    sha256: str | None = None
    pixel_sha256: str | None = None


def asset_reference(reference: str) -> AssetReference:
    """Read what ``reference`` names: an id as is, a file (relative to the current folder) by its digests.

    >>> asset_reference("#12").asset_id
    12
    """
    text = reference.strip().removeprefix("#")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if re.fullmatch(r"[0-9]{1,18}", text):
        return AssetReference(reference, asset_id=int(text))
    path = Path(reference)
    if not path.is_file():
        raise NotFoundError(f"no asset {reference!r}: give an asset id or the path of a recorded file")
    data = path.read_bytes()
    return AssetReference(
        reference,
        sha256=hashlib.sha256(data).hexdigest(),
        pixel_sha256=pixel_sha256(decode_image(data, name=reference)),
    )


def find_asset(session: Session, reference: AssetReference | str) -> Asset:
    """The recorded asset a reference names: by id, or by the file's exact bytes, or failing that by its
    decoded pixels (a copy whose metadata was rewritten is still the same picture).

    A string is read with :func:`asset_reference` first; callers inside a transaction pass a reference
    made before it, so no file is read while the database is open.
    """
    if isinstance(reference, str):
        reference = asset_reference(reference)
    if reference.asset_id is not None:
        asset = session.get(Asset, reference.asset_id)
        if asset is None:
            raise NotFoundError(f"there is no asset #{reference.asset_id}; `provenance asset list` lists them")
        return asset
    asset = session.exec(select(Asset).where(Asset.sha256 == reference.sha256)).first()
    if asset is None:
        asset = session.exec(select(Asset).where(Asset.pixel_sha256 == reference.pixel_sha256)).first()
    if asset is None:
        raise NotFoundError(f"{reference.text} matches no recorded asset; record it with `provenance sketch`")
    return asset


def list_people(project: Project) -> list[Person]:
    with project.store.session() as session:
        return list(session.exec(select(Person).order_by(Person.handle)))


def list_productions(project: Project) -> list[Production]:
    with project.store.session() as session:
        return list(session.exec(select(Production).order_by(Production.handle)))


def list_backgrounds(project: Project, production: str) -> list[Background]:
    with project.store.session() as session:
        owner = get_production(session, production)
        query = select(Background).where(Background.production_id == owner.id).order_by(Background.cut)
        return list(session.exec(query))


def _cleared_or_checked(value: Any, field: str) -> Any:
    """An update's value: left out (``_UNSET``) and cleared (``None`` or ``""``) pass, anything else is checked."""
    if value is _UNSET:
        return _UNSET
    if not value:
        return None
    return checked_text(value, field)


def _organization_id(session: Session, name: str | None, native_name: str | None = None) -> int | None:
    if not name:
        return None
    organization = _one(session, Organization, name=name)
    if organization is None:
        organization = Organization(name=name, native_name=native_name)
    elif native_name:
        organization.native_name = native_name
    session.add(organization)
    session.flush()
    return organization.id


def _one(session: Session, table, **where):
    query = select(table)
    for column, value in where.items():
        query = query.where(getattr(table, column) == value)
    return session.exec(query).first()
