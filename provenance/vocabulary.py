"""Stage kinds and credit role codes: the shared vocabulary of records, manifests and credit sheets.

Pure data, no I/O. The order of :data:`ROLES` is the department order of a credit sheet.

>>> ROLES["BG_LAYOUT"].label_ja
'背景原図'
>>> STAGE_KINDS["ai_generate"].ai
True
>>> STAGE_KINDS["sketch"].contribution, kind_label("sketch")
('composition', 'Layout sketch')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import InvalidValueError


@dataclass(frozen=True)
class Role:
    code: str
    label_en: str
    label_ja: str


# What a stage gives the final picture, and so how an audit measures it: a layout fixes the lines
# (composition, measured by its edges found in the final), a painting stage makes pixels (the pixels it
# changed last), a selection decides (one of N candidates).
ContributionKind = Literal["composition", "pixels", "decision"]


@dataclass(frozen=True)
class StageKind:
    name: str
    ai: bool
    default_role: str
    contribution: ContributionKind
    label: str  # the kind in words, for people reading a process sheet


ROLES: dict[str, Role] = {
    role.code: role
    for role in (
        Role("BG_AD", "Art Director", "美術監督"),
        Role("BG_DESIGN", "Art Setting", "美術設定"),
        Role("BG_BOARD", "Art Board", "美術ボード"),
        Role("BG_LAYOUT", "Background Layout", "背景原図"),
        Role("BG_ARTIST", "Background Art", "背景"),
        Role("BG_RETOUCH", "Background Paint-over", "背景加筆・修正"),
        Role("AI_OPERATOR", "Image Generation Operator", "画像生成オペレーター"),
        Role("COLOR_DESIGN", "Color Design", "色彩設計"),
        Role("DOP", "Director of Photography", "撮影監督"),
    )
}

STAGE_KINDS: dict[str, StageKind] = {
    kind.name: kind
    for kind in (
        StageKind("sketch", ai=False, default_role="BG_LAYOUT", contribution="composition", label="Layout sketch"),
        StageKind("design", ai=False, default_role="BG_DESIGN", contribution="composition", label="Art setting"),
        StageKind("art_board", ai=False, default_role="BG_BOARD", contribution="composition", label="Art board"),
        StageKind("ai_generate", ai=True, default_role="AI_OPERATOR", contribution="pixels", label="AI generation"),
        # An AI picture made outside the tracked pipeline, recorded honestly by the person who brought it in.
        StageKind(
            "ai_external", ai=True, default_role="AI_OPERATOR", contribution="pixels", label="AI image made elsewhere"
        ),
        # A selection is a decision, not a picture: it writes no file of its own.
        StageKind("select", ai=False, default_role="BG_AD", contribution="decision", label="Selection"),
        StageKind("revise", ai=False, default_role="BG_RETOUCH", contribution="pixels", label="Paint-over"),
        StageKind("paint", ai=False, default_role="BG_ARTIST", contribution="pixels", label="Background painting"),
        StageKind("art_check", ai=False, default_role="BG_AD", contribution="pixels", label="Art check"),
        StageKind("composite", ai=False, default_role="DOP", contribution="pixels", label="Composite"),
    )
}

AI_STAGE_KINDS = frozenset(kind.name for kind in STAGE_KINDS.values() if kind.ai)


def role(code: str) -> Role:
    """The role for a code, or an error that lists the codes there are."""
    try:
        return ROLES[code.upper()]
    except KeyError as exc:
        raise InvalidValueError(f"unknown role code {code!r}; use one of {', '.join(ROLES)}") from exc


def stage_kind(name: str) -> StageKind:
    try:
        return STAGE_KINDS[name]
    except KeyError as exc:
        raise InvalidValueError(f"unknown stage kind {name!r}; use one of {', '.join(STAGE_KINDS)}") from exc


def kind_label(name: str) -> str:
    """A stage kind in words ("Paint-over" for ``revise``); a kind this tool does not know, as it was given."""
    kind = STAGE_KINDS.get(name)
    return kind.label if kind else name


def contribution_kind(name: str) -> ContributionKind:
    """What a stage of this kind gives; a kind this tool does not know (another tool's stage) made pixels."""
    kind = STAGE_KINDS.get(name)
    return kind.contribution if kind else "pixels"


def role_name(code: str) -> str:
    """A role code as its English title, "Art Director"; an unknown code as is."""
    known = ROLES.get(code.upper())
    return known.label_en if known else code


def role_title(code: str) -> str:
    """A role code as its English and Japanese titles, "Background Layout / 背景原図"; an unknown code as is."""
    known = ROLES.get(code.upper())
    return f"{known.label_en} / {known.label_ja}" if known else code
