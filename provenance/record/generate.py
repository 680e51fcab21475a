"""Recording an AI generation: img2img through the engine, each candidate its own signed stage.

>>> candidates = record_generation(project, "1", operator="sato-ken", prompt="harbor at dusk",
...                                candidates=3)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import secrets
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from .. import catalog, engine
from .._version import __version__
from ..a1111 import format_a1111
from ..change_mask import MaskBase, change_mask
from ..errors import GenerationCancelled, InvalidValueError
from ..imaging import decode_image
from ..model_registry import registered_reference
from ..pending_files import PendingFiles
from ..plain_text import checked_text
from ..project import Project
from ..recorded_files import verified_file
from ..records import GenerationParameters
from ..store import AIModel, Stage, insert_once
from .writing import RecordedFile, default_destination, write_stage


def record_generation(
    project: Project,
    asset: str,
    *,
    operator: str,
    prompt: str,
    model: str = "tiny",
    config: str | None = None,
    seed: int | None = None,
    strength: float = 0.6,
    steps: int = 20,
    guidance: float = 7.0,
    negative_prompt: str = "",
    candidates: int = 1,
    on_step: engine.StepObserver | None = None,
    options: engine.RuntimeOptions | None = None,
    loras: Sequence[engine.LoraWeights] = (),
    generator: engine.ImageGenerator | None = None,
) -> list[RecordedFile]:
    """Run img2img on an asset and record every candidate as its own AI stage, each with its own seed.

    ``model`` is ``tiny``, a registered name, a diffusers folder or a checkpoint file; ``config`` picks the
    configuration of a checkpoint file (see :func:`provenance.engine.resolve_model`). Seeds are ``seed,
    seed+1, ...``; without ``seed`` a random one is drawn and recorded. Each LoRA is recorded with its
    fingerprint, weight and metadata. ``generator`` replaces the engine (:class:`engine.ImageGenerator`).
    """
    prompt = checked_text(prompt, "prompt")
    negative_prompt = checked_text(negative_prompt, "negative prompt") if negative_prompt else ""  # "": none
    _check_generation_values(strength=strength, steps=steps, guidance=guidance, candidates=candidates, seed=seed)
    # Loaded (and checked) now: a damaged or exposed signing key must stop here, not after the generation.
    _ = project.signing_identity
    options = options or engine.RuntimeOptions()
    named = catalog.asset_reference(asset)
    with project.store.session() as session:
        person = catalog.get_person(session, operator)
        source_asset = catalog.find_asset(session, named)
        reference, registered_config = registered_reference(session, model)
    # Outside any transaction: resolving `tiny` may build it, and a big checkpoint takes a while to read.
    source = engine.resolve_model(reference, config or registered_config)
    parent_data = verified_file(project, source_asset)
    image = decode_image(parent_data, name=source_asset.path)
    fingerprint = engine.fingerprint_weights(source.path)
    lora_records = [engine.describe_lora(lora) for lora in loras]
    base_seed = secrets.randbelow(2**31) if seed is None else seed
    settings = engine.GenerationSettings(
        prompt=prompt,
        negative_prompt=negative_prompt,
        seeds=[base_seed + index for index in range(candidates)],
        strength=strength,
        steps=steps,
        guidance=guidance,
    )
    started = datetime.now(UTC)
    try:
        run = (generator or engine.generate)(source, image, settings, on_step=on_step, options=options, loras=loras)
    except KeyboardInterrupt as exc:
        raise GenerationCancelled("generation interrupted; nothing was recorded") from exc
    finished = datetime.now(UTC)

    batch = str(uuid.uuid4())
    recorded = []
    # Every candidate is compared with the same input, prepared once (on the measuring thread, so its own copy).
    mask_base = MaskBase(image.copy())
    with (
        # The change masks are measured on a second thread while this one encodes, signs and records each
        # candidate: once denoising is over the second core is idle, and numpy, Pillow and c2pa let go of the GIL.
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="change-mask") as measuring,
        PendingFiles() as pending,
        project.store.session() as session,
    ):
        # Each its own copy of the picture: Pillow images are not shared between threads.
        masks = [measuring.submit(change_mask, mask_base, candidate.image.copy()) for candidate in run.candidates]
        model_row = _model_row(session, source, fingerprint, engine.stored_config(config))
        for lora in loras:
            _lora_row(session, lora.path)
        for index, candidate in enumerate(run.candidates, start=1):
            stage = Stage(
                kind="ai_generate",
                background_id=source_asset.background_id,
                tool=f"diffusers {run.pipeline}",
                tool_version=run.versions.get("diffusers"),
                model_id=model_row.id,
                batch=batch,
                started_at=started,
                finished_at=finished,
                parameters=GenerationParameters(
                    prompt=prompt,
                    negative_prompt=negative_prompt,
                    seed=candidate.seed,
                    strength=strength,
                    steps=steps,
                    steps_run=run.steps_run,
                    guidance=guidance,
                    loras=lora_records,
                    width=run.width,
                    height=run.height,
                    scheduler=run.scheduler,
                    scheduler_config=run.scheduler_config,
                    vae_tiling=options.vae_tiling,
                    attention_slicing=options.attention_slicing,
                    cpu_offload=options.cpu_offload,
                    device=run.device,
                    dtype=run.dtype,
                    versions=run.versions,
                    candidate=index,
                    candidates=candidates,
                ).model_dump(mode="json"),
            )
            recorded.append(
                write_stage(
                    session,
                    pending,
                    project,
                    stage,
                    people=[(person, "AI_OPERATOR")],
                    inputs=[source_asset],
                    image=candidate.image,
                    destination=default_destination(project, session, stage, suffix=f"c{index}"),
                    parent=(Path(source_asset.path).name, parent_data),
                    mask=masks[index - 1].result(),
                    text={
                        "parameters": format_a1111(
                            prompt=prompt,
                            negative_prompt=negative_prompt,
                            steps=steps,
                            scheduler=run.scheduler,
                            scheduler_config=run.scheduler_config,
                            guidance=guidance,
                            seed=candidate.seed,
                            size=(run.width, run.height),
                            model_hash=fingerprint.short_hash,
                            model=model_row.name,
                            strength=strength,
                            version=f"provenance {__version__}",
                            loras=lora_records,
                        )
                    },
                )
            )
        pending.publish()
    return recorded


def _model_row(
    session: Session, source: engine.ModelSource, fingerprint: engine.Fingerprint, config: str | None
) -> AIModel:
    existing = session.exec(select(AIModel).where(AIModel.fingerprint == fingerprint.digest)).first()
    if existing is not None:
        return existing
    return insert_once(session, AIModel, AIModel.fingerprint == fingerprint.digest, AIModel(
        name=source.name,
        version=source.version,
        path=str(source.path),
        architecture=source.architecture,
        config=config,
        fingerprint=fingerprint.digest,
        weight_sha256=fingerprint.weight_sha256,
        short_hash=fingerprint.short_hash,
        is_test_model=source.is_test_model,
        notes="built-in random-weight test model, not a trained generator" if source.is_test_model else None,
    ))  # fmt: skip


def _lora_row(session: Session, path: Path) -> AIModel:
    """The weights row of a LoRA, where its path is kept for replay (manifests name LoRAs by hash only)."""
    fingerprint = engine.fingerprint_weights(path)
    existing = session.exec(select(AIModel).where(AIModel.fingerprint == fingerprint.digest)).first()
    if existing is not None:
        existing.path = str(path.resolve())
        session.add(existing)
        return existing
    lora = AIModel(
        name=path.stem,
        path=str(path.resolve()),
        architecture="lora",
        fingerprint=fingerprint.digest,
        weight_sha256=fingerprint.weight_sha256,
        short_hash=fingerprint.short_hash,
    )
    return insert_once(session, AIModel, AIModel.fingerprint == fingerprint.digest, lora)


# Seeds are stored as signed 64-bit integers (SQLite, CBOR) and drive torch's generator: 0 <= seed < 2**63.
MAX_SEED = 2**63 - 1


def _check_generation_values(
    *, strength: float, steps: int, guidance: float, candidates: int, seed: int | None
) -> None:
    """Refuse, before any work, every value the engine or the records could not take."""
    if not 0.0 < strength <= 1.0:
        raise InvalidValueError(f"strength {strength} is out of range; use a value in (0, 1]")
    if not 1 <= steps <= 1000:
        raise InvalidValueError(f"steps {steps} is out of range; use 1 to 1000")
    if not math.isfinite(guidance) or guidance < 0:
        raise InvalidValueError(f"guidance {guidance} is not a finite number of 0 or more; use e.g. 7")
    if not 1 <= candidates <= 64:
        raise InvalidValueError(f"candidates {candidates} is out of range; use 1 to 64")
    if seed is not None and not 0 <= seed <= MAX_SEED - (candidates - 1):
        raise InvalidValueError(
            f"seed {seed} is out of range; use 0 to {MAX_SEED - (candidates - 1)} "
            f"(each of the {candidates} candidates takes the next seed)"
        )
    if int(strength * steps) < 1:
        raise InvalidValueError(f"strength {strength} with {steps} steps runs no denoising step; raise one of them")
