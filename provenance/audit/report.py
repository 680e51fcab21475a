"""The audit report: what ``provenance audit --json`` prints (schema ``schemas/audit-report.v1.json``)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr

from ..documents import Document, schema_config
from ..generator_metadata import GeneratorMetadata
from ..recorded_files import FileCheck
from ..vocabulary import ContributionKind

Verdict = Literal[
    "trusted",
    "valid-untrusted",
    "tampered",
    "unknown",
    "records-differ",
    "matched-without-manifest",
    "foreign-ai-metadata",
    "unverifiable",
]


# matches/differs: a stage this studio signed, compared with its rows; missing: signed by this studio, but
# the rows are not in this project; unrecorded: signed by someone else (a partner, another tool), so
# there is nothing of ours to match; from-records: no manifest, the stage is what our records say.
RecordCheck = Literal["matches", "differs", "missing", "unrecorded", "from-records"]


Origin = Literal["human", "ai", "undeclared"]


class AuditPerson(Document):
    handle: str | None = Field(description="the person's handle, when the manifest names one")
    name: str
    native_name: str | None = None
    role: str | None = None


# Where a picture compared for a composition measure came from: the thumbnail signed into the stage's
# manifest, the stage's recorded file in this project, or the audited file itself.
PictureSource = Literal["manifest thumbnail", "recorded file", "audited file"]


class CompositionMeasure(Document):
    score: float = Field(
        description="how closely the final's lines and edges follow the stage's, 0-1: an edge F-score "
        "corrected for chance (pure noise scores about 0, the stage's own picture 1)"
    )
    recall: float = Field(description="fraction of the stage's edges found in the final within the tolerance")
    precision: float = Field(description="fraction of the final's edges that lie on the stage's edges")
    working_size: int = Field(description="px on the long side at which both pictures were compared")
    tolerance: int = Field(description="px, at the working size, within which two edges count as one")
    stage_picture: PictureSource
    final_picture: PictureSource


class Decision(Document):
    candidates: int = Field(description="how many candidates the person chose among, the chosen one included")
    alternatives: list[int] | None = Field(
        default=None, description="asset ids of the candidates passed over, when this project recorded them"
    )


class StageContribution(Document):
    """What a stage gave the final picture, measured in the way that fits it."""

    kind: ContributionKind = Field(
        description="composition (a layout: its lines in the final), pixels (a painting or AI stage: the "
        "pixels it changed last) or decision (a selection: one of N candidates)"
    )
    measure: float | None = Field(
        description="composition: the score; pixels: the share of the final pixels; decision: none; "
        "null when unmeasured"
    )
    text: str = Field(
        description="the contribution in words, e.g. 'composition 0.82', 'pixels 43%', 'chose 1 of 3 candidates'"
    )
    composition: CompositionMeasure | None = None
    decision: Decision | None = None
    unmeasured: str | None = Field(default=None, description="why the measure is missing")


class AuditStage(Document):
    kind: str
    ai: bool = Field(description="true when the stage declares an AI digital source type (origin 'ai')")
    origin: Origin = Field(
        default="human", description="ai, human, or undeclared when the stage's manifest declares no source type"
    )
    people: list[AuditPerson]
    tool: str | None = None
    model: str | None = None
    model_fingerprint: str | None = None
    test_model: bool = False
    settings: dict[str, Any] = Field(default_factory=dict)
    source_type: str | None = None
    stage_id: str | None = None
    manifest: str | None = Field(default=None, description="label of the manifest that signs this stage")
    signer: str | None = Field(
        default=None,
        description="who signed this stage's manifest: the signing certificate's common name (a studio "
        "workstation's name, for identities from `provenance keys issue`)",
    )
    record: RecordCheck
    share: float | None = Field(default=None, description="fraction of the final pixels this stage changed last")
    changed: float | None = Field(default=None, description="fraction of its own output this stage changed")
    failures: list[str] = Field(default_factory=list, description="validation failures of this stage's manifest")
    file: FileCheck | None = Field(default=None, description="the recorded file of this stage, on disk")
    path: str | None = Field(default=None, description="the recorded file, relative to the project")
    contribution: StageContribution | None = Field(
        default=None, description="what the stage gave: composition, pixels or a decision, with its measure"
    )


class PersonShare(Document):
    handle: str | None
    name: str
    native_name: str | None = None
    share: float = Field(description="fraction of the final pixels this person's stages changed last")


class Shares(Document):
    """Pixels: who changed each pixel of the final last. A layout's composition and a selection's decision
    are not pixels; they are each stage's ``contribution``."""

    measure: Literal["pixels changed last"] = Field(
        default="pixels changed last", description="what these totals count: the final pixels each changed last"
    )
    human: float
    ai: float
    undeclared: float = Field(default=0.0, description="made by stages that declare no source type")
    complete: bool = Field(description="false when a stage's changes were never measured")
    people: list[PersonShare] = Field(description="people whose stages changed pixels of the final last")


class Match(Document):
    asset_id: int
    path: str
    phash_distance: int
    dhash_distance: int
    ssim: float


class AuditSummary(Document):
    stages: int
    ai_stages: int
    human_stages: int
    undeclared_stages: int = 0
    people: list[str] = Field(description="handles (or names) of every human in the chain")
    models: list[str]


class AuditReport(Document):
    """What ``provenance audit --json`` prints; schema ``schemas/audit-report.v1.json``."""

    model_config = schema_config("audit-report.v1.json")

    report: Literal["provenance.audit"] = "provenance.audit"
    version: Literal[1] = 1
    file: str
    sha256: str | None = Field(description="computed when the file has no valid manifest to bind its bytes")
    verdict: Verdict
    trusted: bool
    statement: str = Field(description="the verdict in one or two plain sentences")
    validation_state: str | None
    failures: list[str] = Field(description="validation failure codes with their explanations")
    asset_id: int | None = None
    background: str | None = None
    stages: list[AuditStage]
    summary: AuditSummary
    shares: Shares | None = None
    match: Match | None = None
    foreign: GeneratorMetadata | None = None
    problems: list[str] = Field(description="what makes the records and the file disagree")
    notes: list[str] = Field(description="what limits the conclusion without contradicting it")
    # Which stage last changed each pixel (working size), for the heatmap; not part of the JSON.
    _ownership: np.ndarray | None = PrivateAttr(default=None)
    # Each manifest's embedded thumbnail by label, when the audit was asked for them (the process sheet).
    _thumbnails: dict[str, bytes] = PrivateAttr(default_factory=dict)

    @property
    def ownership(self) -> np.ndarray | None:
        return self._ownership

    @property
    def thumbnails(self) -> dict[str, bytes]:
        return self._thumbnails
