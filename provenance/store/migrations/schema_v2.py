"""The record tables of schema version 2, as provenance 0.1 created them, frozen here.

Migrations and their tests build on these definitions, never on today's models, so a change to the models
cannot change what "a version-2 database" means. Column types, indexes and constraints are those
``SQLModel.metadata.create_all`` produced in that release.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

VERSION = 2

metadata = MetaData()


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _text(name: str, *, nullable: bool = False, unique: bool = False, index: bool = False) -> Column[str]:
    return Column(name, String, nullable=nullable, unique=unique or None, index=index or None)


schema_info = Table(
    "schema_info", metadata, Column("id", Integer, primary_key=True), Column("version", Integer, nullable=False)
)
organization = Table("organization", metadata, _id(), _text("name", unique=True), _text("native_name", nullable=True))
person = Table(
    "person",
    metadata,
    _id(),
    _text("handle", unique=True, index=True),
    _text("name"),
    _text("native_name", nullable=True),
    _text("family_name", nullable=True),
    _text("given_name", nullable=True),
    _text("romanization"),
    _text("kana", nullable=True),
    _text("pseudonym", nullable=True),
    _text("native_pseudonym", nullable=True),
    Column("organization_id", Integer, ForeignKey("organization.id"), nullable=True),
    Column("consents_to_credit", Boolean, nullable=False),
)
production = Table(
    "production",
    metadata,
    _id(),
    _text("handle", unique=True, index=True),
    _text("title"),
    _text("native_title", nullable=True),
    _text("studio", nullable=True),
)
background = Table(
    "background",
    metadata,
    _id(),
    Column("production_id", Integer, ForeignKey("production.id"), nullable=False, index=True),
    _text("cut"),
    _text("scene", nullable=True),
    _text("episode", nullable=True),
    UniqueConstraint("production_id", "cut"),
)
ai_model = Table(
    "ai_model",
    metadata,
    _id(),
    _text("name"),
    _text("version", nullable=True),
    _text("path"),
    _text("architecture"),
    _text("config", nullable=True),
    _text("fingerprint", unique=True, index=True),
    Column("weight_sha256", JSON, nullable=False),
    _text("short_hash", nullable=True),
    Column("is_test_model", Boolean, nullable=False),
    _text("license", nullable=True),
    _text("notes", nullable=True),
)
stage = Table(
    "stage",
    metadata,
    _id(),
    _text("uuid", unique=True, index=True),
    _text("kind", index=True),
    Column("background_id", Integer, ForeignKey("background.id"), nullable=False, index=True),
    _text("tool", nullable=True),
    _text("tool_version", nullable=True),
    Column("model_id", Integer, ForeignKey("ai_model.id"), nullable=True),
    Column("parameters", JSON, nullable=False),
    _text("batch", nullable=True, index=True),
    Column("selection_id", Integer, ForeignKey("stage.id"), nullable=True),
    Column("changed_fraction", Float, nullable=True),
    _text("mask_path", nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
)
stage_input = Table(
    "stage_input",
    metadata,
    Column("stage_id", Integer, ForeignKey("stage.id"), primary_key=True),
    Column("asset_id", Integer, ForeignKey("asset.id"), primary_key=True, index=True),
)
contribution = Table(
    "contribution",
    metadata,
    _id(),
    Column("stage_id", Integer, ForeignKey("stage.id"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False, index=True),
    _text("role"),
    # Written "lead" always and never read: version 3 drops it.
    _text("degree"),
)
asset = Table(
    "asset",
    metadata,
    _id(),
    Column("background_id", Integer, ForeignKey("background.id"), nullable=False, index=True),
    Column("stage_id", Integer, ForeignKey("stage.id"), nullable=False, index=True),
    _text("path", unique=True),
    _text("sha256", index=True),
    _text("pixel_sha256", index=True),
    _text("phash"),
    _text("dhash"),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    _text("format"),
    # 32-bit on PostgreSQL: version 3 widens both.
    Column("size", Integer, nullable=False),
    Column("mtime_ns", Integer, nullable=False),
    _text("manifest_label", nullable=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
credit_lock = Table(
    "credit_lock",
    metadata,
    _id(),
    Column("production_id", Integer, ForeignKey("production.id"), nullable=False, index=True),
    _text("scope", index=True),
    Column("locked_by_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("locked_at", DateTime(timezone=True), nullable=False),
    _text("sheet_json"),
    _text("signature"),
    _text("certificate_chain"),
)
