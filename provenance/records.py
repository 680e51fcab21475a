"""Typed stage records: the facts about one stage that the database, the manifest and the audit share.

A :class:`StageRecord` is built from the database rows when a stage is recorded, embedded verbatim in the
stage's signed manifest (assertion ``org.provenance.stage``), and read back by the audit, which compares
it with the rows again. It is validated at both boundaries, never parsed from free text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class GenerationParameters(_Record):
    """Every setting of one AI generation: what changes its pixels, and how and where it ran.

    Validated when a generation is recorded and again when a signed record is read back. Fields added
    after version 1 have defaults, so records signed before still validate.
    """

    prompt: str
    negative_prompt: str = ""
    seed: int
    strength: float
    steps: int
    steps_run: int | None = Field(default=None, description="denoising steps actually run (strength x steps)")
    guidance: float
    loras: list[LoraRecord] = Field(default_factory=list)
    width: int | None = None
    height: int | None = None
    scheduler: str | None = None
    scheduler_config: dict[str, Any] = Field(default_factory=dict)
    vae_tiling: bool = False
    attention_slicing: bool = False
    cpu_offload: bool = False
    device: str | None = None
    dtype: str | None = None
    versions: dict[str, str] = Field(default_factory=dict)
    candidate: int | None = Field(default=None, description="this candidate's number in its batch, from 1")
    candidates: int | None = Field(default=None, description="how many candidates the batch made")


class ExternalAIParameters(_Record):
    """An AI picture made outside the tracked pipeline: what showed it was AI."""

    evidence: list[str] = Field(default_factory=list)


class NoSettings(_Record):
    """A person's stage: their settings are their own, and nothing is recorded."""


StageSettings = GenerationParameters | ExternalAIParameters | NoSettings


def settings_record(kind: str, settings: Mapping[str, Any] | StageSettings | None) -> StageSettings:
    """The typed settings of a stage of ``kind``, from the stored or signed mapping.

    >>> settings_record("sketch", {})
    NoSettings()
    """
    if isinstance(settings, StageSettings):
        return settings
    values = dict(settings or {})
    if kind == "ai_generate":
        return GenerationParameters.model_validate(values)
    if kind == "ai_external":
        return ExternalAIParameters.model_validate(values)
    return NoSettings.model_validate(values)


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
    settings: StageSettings = Field(default_factory=NoSettings)
    selection: SelectionRecord | None = None
    inputs: list[str] | None = Field(
        default=None, description="sha256 of each input file, in the order recorded (None in version 1 records)"
    )
    started_at: datetime
    finished_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _typed_settings(cls, data: Any) -> Any:
        # The kind says which settings a record holds; without this, {} would fit two of them.
        if isinstance(data, dict) and isinstance(data.get("kind"), str):
            data = {**data, "settings": settings_record(data["kind"], data.get("settings"))}
        return data
