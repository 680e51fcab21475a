"""What the templates show, made from the library's records and reports. Pure: records in, views out.

>>> credited_people([(person, "BG_LAYOUT")])  # doctest: +SKIP
([PersonView(name='Tanaka Aiko', native='田中 愛子', role_en='Background Layout', ...)], 0)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from ..audit import AuditReport, AuditStage
from ..errors import ProvenanceError
from ..store import Asset, Background, Person
from ..vocabulary import ROLES
from .failures import log
from .pictures import stage_colour

VERDICT_TITLES = {
    "trusted": "Trusted",
    "valid-untrusted": "Valid, signer not trusted here",
    "tampered": "Tampered",
    "unknown": "Unknown",
    "records-differ": "Records differ",
    "matched-without-manifest": "Matched without a manifest",
    "foreign-ai-metadata": "Made with AI elsewhere",
    "unverifiable": "Cannot be verified here",
}
ORIGIN_TITLES = {"ai": "AI", "human": "human", "undeclared": "undeclared"}


@dataclass(frozen=True)
class PersonView:
    name: str
    native: str | None
    role_en: str
    role_ja: str


@dataclass(frozen=True)
class StageView:
    """One stage of an audit as a column of the process sheet."""

    number: int
    stage: AuditStage
    colour: str
    picture: str | None
    picture_alt: str
    asset_id: int | None
    people: list[PersonView]
    settings: list[tuple[str, str]]


@dataclass
class Card:
    """One background in the production grid. Its verdict comes from an audit that may still be running."""

    background: Background
    final: Asset | None
    people: list[PersonView]
    uncredited: int
    audit: Future[AuditReport] | None = field(default=None, repr=False)

    def ready(self) -> bool:
        """True when :meth:`outcome` will not wait."""
        return self.audit is None or self.audit.done()

    def outcome(self) -> tuple[str | None, str]:
        """``(verdict, statement)``; ``(None, why)`` when there is no file or it cannot be audited."""
        if self.audit is None:
            return None, "no file recorded yet"
        try:
            report = self.audit.result()
        except ProvenanceError as exc:
            return None, f"cannot audit: {exc}"
        except Exception as exc:  # one card's bug must not cut the page off mid-stream; it is logged
            log.error("unexpected error auditing asset #%s", self.final.id if self.final else "?", exc_info=exc)
            return None, f"cannot audit: unexpected {type(exc).__name__} (logged)"
        return report.verdict, report.statement


def credited_people(people: Iterable[tuple[Person, str]]) -> tuple[list[PersonView], int]:
    """Names as the credits give them: a pen name replaces the name; who asked not to be named is counted."""
    shown: list[PersonView] = []
    uncredited: set[str] = set()
    for person, role in people:
        if not person.consents_to_credit:
            uncredited.add(person.handle)
            continue
        name = person.pseudonym or person.name
        native = person.native_pseudonym or (None if person.pseudonym else person.native_name)
        shown.append(_person(name, native, role))
    return shown, len(uncredited)


def stage_views(
    report: AuditReport, pictures: dict[str, tuple[str, int]], thumbnails: dict[str, str] | None = None
) -> list[StageView]:
    """The report's stages with their pictures: ``pictures`` maps a recorded path to (URL, asset id);
    ``thumbnails`` maps a manifest label to an inlined thumbnail, for stages with no recorded file."""
    views = []
    for index, stage in enumerate(report.stages):
        picture, asset_id = pictures.get(stage.path or "", (None, None))
        if picture is None and stage.kind != "select" and stage.manifest and thumbnails:
            picture = thumbnails.get(stage.manifest)
        names = ", ".join(p.name for p in stage.people) or "nobody named"
        views.append(
            StageView(
                number=index + 1,
                stage=stage,
                colour=stage_colour(index),
                picture=picture,
                picture_alt=f"Stage {index + 1}, {stage.kind.replace('_', ' ')}, by {names}",
                asset_id=asset_id,
                people=[_person(p.name, p.native_name, p.role) for p in stage.people],
                settings=[(key, _setting(value)) for key, value in stage.settings.items()],
            )
        )
    return views


def tool_line(stage: AuditStage) -> str:
    """The tool or model of a stage in one line, as the command line's table gives it."""
    if stage.model:
        settings = stage.settings
        test = " (built-in test model)" if stage.test_model else ""
        return (
            f"{stage.model}{test}, seed {settings.get('seed')}, {settings.get('steps_run')}/{settings.get('steps')} "
            f"steps, strength {settings.get('strength')}"
        )
    if stage.kind == "select":
        return f"picked over {stage.settings.get('alternatives', 0)} other candidates"
    return stage.tool or ""


def _person(name: str, native: str | None, role: str | None) -> PersonView:
    known = ROLES.get(role or "")
    role_en, role_ja = (known.label_en, known.label_ja) if known else (role or "", "")
    return PersonView(name=name, native=native if native and native != name else None, role_en=role_en, role_ja=role_ja)


def _setting(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 2000 else text[:2000] + "…"
