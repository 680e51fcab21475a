"""Recording stages of work on a background: sketch, AI generation, selection, paint-over.

Each function resolves its references, does the work (decoding the artist's file, or running the engine),
then writes the signed files and the rows of every stage it makes in one transaction: all or nothing.
The signed manifest carries the :class:`~provenance.records.StageRecord` built from those very rows by
:func:`stage_record`, which the audit calls again to compare a file with its record.

>>> sketch = record_sketch(project, "harbor/C012", Path("layout.png"), artist="tanaka-aiko")  # doctest: +SKIP
>>> candidates = record_generation(project, str(sketch.asset_id), operator="sato-ken",
...                                prompt="harbor at dusk", candidates=3)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image
from sqlmodel import Session, col, select

from . import __version__, catalog, engine
from .ai_evidence import AIEvidence, find_ai_evidence
from .change_mask import change_mask, mask_png
from .errors import AIEvidenceError, AlreadyExistsError, GenerationCancelled, InputFileError, InvalidValueError
from .generator_metadata import format_a1111
from .imaging import decode_image, describe, mime_type_of, png_bytes, read_file, thumbnail_jpeg
from .manifests import manifest_definition, read_manifest_store, sign_png
from .model_registry import resolve_registered
from .pending_files import PendingFiles
from .plain_text import checked_optional_text, checked_text
from .project import Project
from .records import ModelRecord, PersonCredit, SelectionRecord, SoftwareAgent, StageRecord
from .shares import fit_mask, share_size
from .store import AIModel, Asset, Background, Contribution, Person, Production, Stage, StageInput, saved_id
from .vocabulary import role as lookup_role
from .vocabulary import stage_kind


@dataclass(frozen=True)
class RecordedFile:
    """One file a stage wrote: its asset id and its path relative to the project folder."""

    asset_id: int
    path: str
    stage_id: str


@dataclass(frozen=True)
class RecordedSelection:
    stage_id: str
    asset_id: int
    alternatives: list[int]


def record_sketch(
    project: Project,
    background: str,
    file: Path,
    *,
    artist: str,
    role: str | None = None,
    tool: str | None = None,
    output: Path | None = None,
    external_ai: bool = False,
) -> RecordedFile:
    """Record a hand-drawn sketch (the first stage of a background) as a signed PNG.

    A file that carries evidence of AI (see :mod:`provenance.ai_evidence`) is refused, unless
    ``external_ai`` records it honestly as an AI picture made outside the tracked pipeline.
    """
    return _record_file(
        project, "sketch", file, person=artist, role=role, tool=tool, output=output, background=background,
        external_ai=external_ai,
    )  # fmt: skip


def record_revision(
    project: Project,
    asset: str,
    file: Path,
    *,
    artist: str,
    role: str | None = None,
    tool: str | None = None,
    output: Path | None = None,
    external_ai: bool = False,
) -> RecordedFile:
    """Record a person's paint-over of an asset (usually the selected AI candidate).

    AI work that the asset already carries is expected; evidence of AI from anywhere else is refused
    unless ``external_ai`` records the file as AI edits made outside the tracked pipeline.
    """
    return _record_file(
        project, "revise", file, person=artist, role=role, tool=tool, output=output, parent=asset,
        external_ai=external_ai,
    )  # fmt: skip


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
) -> list[RecordedFile]:
    """Run img2img on an asset and record every candidate as its own AI stage, each with its own seed.

    ``model`` is ``tiny``, a registered name, a diffusers folder or a checkpoint file; ``config`` picks the
    configuration of a checkpoint file (see :func:`provenance.engine.resolve_model`). Seeds are ``seed,
    seed+1, ...``; without ``seed`` a random one is drawn and recorded. Each LoRA is recorded with its
    fingerprint, weight and metadata.
    """
    prompt = checked_text(prompt, "prompt")
    negative_prompt = checked_text(negative_prompt, "negative prompt") if negative_prompt else ""  # "": none
    _check_generation_values(strength=strength, steps=steps, guidance=guidance, candidates=candidates, seed=seed)
    # Loaded (and checked) now: a damaged or exposed signing key must stop here, not after the generation.
    _ = project.signing_identity
    options = options or engine.RuntimeOptions()
    with project.store.session() as session:
        person = catalog.get_person(session, operator)
        source_asset = catalog.find_asset(session, asset)
        source = resolve_registered(session, model, config)
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
        run = engine.generate(source, image, settings, on_step=on_step, options=options, loras=loras)
    except KeyboardInterrupt:
        raise GenerationCancelled("generation interrupted; nothing was recorded") from None
    finished = datetime.now(UTC)

    batch = str(uuid.uuid4())
    recorded = []
    with PendingFiles() as pending, project.store.session() as session:
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
                parameters={
                    "prompt": prompt,
                    "negative_prompt": negative_prompt,
                    "seed": candidate.seed,
                    "strength": strength,
                    "steps": steps,
                    "steps_run": run.steps_run,
                    "guidance": guidance,
                    "loras": [record.model_dump() for record in lora_records],
                    "width": run.width,
                    "height": run.height,
                    "scheduler": run.scheduler,
                    "scheduler_config": run.scheduler_config,
                    "vae_tiling": options.vae_tiling,
                    "attention_slicing": options.attention_slicing,
                    "cpu_offload": options.cpu_offload,
                    "device": run.device,
                    "dtype": run.dtype,
                    "versions": run.versions,
                    "candidate": index,
                    "candidates": candidates,
                },
            )
            recorded.append(
                _write_stage(
                    session,
                    pending,
                    project,
                    stage,
                    people=[(person, "AI_OPERATOR")],
                    inputs=[source_asset],
                    image=candidate.image,
                    destination=_default_destination(project, session, stage, suffix=f"c{index}"),
                    parent=(Path(source_asset.path).name, parent_data),
                    parent_image=image,
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


def record_selection(project: Project, asset: str, *, by: str, role: str | None = None) -> RecordedSelection:
    """Record that a person picked this AI candidate to go on; the other candidates are the alternatives."""
    role_code = lookup_role(role or stage_kind("select").default_role).code
    with project.store.session() as session:
        person = catalog.get_person(session, by)
        chosen = catalog.find_asset(session, asset)
        generating = session.get(Stage, chosen.stage_id)
        assert generating is not None
        if generating.kind != "ai_generate":
            raise InvalidValueError(
                f"asset #{chosen.id} is a {generating.kind}, not an AI candidate; select one of the "
                "files `provenance generate` wrote"
            )
        if _selection_of(session, chosen) is not None:
            raise AlreadyExistsError(f"asset #{chosen.id} has already been selected")
        alternatives = _batch_outputs(session, generating)
        alternatives = [asset_id for asset_id in alternatives if asset_id != chosen.id]
        stage = Stage(
            kind="select",
            background_id=chosen.background_id,
            parameters={"alternatives": alternatives},
            batch=generating.batch,
        )
        session.add(stage)
        session.flush()
        session.add(StageInput(stage_id=saved_id(stage), asset_id=saved_id(chosen)))
        session.add(Contribution(stage_id=saved_id(stage), person_id=saved_id(person), role=role_code))
    return RecordedSelection(stage_id=stage.uuid, asset_id=saved_id(chosen), alternatives=alternatives)


def record_external_stage(
    project: Project,
    background: str,
    kind: str,
    *,
    people: Sequence[tuple[str, str]] = (),
    inputs: Sequence[str] = (),
    tool: str | None = None,
) -> str:
    """Record human work whose file lives elsewhere (paperwork, an art check, an import of old records).

    ``people`` are ``(handle, role code)`` pairs. An empty list is allowed, because that is what old
    records sometimes say; the credit export then refuses to hide the gap. AI generations cannot be
    recorded this way: they run through the engine. Returns the stage's id.
    """
    tool = checked_optional_text(tool, "tool")
    if stage_kind(kind).ai:
        raise InvalidValueError("AI generations are recorded by running them: use `provenance generate`")
    roles = [(handle, lookup_role(code).code) for handle, code in people]
    with project.store.session() as session:
        target = catalog.get_background(session, background)
        contributors = [(catalog.get_person(session, handle), code) for handle, code in roles]
        used = [catalog.find_asset(session, reference) for reference in inputs]
        stage = Stage(kind=kind, background_id=saved_id(target), tool=tool)
        session.add(stage)
        session.flush()
        for person, code in contributors:
            session.add(Contribution(stage_id=saved_id(stage), person_id=saved_id(person), role=code))
        for asset in used:
            session.add(StageInput(stage_id=saved_id(stage), asset_id=saved_id(asset)))
    return stage.uuid


def stage_record(session: Session, stage: Stage) -> StageRecord:
    """The record of a stage as its rows say it: what the manifest carries and the audit compares."""
    return stage_records(session, [stage])[stage.uuid]


def stage_records(session: Session, stages: Sequence[Stage]) -> dict[str, StageRecord]:
    """Records of several stages at once, keyed by stage id (one query for everyone's credits)."""
    selections = {
        stage.uuid: session.get(Stage, stage.selection_id) for stage in stages if stage.selection_id is not None
    }
    credits = _credits(session, [*stages, *(s for s in selections.values() if s is not None)])
    inputs = _input_digests(session, stages)
    records = {}
    for stage in stages:
        background = session.get(Background, stage.background_id)
        assert background is not None
        production = session.get(Production, background.production_id)
        assert production is not None
        model = session.get(AIModel, stage.model_id) if stage.model_id else None
        selection = selections.get(stage.uuid)
        records[stage.uuid] = StageRecord(
            stage_id=stage.uuid,
            kind=stage.kind,
            ai=stage_kind(stage.kind).ai,
            production=production.handle,
            background=f"{production.handle}/{background.cut}",
            people=credits.get(stage.id or 0, []),
            tool=SoftwareAgent(name=stage.tool, version=stage.tool_version) if stage.tool else None,
            model=_model_record(model) if model else None,
            settings=stage.parameters if stage_kind(stage.kind).ai else {},
            selection=_selection_record(selection, credits.get(selection.id or 0, [])) if selection else None,
            inputs=inputs.get(stage.id or 0, []),
            started_at=_utc(stage.started_at),
            finished_at=_utc(stage.finished_at),
        )
    return records


def verified_file(project: Project, asset: Asset) -> bytes:
    """The bytes of a recorded asset's file, refusing a file that is gone or has changed since."""
    path = project.absolute(asset.path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"the file of asset #{asset.id} ({asset.path}) is missing; restore it") from None
    except OSError as exc:  # a folder where the file was, no permission
        raise InputFileError(
            f"the file of asset #{asset.id} ({asset.path}) cannot be read ({exc.strerror}); restore it"
        ) from None
    if hashlib.sha256(data).hexdigest() != asset.sha256:
        raise InputFileError(
            f"the file of asset #{asset.id} ({asset.path}) changed since it was recorded; run `provenance audit` on it"
        )
    return data


# --- internals -------------------------------------------------------------------------------------


def _record_file(
    project: Project,
    kind: str,
    file: Path,
    *,
    person: str,
    role: str | None,
    tool: str | None,
    output: Path | None,
    external_ai: bool,
    background: str | None = None,
    parent: str | None = None,
) -> RecordedFile:
    """Record a person's file as a stage: their own work, or with ``external_ai`` an AI picture they bring in."""
    tool = checked_optional_text(tool, "tool")
    if external_ai:
        kind = "ai_external"
    role_code = lookup_role(role or stage_kind(kind).default_role).code
    if output is not None and output.suffix.lower() != ".png":
        raise InvalidValueError(f"{output} must end in .png: every stage writes a signed PNG")
    data = read_file(file)
    image = decode_image(data, name=str(file))
    mime_type = mime_type_of(data)
    own_store = read_manifest_store(data, project.trust_anchors, mime_type) if mime_type else None
    if own_store is not None and not own_store.intact:
        codes = ", ".join(sorted({finding.code for finding in own_store.findings}))
        raise InputFileError(
            f"{file} carries a C2PA manifest that fails validation ({codes}), so its history cannot be kept; "
            "export it again from the application that signed it"
        )
    with project.store.session() as session:
        catalog.get_person(session, person)
        parent_asset = catalog.find_asset(session, parent) if parent is not None else None
        evidence = find_ai_evidence(session, project, data, image, parent=parent_asset, manifest_store=own_store)
    if evidence and not external_ai:
        raise AIEvidenceError(_refusal(file, kind, evidence, parent_asset))
    settings = {"evidence": [item.summary for item in evidence]} if external_ai else {}
    generator = next((item.generator for item in evidence if item.generator), None)
    component = (file.name, data, mime_type) if own_store is not None and mime_type else None

    with PendingFiles() as pending, project.store.session() as session:
        contributor = catalog.get_person(session, person)
        inputs: list[Asset] = []
        parent_file = None
        parent_image = None
        selection = None
        if parent_asset is not None:
            inputs = [parent_asset]
            parent_file = (Path(parent_asset.path).name, verified_file(project, parent_asset))
            parent_image = decode_image(parent_file[1], name=parent_asset.path)
            background_id = parent_asset.background_id
            selection = _selection_of(session, parent_asset)
        else:
            assert background is not None
            background_id = saved_id(catalog.get_background(session, background))
        stage = Stage(
            kind=kind,
            background_id=background_id,
            tool=tool or generator,
            selection_id=selection.id if selection else None,
            parameters=settings,
        )
        destination = output if output is not None else _default_destination(project, session, stage)
        result = _write_stage(
            session,
            pending,
            project,
            stage,
            people=[(contributor, role_code)],
            inputs=inputs,
            image=image,
            destination=destination,
            parent=parent_file,
            parent_image=parent_image,
            component=component,
        )
        pending.publish()
    return result


def _refusal(file: Path, kind: str, evidence: list[AIEvidence], parent: Asset | None) -> str:
    """One line: what says the file is AI, and the honest way to record it."""
    what = "a sketch" if kind == "sketch" else "a paint-over"
    found = evidence[0]
    if found.asset_id is not None:
        honest = f"to record work on it, use `provenance revise {found.asset_id} {file}`"
    else:
        honest = "if AI made it, record it as such with --external-ai"
    more = f" (and {len(evidence) - 1} more sign{'s' if len(evidence) > 2 else ''})" if len(evidence) > 1 else ""
    return f"{file} cannot be recorded as {what} by a person: {found.summary}{more}; {honest}"


def _write_stage(
    session: Session,
    pending: PendingFiles,
    project: Project,
    stage: Stage,
    *,
    people: list[tuple[Person, str]],
    inputs: list[Asset],
    image: Image.Image,
    destination: Path,
    parent: tuple[str, bytes] | None,
    parent_image: Image.Image | None = None,
    text: dict[str, str] | None = None,
    component: tuple[str, bytes, str] | None = None,
) -> RecordedFile:
    """Add one stage's rows, sign its file and queue it; the caller publishes and commits.

    With a parent, the pixels the stage changed are measured and their mask is queued with the file;
    a first stage made every pixel.
    """
    relative_path = project.relative(destination)
    if parent_image is not None:
        mask = change_mask(parent_image, image)
        mask_file = project.folder / "masks" / f"{stage.uuid}.png"
        # Measured at the working size; kept at the size shares are computed at, which is all an audit reads.
        pending.add(mask_file, mask_png(fit_mask(mask, share_size((mask.shape[1], mask.shape[0])))))
        stage.mask_path = project.relative(mask_file)
        stage.changed_fraction = float(mask.mean())
    else:
        stage.changed_fraction = 1.0
    session.add(stage)
    session.flush()
    for person, role_code in people:
        session.add(Contribution(stage_id=saved_id(stage), person_id=saved_id(person), role=role_code))
    for used in inputs:
        session.add(StageInput(stage_id=saved_id(stage), asset_id=saved_id(used)))
    session.flush()

    definition = manifest_definition(
        stage_record(session, stage),
        title=destination.name,
        has_parent=parent is not None,
        has_component=component is not None,
    )
    signed = sign_png(
        definition,
        png_bytes(image, text),
        project.signing_identity,
        thumbnail=thumbnail_jpeg(image),
        parent=parent,
        component=component,
    )
    manifest_store = read_manifest_store(signed, project.trust_anchors, "image/png")
    facts = describe(signed, image)
    written = pending.add(destination, signed)
    asset = Asset(
        background_id=stage.background_id,
        stage_id=saved_id(stage),
        path=relative_path,
        sha256=facts.sha256,
        pixel_sha256=facts.pixel_sha256,
        phash=facts.phash,
        dhash=facts.dhash,
        width=facts.width,
        height=facts.height,
        format=facts.format,
        size=written.st_size,
        mtime_ns=written.st_mtime_ns,
        manifest_label=manifest_store.active_label if manifest_store else None,
    )
    session.add(asset)
    session.flush()
    return RecordedFile(asset_id=saved_id(asset), path=relative_path, stage_id=stage.uuid)


def _default_destination(project: Project, session: Session, stage: Stage, suffix: str = "") -> Path:
    background = session.get(Background, stage.background_id)
    assert background is not None
    production = session.get(Production, background.production_id)
    assert production is not None
    name = f"{background.cut}_{stage.kind}_{stage.uuid[:8]}{'_' + suffix if suffix else ''}.png"
    return project.root / "assets" / production.handle / background.cut / name


def _model_row(
    session: Session, source: engine.ModelSource, fingerprint: engine.Fingerprint, config: str | None
) -> AIModel:
    existing = session.exec(select(AIModel).where(AIModel.fingerprint == fingerprint.digest)).first()
    if existing is not None:
        return existing
    model = AIModel(
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
    )
    session.add(model)
    session.flush()
    return model


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
    session.add(lora)
    return lora


def _selection_of(session: Session, asset: Asset) -> Stage | None:
    query = (
        select(Stage)
        .join(StageInput, col(StageInput.stage_id) == Stage.id)
        .where(StageInput.asset_id == asset.id, Stage.kind == "select")
    )
    return session.exec(query).first()


def _batch_outputs(session: Session, stage: Stage) -> list[int]:
    if stage.batch is None:
        return []
    query = (
        select(Asset.id)
        .join(Stage, col(Stage.id) == Asset.stage_id)
        .where(Stage.batch == stage.batch, Stage.kind == "ai_generate")
        .order_by(col(Asset.id))
    )
    return [asset_id for asset_id in session.exec(query) if asset_id is not None]


def _credits(session: Session, stages: Sequence[Stage]) -> dict[int, list[PersonCredit]]:
    """Who worked on each stage, by stage row id, in the order they were recorded."""
    query = (
        select(Contribution, Person)
        .join(Person, col(Person.id) == Contribution.person_id)
        .where(col(Contribution.stage_id).in_([stage.id for stage in stages]))
        .order_by(col(Contribution.id))
    )
    credits: dict[int, list[PersonCredit]] = {}
    for contribution, person in session.exec(query):
        credits.setdefault(contribution.stage_id, []).append(
            PersonCredit(handle=person.handle, name=person.name, native_name=person.native_name, role=contribution.role)
        )
    return credits


def _input_digests(session: Session, stages: Sequence[Stage]) -> dict[int, list[str]]:
    """The sha256 of each stage's input files, by stage row id, in asset order."""
    query = (
        select(StageInput.stage_id, Asset.sha256)
        .join(Asset, col(Asset.id) == StageInput.asset_id)
        .where(col(StageInput.stage_id).in_([stage.id for stage in stages]))
        .order_by(col(Asset.id))
    )
    digests: dict[int, list[str]] = {}
    for stage_id, sha256 in session.exec(query):
        digests.setdefault(stage_id, []).append(sha256)
    return digests


def _selection_record(selection: Stage, people: list[PersonCredit]) -> SelectionRecord:
    return SelectionRecord(
        stage_id=selection.uuid,
        people=people,
        alternatives=len(selection.parameters.get("alternatives", [])),
    )


def _model_record(model: AIModel) -> ModelRecord:
    return ModelRecord(
        name=model.name,
        version=model.version,
        architecture=model.architecture,
        fingerprint=model.fingerprint,
        weight_sha256=model.weight_sha256,
        test_model=model.is_test_model,
        license=model.license,
    )


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


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
