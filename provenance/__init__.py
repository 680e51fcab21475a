"""provenance: credits and provenance for AI-assisted background art.

Record who made each stage of a background (sketch, AI candidates, selection, paint-over), sign every
file with a C2PA manifest, audit any file back to its people, and export credit sheets that name them.

>>> from provenance import Project, add_person, record_sketch, audit_file  # doctest: +SKIP
>>> project = Project.init(Path("studio"), studio="Harbor Studio")  # doctest: +SKIP

Importing this package does not import torch: the engine loads it when a generation runs.
"""

__version__ = "0.1.0"

from .audit import AuditReport, audit_file
from .catalog import add_background, add_person, add_production
from .credits import CreditSheet, credit_sheet
from .errors import ProvenanceError
from .lineage import Lineage, asset_lineage
from .model_registry import add_model
from .project import Project
from .replay import ReplayResult, replay_generation
from .stages import record_generation, record_revision, record_selection, record_sketch

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
