"""Replaying an AI generation from its record, to prove which weights and settings made a candidate.

The weights are checked first: every recorded weight file, the model's and each LoRA's, is hashed again,
never from the fingerprint cache (a replay is the proof of which weights made a candidate, so it reads
every byte), and any that changed or went missing is reported, with no regeneration. Otherwise the
stage's input file (checked against its record), prompt, seed and settings go through the engine again
and the result is compared with the recorded candidate: on the device it was made on, the pixels must be
identical; on another device (CUDA and CPU kernels round differently) within SSIM >= 0.98 and a pHash
distance <= 4.

>>> replay_generation(project, "3").verdict  # doctest: +SKIP
'identical'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image
from sqlmodel import Session, select

from .. import catalog, engine
from ..engine.fingerprint import sha256_file
from ..errors import InvalidValueError, NotFoundError
from ..imaging import decode_image
from ..project import Project
from ..recorded_files import verified_file
from ..records import LoraRecord
from ..reidentify import image_hashes
from ..store import AIModel, Asset, Stage, StageInput, saved_id

SSIM_TOLERANCE = 0.98
PHASH_TOLERANCE = 4

ReplayVerdict = Literal["identical", "within-tolerance", "differs", "weights-changed"]


@dataclass(frozen=True)
class ReplayResult:
    asset_id: int
    verdict: ReplayVerdict
    recorded_device: str
    device: str | None = None
    ssim: float | None = None
    phash_distance: int | None = None
    changed_weights: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.verdict in ("identical", "within-tolerance")


def replay_generation(project: Project, reference: str, on_step: engine.StepObserver | None = None) -> ReplayResult:
    """Regenerate the AI candidate ``reference`` (id or file) from its record and compare."""
    named = catalog.asset_reference(reference)
    with project.store.session() as session:
        asset = catalog.find_asset(session, named)
        stage = session.get(Stage, asset.stage_id)
        assert stage is not None
        if stage.kind != "ai_generate" or stage.model_id is None:
            raise InvalidValueError(
                f"asset #{asset.id} is a {stage.kind}, not an AI candidate; replay regenerates those"
            )
        model = session.get(AIModel, stage.model_id)
        link = session.exec(select(StageInput).where(StageInput.stage_id == stage.id)).first()
        source = session.get(Asset, link.asset_id) if link else None
        settings = stage.parameters
        lora_rows = [_recorded_lora(session, LoraRecord.model_validate(lora)) for lora in settings.get("loras", [])]
    assert model is not None and source is not None
    recorded_device = str(settings.get("device", "unknown"))

    changed = [name for row in [model, *lora_rows] for name in _changed_weights(row)]
    if changed:
        return ReplayResult(saved_id(asset), "weights-changed", recorded_device, changed_weights=changed)

    source_image = decode_image(verified_file(project, source), name=source.path)
    recorded = decode_image(verified_file(project, asset), name=asset.path)
    run = engine.generate(
        engine.resolve_model(model.path, model.config),
        source_image,
        engine.GenerationSettings(
            prompt=settings["prompt"],
            negative_prompt=settings.get("negative_prompt", ""),
            seeds=[int(settings["seed"])],
            strength=float(settings["strength"]),
            steps=int(settings["steps"]),
            guidance=float(settings["guidance"]),
        ),
        on_step=on_step,
        options=engine.RuntimeOptions(
            vae_tiling=bool(settings.get("vae_tiling")),
            attention_slicing=bool(settings.get("attention_slicing")),
            cpu_offload=bool(settings.get("cpu_offload")),
        ),
        loras=[
            engine.LoraWeights(Path(row.path), float(lora["weight"]))
            for row, lora in zip(lora_rows, settings.get("loras", []), strict=True)
        ],
    )
    again = run.candidates[0].image.convert("RGB")
    if again.size == recorded.size and again.tobytes() == recorded.tobytes():
        return ReplayResult(saved_id(asset), "identical", recorded_device, run.device, ssim=1.0, phash_distance=0)
    score, distance = _closeness(recorded, again)
    tolerated = run.device != recorded_device and score >= SSIM_TOLERANCE and distance <= PHASH_TOLERANCE
    return ReplayResult(
        saved_id(asset),
        "within-tolerance" if tolerated else "differs",
        recorded_device,
        run.device,
        ssim=round(score, 4),
        phash_distance=distance,
    )


def _recorded_lora(session: Session, lora: LoraRecord) -> AIModel:
    """Where the LoRA with this digest was last seen (the manifest names it by hash, the database by path)."""
    for row in session.exec(select(AIModel).where(AIModel.architecture == "lora")):
        if lora.sha256 in row.weight_sha256.values():
            return row
    raise NotFoundError(f"LoRA {lora.name} ({lora.short_hash}) is not in this project's records; it cannot be replayed")


def _changed_weights(model: AIModel) -> list[str]:
    root = Path(model.path)
    base = root if root.is_dir() else root.parent
    changed = []
    for name, recorded in sorted(model.weight_sha256.items()):
        path = base / name
        if not path.is_file():
            changed.append(f"{name} (missing)")
        elif sha256_file(path) != recorded:
            changed.append(name)
    return changed


def _closeness(recorded: Image.Image, again: Image.Image) -> tuple[float, int]:
    from skimage.metrics import structural_similarity

    again = again.resize(recorded.size) if again.size != recorded.size else again
    first = np.asarray(recorded.convert("L"), dtype=np.float64) / 255
    second = np.asarray(again.convert("L"), dtype=np.float64) / 255
    score = float(structural_similarity(first, second, data_range=1.0))
    distance = bin(image_hashes(recorded)[0] ^ image_hashes(again)[0]).count("1")
    return score, distance
