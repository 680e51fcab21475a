"""Credit sheets: every human who worked on a production, named by role; AI use disclosed apart.

:func:`credit_sheet` gathers the rows; :func:`build_credit_sheet` turns plain contribution facts into a
:class:`CreditSheet` (pure); ``render_*`` turn a sheet into text, CSV or JSON. An AI model is never a
credited name: it only appears in the disclosure, and no line ever reads "AI (+Human)".

Credit conventions (DESIGN.md): Japanese lines read ``役職：氏名``, names joined by ``、``, the company in
brackets after the name; a person who asked not to be named is counted, never silently dropped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Literal

from pydantic import Field
from sqlmodel import col, select

from . import catalog
from .documents import Document, schema_config
from .project import Project
from .store import AIModel, Background, Contribution, Organization, Person, Stage
from .vocabulary import ROLES

_STAGE_LABELS = {
    "ai_generate": ("AI candidate generation (img2img from the layout)", "レイアウトからのAI候補生成"),
}


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


class ModelUse(Document):
    name: str
    fingerprint: str
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
    backgrounds: int
    roles: list[RoleCredit]
    uncredited: int = Field(description="people who asked not to be named; counted, never dropped")
    ai_disclosure: AIDisclosure


@dataclass(frozen=True)
class ContributionFact:
    """One person's work on one stage, flattened from the rows."""

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
    fingerprint: str
    test_model: bool
    license: str | None
    stage_kind: str
    background_id: int


def credit_sheet(project: Project, production: str) -> CreditSheet:
    """The credit sheet of a production, from its records."""
    with project.store.session() as session:
        owner = catalog.get_production(session, production)
        backgrounds = session.exec(select(Background).where(Background.production_id == owner.id)).all()
        stage_filter = col(Stage.background_id).in_([b.id for b in backgrounds])
        people_query = (
            select(Contribution, Person, Organization)
            .join(Stage, col(Stage.id) == Contribution.stage_id)
            .join(Person, col(Person.id) == Contribution.person_id)
            .join(Organization, col(Organization.id) == Person.organization_id, isouter=True)
            .where(stage_filter)
            .order_by(col(Stage.started_at), col(Contribution.id))
        )
        contributions = [
            ContributionFact(
                role=contribution.role,
                handle=person.handle,
                name=person.name,
                native_name=person.native_name,
                company=organization.name if organization else None,
                company_native=organization.native_name if organization else None,
                credited=person.consents_to_credit,
            )
            for contribution, person, organization in session.exec(people_query)
        ]
        model_query = select(Stage, AIModel).join(AIModel, col(AIModel.id) == Stage.model_id).where(stage_filter)
        model_uses = [
            ModelUseFact(
                name=model.name,
                fingerprint=model.fingerprint,
                test_model=model.is_test_model,
                license=model.license,
                stage_kind=stage.kind,
                background_id=stage.background_id,
            )
            for stage, model in session.exec(model_query)
        ]
        info = ProductionInfo(
            handle=owner.handle, title=owner.title, native_title=owner.native_title, studio=owner.studio
        )
    return build_credit_sheet(info, len(backgrounds), contributions, model_uses)


def build_credit_sheet(
    production: ProductionInfo,
    backgrounds: int,
    contributions: list[ContributionFact],
    model_uses: list[ModelUseFact],
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
        backgrounds=backgrounds,
        roles=roles,
        uncredited=len(uncredited),
        ai_disclosure=_disclosure(model_uses),
    )


def _disclosure(model_uses: list[ModelUseFact]) -> AIDisclosure:
    models: dict[str, ModelUse] = {}
    backgrounds: dict[str, set[int]] = {}
    for use in model_uses:
        entry = models.setdefault(
            use.fingerprint,
            ModelUse(
                name=use.name,
                fingerprint=use.fingerprint,
                test_model=use.test_model,
                license=use.license,
                stages=[],
                backgrounds=0,
            ),
        )
        if use.stage_kind not in entry.stages:
            entry.stages.append(use.stage_kind)
        backgrounds.setdefault(use.fingerprint, set()).add(use.background_id)
    for fingerprint, entry in models.items():
        entry.backgrounds = len(backgrounds[fingerprint])
    if not models:
        return AIDisclosure(
            used=False,
            models=[],
            text_en="No generative AI was used in the backgrounds of this production.",
            text_ja="本作の背景に生成AIは使用していません。",
        )
    parts_en, parts_ja = [], []
    for entry in models.values():
        stages_en = ", ".join(_STAGE_LABELS.get(kind, (kind, kind))[0] for kind in entry.stages)
        stages_ja = "、".join(_STAGE_LABELS.get(kind, (kind, kind))[1] for kind in entry.stages)
        test_en = " (a built-in random-weight test model, not a trained generator)" if entry.test_model else ""
        test_ja = "（内蔵のランダム重みテストモデル。学習済み生成モデルではありません）" if entry.test_model else ""
        license_en = f", license: {entry.license}" if entry.license else ""
        license_ja = f"、ライセンス：{entry.license}" if entry.license else ""
        parts_en.append(
            f"{entry.name}{test_en} was used for {stages_en} in {entry.backgrounds} "
            f"background{'s' if entry.backgrounds != 1 else ''}{license_en}"
        )
        parts_ja.append(f"{entry.name}{test_ja}を背景{entry.backgrounds}点の{stages_ja}に使用{license_ja}")
    return AIDisclosure(
        used=True,
        models=list(models.values()),
        text_en="AI disclosure: " + "; ".join(parts_en) + ". The AI is credited as a tool, never as an artist.",
        text_ja="AI使用について：" + "。".join(parts_ja) + "。AIは道具であり、作者としてクレジットしません。",
    )


def render_json(sheet: CreditSheet) -> str:
    return sheet.model_dump_json(indent=2) + "\n"


def render_txt(sheet: CreditSheet) -> str:
    """A plain crawl sheet: the English block, the Japanese block, then the AI disclosure."""
    production = sheet.production
    width = max((len(role.label_en) for role in sheet.roles), default=0) + 4
    lines = [production.title + (f" — {production.studio}" if production.studio else ""), ""]
    for role in sheet.roles:
        names = [_with_company(n.name_en, n.company_en, "({})") for n in role.names]
        lines.append(f"{role.label_en:<{width}}{names[0]}")
        lines.extend(f"{'':<{width}}{name}" for name in names[1:])
    lines += ["", production.native_title or production.title, ""]
    for role in sheet.roles:
        names_ja = "、".join(_with_company(n.name_ja, n.company_ja, "（{}）") for n in role.names)
        lines.append(f"{role.label_ja}：{names_ja}")
    lines.append("")
    if sheet.uncredited:
        lines.append(
            f"{sheet.uncredited} more contributor{'s' if sheet.uncredited != 1 else ''} "
            f"asked not to be named. / ほか{sheet.uncredited}名（本人の希望により氏名非掲載）"
        )
        lines.append("")
    lines += [sheet.ai_disclosure.text_en, sheet.ai_disclosure.text_ja, ""]
    return "\n".join(lines)


def render_csv(sheet: CreditSheet) -> str:
    """The post-house columns: block, order, role_en, role_ja, name_en, name_ja, company."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["block", "order", "role_en", "role_ja", "name_en", "name_ja", "company"])
    order = 0
    for role in sheet.roles:
        for name in role.names:
            order += 1
            writer.writerow(
                [
                    "credits",
                    order,
                    role.label_en,
                    role.label_ja,
                    name.name_en,
                    name.name_ja,
                    name.company_en or "",
                ]
            )
    if sheet.uncredited:
        order += 1
        writer.writerow(
            [
                "note",
                order,
                "Uncredited at their request",
                "氏名非掲載（本人希望）",
                str(sheet.uncredited),
                "",
                "",
            ]
        )
    writer.writerow(
        [
            "ai_disclosure",
            order + 1,
            "AI disclosure",
            "AI使用について",
            sheet.ai_disclosure.text_en,
            sheet.ai_disclosure.text_ja,
            "",
        ]
    )
    return buffer.getvalue()


RENDERERS = {"txt": render_txt, "json": render_json, "csv": render_csv}
FORMATS = tuple(RENDERERS)


def _with_company(name: str, company: str | None, brackets: str) -> str:
    # Full-width brackets carry their own spacing; ASCII ones want a space before them.
    separator = "" if brackets.startswith("（") else " "
    return f"{name}{separator}{brackets.format(company)}" if company else name
