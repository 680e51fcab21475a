"""The database tables: one per concept (person, production, background, model, stage, asset, credit lock,
signer), plus the link that says which assets a stage used.

Lineage is a DAG kept as two relations: ``Asset.stage_id`` (the stage that generated the asset, PROV
wasGeneratedBy) and ``StageInput`` (the assets a stage used, PROV used). Who did a stage is a
``Contribution`` with a role code; an AI model is never a contributor, only the ``model_id`` of a stage.
The store knows nothing about C2PA: a manifest is just the label recorded on an asset.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..errors import ProjectError


def _now() -> datetime:
    return datetime.now(UTC)


def _uuid() -> str:
    return str(uuid.uuid4())


def saved_id(row: SQLModel) -> int:
    """The primary key of a row that has been flushed (sqlmodel types it as optional until then)."""
    value = getattr(row, "id", None)
    if value is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet; flush the session first")
    return int(value)


def stored_json(text: str) -> Any:
    """A JSON column's value as stored; text that no longer parses means the database was damaged.

    Every JSON column here holds an object (settings, weight digests): anything else was put
    there by hand or by damage, and would fail far from here.
    """
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ProjectError(
            f"a record in the project database holds damaged JSON ({exc}); restore the database from backup"
        ) from exc
    if not isinstance(value, dict):
        raise ProjectError(
            f"a record in the project database holds JSON {type(value).__name__} where an object belongs; "
            "restore the database from backup"
        )
    return value


# The tables' version. Raising it needs a migration in ``migrations/versions/`` that takes the previous
# version's database to this one, ending with ``schema_info.version`` set to the new number.
SCHEMA_VERSION = 3


class SchemaInfo(SQLModel, table=True):
    """One row: the version of these tables the database holds (``provenance db upgrade`` raises it)."""

    __tablename__ = "schema_info"

    id: int = Field(default=1, primary_key=True)
    version: int


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    native_name: str | None = None


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(unique=True, index=True)
    # The credited name exactly as the person wants it in English credits (Japanese names family first).
    name: str
    native_name: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    # "hepburn" when the English name was romanized from a kana reading, "own" when they spelled it.
    romanization: str = "own"
    kana: str | None = None
    # A pen name replaces the name in credits; records keep both.
    pseudonym: str | None = None
    native_pseudonym: str | None = None
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    consents_to_credit: bool = True


class Production(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(unique=True, index=True)
    title: str
    native_title: str | None = None
    studio: str | None = None


class Background(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("production_id", "cut"),)

    id: int | None = Field(default=None, primary_key=True)
    production_id: int = Field(foreign_key="production.id", index=True)
    cut: str
    scene: str | None = None
    episode: str | None = None


class AIModel(SQLModel, table=True):
    """Weights a stage used: a checkpoint (a stage's ``model_id``) or a LoRA (``architecture`` "lora")."""

    __tablename__ = "ai_model"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    version: str | None = None
    path: str
    architecture: str
    # For a single-file checkpoint: the --config it loads with (skeleton name or folder); None picks a skeleton.
    config: str | None = None
    # Digest over all weight-file digests: two records with the same fingerprint are the same weights.
    fingerprint: str = Field(unique=True, index=True)
    weight_sha256: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    short_hash: str | None = None
    is_test_model: bool = False
    license: str | None = None
    notes: str | None = None


class Stage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Stable identity that also goes into the signed manifest, so a file can be matched to its record.
    uuid: str = Field(default_factory=_uuid, unique=True, index=True)
    kind: str = Field(index=True)
    background_id: int = Field(foreign_key="background.id", index=True)
    # The software agent: an artist's application, or the diffusers pipeline class for AI stages.
    tool: str | None = None
    tool_version: str | None = None
    model_id: int | None = Field(default=None, foreign_key="ai_model.id")
    parameters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Candidates made by one `generate` call share a batch, so a selection knows the alternatives.
    batch: str | None = Field(default=None, index=True)
    # For work on an AI candidate: the human selection that picked it, fixed when the stage is recorded.
    selection_id: int | None = Field(default=None, foreign_key="stage.id")
    # Which pixels this stage changed relative to its input: a mask file in the project and its share.
    changed_fraction: float | None = None
    mask_path: str | None = None
    started_at: datetime = Field(default_factory=_now)
    finished_at: datetime = Field(default_factory=_now)


class StageInput(SQLModel, table=True):
    __tablename__ = "stage_input"

    stage_id: int = Field(foreign_key="stage.id", primary_key=True)
    asset_id: int = Field(foreign_key="asset.id", primary_key=True, index=True)


class Contribution(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str


class Asset(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    background_id: int = Field(foreign_key="background.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    # Relative to the project folder, with forward slashes.
    path: str = Field(unique=True)
    sha256: str = Field(index=True)
    pixel_sha256: str = Field(index=True)
    phash: str
    dhash: str
    width: int
    height: int
    format: str
    # Size and modification time as written: an audit re-hashes the file only when these differ.
    # 64-bit: nanoseconds since 1970 overflow PostgreSQL's 32-bit INTEGER.
    size: int = Field(default=0, sa_type=BigInteger)
    mtime_ns: int = Field(default=0, sa_type=BigInteger)
    manifest_label: str | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=_now)


class CreditLock(SQLModel, table=True):
    """A signed-off credit sheet: the canonical JSON as it stood, signed with the studio key."""

    __tablename__ = "credit_lock"

    id: int | None = Field(default=None, primary_key=True)
    production_id: int = Field(foreign_key="production.id", index=True)
    # The production handle, or PRODUCTION/CUT for one background.
    scope: str = Field(index=True)
    locked_by_id: int = Field(foreign_key="person.id")
    locked_at: datetime = Field(default_factory=_now)
    sheet_json: str
    signature: str
    certificate_chain: str


class Signer(SQLModel, table=True):
    """A signing identity the studio CA issued (``provenance keys issue``): one per workstation.

    The audit finds a manifest's signer here by its certificate's serial number (which c2pa reports in
    ``signature_info``) to name the workstation, and to refuse trust once the identity is revoked.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    # Decimal, as c2pa's Reader reports it: unique under the studio CA (random 159-bit serials).
    serial: str = Field(unique=True, index=True)
    subject: str
    # sha256 of the certificate's DER bytes.
    fingerprint: str
    not_after: datetime
    issued_at: datetime = Field(default_factory=_now)
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
