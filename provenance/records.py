"""Typed stage records: the facts about one stage that the database, the manifest and the audit share.

A :class:`StageRecord` is built from the database rows when a stage is recorded, embedded verbatim in the
stage's signed manifest (assertion ``org.provenance.stage``), and read back by the audit, which compares
it with the rows again. It is validated at both boundaries, never parsed from free text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

STAGE_ASSERTION = "org.provenance.stage"
# Version 2 added ``inputs``; records signed as version 1 still validate and are compared without them.
STAGE_RECORD_VERSION = 2


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonCredit(_Record):
    handle: str
    name: str
    native_name: str | None = None
    role: str


class ModelRecord(_Record):
    """The weights an AI stage used, identified by content, not by name."""

    name: str
    version: str | None = None
    architecture: str
    fingerprint: str
    weight_sha256: dict[str, str]
    test_model: bool = False
    license: str | None = None

    @property
    def label(self) -> str:
        """Name and version as people write them, e.g. ``tiny v1``."""
        return f"{self.name} {self.version}" if self.version else self.name


class LoraRecord(_Record):
    """A LoRA applied on top of the model, identified by content like the model itself."""

    name: str = Field(description="file name without extension, as A1111 names LoRAs")
    sha256: str
    short_hash: str = Field(description="the first 10 hex digits of the sha256 (Civitai's AutoV2)")
    # Absent from records signed before it was recorded; extra="forbid" would otherwise refuse them.
    addnet_hash: str | None = Field(
        default=None, description="sha256 of the tensor data after the safetensors header: A1111's LoRA hash"
    )
    weight: float
    metadata: dict[str, str] = Field(default_factory=dict, description="the safetensors header's metadata")


class SoftwareAgent(_Record):
    name: str
    version: str | None = None


class SelectionRecord(_Record):
    """A human decision that picked this stage's input among AI candidates (it has no file of its own)."""

    stage_id: str
    people: list[PersonCredit]
    alternatives: int = Field(description="how many candidates were passed over")


class StageRecord(_Record):
    version: int = STAGE_RECORD_VERSION
    stage_id: str
    kind: str
    ai: bool
    production: str
    background: str
    people: list[PersonCredit]
    tool: SoftwareAgent | None = None
    model: ModelRecord | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    selection: SelectionRecord | None = None
    inputs: list[str] | None = Field(
        default=None, description="sha256 of each input file, in the order recorded (None in version 1 records)"
    )
    started_at: datetime
    finished_at: datetime
