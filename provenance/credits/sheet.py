"""Credit sheets: every human who worked on a production, named by role; AI use disclosed apart.

:func:`credit_sheet` gathers the rows; :func:`build_credit_sheet` turns plain facts into a
:class:`CreditSheet` (pure). Renderers live in :mod:`provenance.credits.formats`. An AI model is never a
credited name: it only appears in the disclosure, and no line ever reads "AI (+Human)".

Rules (issue #5): roles in department order with English and Japanese labels; a person's
pen name replaces their name; a person who asked not to be named is counted, never silently dropped;
a stage with nobody recorded on it is a gap, and a sheet with gaps is refused unless gaps are allowed.

>>> sheet = credit_sheet(project, "harbor")  # doctest: +SKIP
>>> [role.code for role in sheet.roles]  # doctest: +SKIP
['BG_AD', 'BG_LAYOUT', 'BG_RETOUCH', 'AI_OPERATOR']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field
from sqlalchemy import select as select_columns
from sqlmodel import col, select

from .. import catalog
from ..documents import Document, schema_config
from ..errors import CreditGapsError, InvalidValueError
from ..project import Project
from ..store import AIModel, Background, Contribution, Organization, Person, Stage
from ..vocabulary import AI_STAGE_KINDS, ROLES, stage_kind

_TEST_MODEL_NOTE = (
    " (a built-in random-weight test model, not a trained generator)",
    "（内蔵のランダム重みテストモデル。学習済み生成モデルではありません）",
)
_STAGE_LABELS = {
    "ai_generate": ("AI candidate generation (img2img from the layout)", "レイアウトからのAI候補生成"),
    "ai_external": ("AI pictures made outside the tracked pipeline", "管理外で生成されたAI画像"),
}
_UNKNOWN_GENERATOR = "an unidentified AI generator"


class CreditedName(Document):
    handle: str
    name_en: str
    name_ja: str
    company_en: str | None = None
    company_ja: str | None = None


class RoleCredit(Document):
    code: str
    label_en: str
    label_ja: str
    names: list[CreditedName]


class CreditGap(Document):
    """A stage with nobody recorded on it, under the role its kind is usually credited as."""

    background: str
    stage_kind: str
    stage_id: str
    role: str


class ModelUse(Document):
    name: str
    version: str | None = None
    fingerprint: str | None = Field(description="None for AI used outside the tracked pipeline: weights unknown")
    external: bool = Field(default=False, description="AI pictures made elsewhere and recorded as such")
    test_model: bool
    license: str | None = None
    stages: list[str] = Field(description="stage kinds the model was used in")
    backgrounds: int


class AIDisclosure(Document):
    used: bool
    models: list[ModelUse]
    text_en: str
    text_ja: str


class ProductionInfo(Document):
    handle: str
    title: str
    native_title: str | None = None
    studio: str | None = None


class CreditSheet(Document):
    """What ``provenance credits --format json`` prints; schema ``schemas/credit-sheet.v1.json``."""

    model_config = schema_config("credit-sheet.v1.json")

    sheet: Literal["provenance.credits"] = "provenance.credits"
    version: Literal[1] = 1
    production: ProductionInfo
    scope: str = Field(description="the production handle, or PRODUCTION/CUT for one background")
    backgrounds: int
    roles: list[RoleCredit]
    uncredited: int = Field(description="people who asked not to be named; counted, never dropped")
    gaps: list[CreditGap] = Field(description="stages with no named person (only with --allow-gaps)")
    ai_disclosure: AIDisclosure


@dataclass(frozen=True)
class ContributionFact:
    """One person's work on one stage, flattened from the rows, in the order the work was done."""

    role: str
    handle: str
    name: str
    native_name: str | None
    company: str | None
    company_native: str | None
    credited: bool


@dataclass(frozen=True)
class ModelUseFact:
    name: str
    version: str | None
    # None: an AI picture made outside the tracked pipeline, whose weights are unknown.
    fingerprint: str | None
    test_model: bool
    license: str | None
    stage_kind: str
    background_id: int

    @property
    def key(self) -> str:
        return self.fingerprint or f"external:{self.name}"


def credit_sheet(
    project: Project, production: str, *, background: str | None = None, allow_gaps: bool = False
) -> CreditSheet:
    """The credit sheet of a production (or of one of its backgrounds, ``PRODUCTION/CUT``), from its records.

    Raises :class:`CreditGapsError` when a stage has no named person, unless ``allow_gaps``.
    """
    with project.store.reading() as session:
        owner = catalog.get_production(session, production)
        if background is not None:
            scoped = catalog.get_background(session, background)
            if scoped.production_id != owner.id:
                raise InvalidValueError(f"background {background} is not part of production {production}")
            backgrounds = [scoped]
        else:
            backgrounds = list(session.exec(select(Background).where(Background.production_id == owner.id)))
        names = {b.id: f"{owner.handle}/{b.cut}" for b in backgrounds}
        in_scope = col(Stage.background_id).in_(list(names))

        # Plain columns, not entities: a season has tens of thousands of contributions, and building
        # ORM objects for each was 90 % of the export time.
        people_query = (
            select_columns(
                col(Contribution.role),
                col(Person.handle),
                col(Person.name),
                col(Person.native_name),
                col(Person.pseudonym),
                col(Person.native_pseudonym),
                col(Organization.name),
                col(Organization.native_name),
                col(Person.consents_to_credit),
            )
            .join(Stage, col(Stage.id) == Contribution.stage_id)
            .join(Person, col(Person.id) == Contribution.person_id)
            .join(Organization, col(Organization.id) == Person.organization_id, isouter=True)
            .where(in_scope)
            .order_by(col(Stage.started_at), col(Contribution.id))
        )
        contributions = [
            ContributionFact(
                role=role,
                handle=handle,
                name=pseudonym or name,
                native_name=native_pseudonym or (None if pseudonym else native_name),
                company=company,
                company_native=company_native,
                credited=credited,
            )
            for role, handle, name, native_name, pseudonym, native_pseudonym, company, company_native, credited in (
                session.connection().execute(people_query)
            )
        ]
        model_query = (
            select_columns(
                col(AIModel.name),
                col(AIModel.version),
                col(AIModel.fingerprint),
                col(AIModel.is_test_model),
                col(AIModel.license),
                col(Stage.kind),
                col(Stage.background_id),
            )
            .join(AIModel, col(AIModel.id) == Stage.model_id)
            .where(in_scope)
        )
        model_uses = [ModelUseFact(*row) for row in session.connection().execute(model_query)]
        external_query = select_columns(col(Stage.tool), col(Stage.kind), col(Stage.background_id)).where(
            in_scope, col(Stage.kind).in_(AI_STAGE_KINDS), col(Stage.model_id).is_(None)
        )
        model_uses += [
            ModelUseFact(tool or _UNKNOWN_GENERATOR, None, None, False, None, kind, background_id)
            for tool, kind, background_id in session.connection().execute(external_query)
        ]
        unnamed_query = (
            select(Stage)
            .join(Contribution, col(Contribution.stage_id) == Stage.id, isouter=True)
            .where(in_scope, col(Contribution.id).is_(None))
            .order_by(col(Stage.id))
        )
        gaps = [
            CreditGap(
                background=names[stage.background_id],
                stage_kind=stage.kind,
                stage_id=stage.uuid,
                role=stage_kind(stage.kind).default_role,
            )
            for stage in session.exec(unnamed_query)
        ]
        info = ProductionInfo(
            handle=owner.handle, title=owner.title, native_title=owner.native_title, studio=owner.studio
        )
    if gaps and not allow_gaps:
        listed = ", ".join(f"{gap.background} {gap.stage_kind} {gap.stage_id[:8]}" for gap in gaps[:5])
        more = f" and {len(gaps) - 5} more" if len(gaps) > 5 else ""
        raise CreditGapsError(
            f"{len(gaps)} stage{'s have' if len(gaps) != 1 else ' has'} no named person ({listed}{more}); "
            "record who did the work, or export with {option:allow_gaps} to mark the gaps"
        )
    return build_credit_sheet(info, background or owner.handle, len(backgrounds), contributions, model_uses, gaps=gaps)


def build_credit_sheet(
    production: ProductionInfo,
    scope: str,
    backgrounds: int,
    contributions: list[ContributionFact],
    model_uses: list[ModelUseFact],
    *,
    gaps: list[CreditGap] | None = None,
) -> CreditSheet:
    """Group contributions by role in department order and write the AI disclosure. Pure."""
    by_role: dict[str, list[CreditedName]] = {}
    uncredited: set[str] = set()
    for fact in contributions:
        if not fact.credited:
            uncredited.add(fact.handle)
            continue
        names = by_role.setdefault(fact.role, [])
        if all(existing.handle != fact.handle for existing in names):
            names.append(
                CreditedName(
                    handle=fact.handle,
                    name_en=fact.name,
                    name_ja=fact.native_name or fact.name,
                    company_en=fact.company,
                    company_ja=fact.company_native or fact.company,
                )
            )
    roles = [
        RoleCredit(code=code, label_en=role.label_en, label_ja=role.label_ja, names=by_role[code])
        for code, role in ROLES.items()
        if code in by_role
    ]
    return CreditSheet(
        production=production,
        scope=scope,
        backgrounds=backgrounds,
        roles=roles,
        uncredited=len(uncredited),
        gaps=gaps or [],
        ai_disclosure=_disclosure(model_uses),
    )


def _disclosure(model_uses: list[ModelUseFact]) -> AIDisclosure:
    models: dict[str, ModelUse] = {}
    backgrounds: dict[str, set[int]] = {}
    for use in model_uses:
        entry = models.setdefault(
            use.key,
            ModelUse(
                name=use.name,
                version=use.version,
                fingerprint=use.fingerprint,
                external=use.fingerprint is None,
                test_model=use.test_model,
                license=use.license,
                stages=[],
                backgrounds=0,
            ),
        )
        if use.stage_kind not in entry.stages:
            entry.stages.append(use.stage_kind)
        backgrounds.setdefault(use.key, set()).add(use.background_id)
    for key, entry in models.items():
        entry.backgrounds = len(backgrounds[key])
    if not models:
        return AIDisclosure(
            used=False,
            models=[],
            text_en="No generative AI was used in these backgrounds.",
            text_ja="これらの背景に生成AIは使用していません。",
        )
    parts_en, parts_ja = [], []
    for entry in models.values():
        label = f"{entry.name} {entry.version}" if entry.version else entry.name
        stages_en = ", ".join(_STAGE_LABELS.get(kind, (kind, kind))[0] for kind in entry.stages)
        stages_ja = "、".join(_STAGE_LABELS.get(kind, (kind, kind))[1] for kind in entry.stages)
        test_en, test_ja = _TEST_MODEL_NOTE if entry.test_model else ("", "")
        if entry.external:
            test_en, test_ja = " (outside the tracked pipeline; weights unknown)", "（管理外。重みは不明）"
        license_en = f", license: {entry.license}" if entry.license else ""
        license_ja = f"、ライセンス：{entry.license}" if entry.license else ""
        plural = "s" if entry.backgrounds != 1 else ""
        parts_en.append(
            f"{label}{test_en} was used for {stages_en} in {entry.backgrounds} background{plural}{license_en}"
        )
        parts_ja.append(f"{label}{test_ja}を背景{entry.backgrounds}点の{stages_ja}に使用{license_ja}")
    return AIDisclosure(
        used=True,
        models=list(models.values()),
        text_en="AI disclosure: " + "; ".join(parts_en) + ". The AI is credited as a tool, never as an artist.",
        text_ja="AI使用について：" + "。".join(parts_ja) + "。AIは道具であり、作者としてクレジットしません。",
    )
