"""Auditing a file: who made it, stage by stage, how much of it is AI, and whether it is intact.

:func:`audit_file` reads and validates the file's manifest store (or finds the recorded asset behind a
file without one), compares every stage this studio signed with its rows, checks every recorded file,
and measures what each stage gave the final picture: a layout's composition, a painting's or AI's pixels,
a selection's decision. What each verdict promises is :data:`VERDICTS`.
Also here: replaying an AI generation to prove its weights and settings, the pictures of an audit (the
process sheet and heatmap), and the consistency check of a whole project.

>>> report = audit_file(project, Path("assets/harbor/C012/C012_revise_1a2b3c4d.png"))  # doctest: +SKIP
>>> report.verdict, [stage.kind for stage in report.stages]  # doctest: +SKIP
('trusted', ['sketch', 'ai_generate', 'select', 'revise'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .file_audit import audit_file
from .report import (
    AuditPerson,
    AuditReport,
    AuditStage,
    AuditSummary,
    Match,
    Origin,
    PersonShare,
    Shares,
    StageContribution,
    Verdict,
)
from .verdict import VERDICTS

if TYPE_CHECKING:
    from .replay import ReplayResult, replay_generation

__all__ = [
    "VERDICTS",
    "AuditPerson",
    "AuditReport",
    "AuditStage",
    "AuditSummary",
    "Match",
    "Origin",
    "PersonShare",
    "ReplayResult",
    "Shares",
    "StageContribution",
    "Verdict",
    "audit_file",
    "replay_generation",
]


def __getattr__(name: str) -> Any:
    # Replaying loads the engine's modules; an audit never needs them, so they load on first use (PEP 562).
    if name in ("ReplayResult", "replay_generation"):
        from . import replay

        value = getattr(replay, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'provenance.audit' has no attribute {name!r}")
