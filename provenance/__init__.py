"""provenance: credits and provenance for AI-assisted background art.

Record who made each stage of a background (sketch, AI candidates, selection, paint-over), sign every
file with a C2PA manifest, audit any file back to its people, and export credit sheets that name them.

>>> from provenance import Project, add_person, record_sketch, audit_file  # doctest: +SKIP
>>> project = Project.init(Path("studio"), studio="Harbor Studio")  # doctest: +SKIP

The names below load on first use (PEP 562): ``import provenance`` imports nothing heavy, so the command
line starts fast, and torch is imported only by the engine when a generation runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

# Public name -> the module that defines it.
_EXPORTS = {
    "AuditReport": "provenance.audit",
    "audit_file": "provenance.audit",
    "ReplayResult": "provenance.audit",
    "replay_generation": "provenance.audit",
    "add_background": "provenance.catalog",
    "add_person": "provenance.catalog",
    "add_production": "provenance.catalog",
    "CreditSheet": "provenance.credits",
    "credit_sheet": "provenance.credits",
    "Lineage": "provenance.credits",
    "asset_lineage": "provenance.credits",
    "ProvenanceError": "provenance.errors",
    "add_model": "provenance.model_registry",
    "Project": "provenance.project",
    "record_generation": "provenance.record",
    "record_revision": "provenance.record",
    "record_selection": "provenance.record",
    "record_sketch": "provenance.record",
}

__all__ = [
    "AuditReport",
    "CreditSheet",
    "Lineage",
    "Project",
    "ProvenanceError",
    "ReplayResult",
    "__version__",
    "add_background",
    "add_model",
    "add_person",
    "add_production",
    "asset_lineage",
    "audit_file",
    "credit_sheet",
    "record_generation",
    "record_revision",
    "record_selection",
    "record_sketch",
    "replay_generation",
]

if TYPE_CHECKING:
    from .audit import AuditReport, ReplayResult, audit_file, replay_generation
    from .catalog import add_background, add_person, add_production
    from .credits import CreditSheet, Lineage, asset_lineage, credit_sheet
    from .errors import ProvenanceError
    from .model_registry import add_model
    from .project import Project
    from .record import record_generation, record_revision, record_selection, record_sketch


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'provenance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
