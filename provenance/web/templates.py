"""The Jinja2 environment of the pages: every value escaped, hidden characters shown as escapes.

Autoescaping covers markup; :func:`~provenance.plain_text.printable` covers what escaping does not: a
bidirectional override or a control character in a name, a title, a prompt or a foreign file's metadata
would otherwise reorder or hide the text around it. Both apply to every ``{{ value }}``.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..plain_text import printable
from ..vocabulary import ROLES, STAGE_KINDS


def shown(value: Any) -> Any:
    """What a template prints for ``value``: text through printable(), markup already built as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def percent(value: float | None) -> str:
    """A share as a whole percentage, "unmeasured" when there is none.

    >>> percent(0.257), percent(None)
    ('26%', 'unmeasured')
    """
    return "unmeasured" if value is None else f"{value:.0%}"


def role_label(code: str | None) -> tuple[str, str]:
    """English and Japanese labels of a role code; an unknown code labels itself."""
    if code is None:
        return "", ""
    role = ROLES.get(code)
    return (role.label_en, role.label_ja) if role else (code, "")


def page_templates() -> Environment:
    environment = Environment(
        loader=PackageLoader("provenance.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=shown,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["percent"] = percent
    environment.globals["role_label"] = role_label
    environment.globals["stage_is_ai"] = lambda kind: STAGE_KINDS[kind].ai if kind in STAGE_KINDS else False
    return environment
