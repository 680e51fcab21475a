"""Stage kinds and credit role codes: the shared vocabulary of records, manifests and credit sheets.

Pure data, no I/O. The order of :data:`ROLES` is the department order of a credit sheet.

>>> ROLES["BG_LAYOUT"].label_ja
'背景原図'
>>> STAGE_KINDS["ai_generate"].ai
True
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidValueError


@dataclass(frozen=True)
class Role:
    code: str
    label_en: str
    label_ja: str


@dataclass(frozen=True)
class StageKind:
    name: str
    ai: bool
    default_role: str


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
        StageKind("sketch", ai=False, default_role="BG_LAYOUT"),
        StageKind("design", ai=False, default_role="BG_DESIGN"),
        StageKind("art_board", ai=False, default_role="BG_BOARD"),
        StageKind("ai_generate", ai=True, default_role="AI_OPERATOR"),
        # An AI picture made outside the tracked pipeline, recorded honestly by the person who brought it in.
        StageKind("ai_external", ai=True, default_role="AI_OPERATOR"),
        # A selection is a decision, not a picture: it writes no file of its own.
        StageKind("select", ai=False, default_role="BG_AD"),
        StageKind("revise", ai=False, default_role="BG_RETOUCH"),
        StageKind("paint", ai=False, default_role="BG_ARTIST"),
        StageKind("art_check", ai=False, default_role="BG_AD"),
        StageKind("composite", ai=False, default_role="DOP"),
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
