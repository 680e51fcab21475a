"""Records of people, productions, backgrounds, stages and assets, in any SQLAlchemy database."""

from .database import Store, insert_once, lock
from .tables import (
    AIModel,
    Asset,
    Background,
    Contribution,
    CreditLock,
    Organization,
    Person,
    Production,
    Signer,
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
    "Signer",
    "Stage",
    "StageInput",
    "Store",
    "insert_once",
    "lock",
    "saved_id",
]
