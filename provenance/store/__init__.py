"""Records of people, productions, backgrounds, stages and assets, in any SQLAlchemy database."""

from .database import Store
from .tables import (
    AIModel,
    Asset,
    Background,
    Contribution,
    CreditLock,
    Organization,
    Person,
    Production,
    Stage,
    StageInput,
    saved_id,
)

__all__ = [
    "AIModel",
    "Asset",
    "Background",
    "Contribution",
    "CreditLock",
    "Organization",
    "Person",
    "Production",
    "Stage",
    "StageInput",
    "Store",
    "saved_id",
]
