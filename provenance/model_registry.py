"""Registered models: a short name for a local model, with its license and notes, fingerprinted once.

A model is identified by its weights (the fingerprint), so registering a name for weights that were
already used updates that record: every stage that used them now discloses the license too.

>>> add_model(project, "house-v2", Path("/models/house-v2"), license="CreativeML OpenRAIL-M")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from . import engine
from .errors import AlreadyExistsError
from .plain_text import checked_optional_text, checked_text
from .project import Project
from .store import AIModel


def add_model(
    project: Project,
    name: str,
    path: Path,
    *,
    license: str | None = None,
    notes: str | None = None,
    config: str | None = None,
) -> AIModel:
    """Register the model at ``path`` under ``name``; the weights are checked and fingerprinted now.

    ``config`` is for a single-file checkpoint that the shipped skeletons do not describe (see
    :func:`provenance.engine.resolve_model`); it is kept with the name and used whenever the name is.
    The name and license reach the AI disclosure of every credit sheet: they and the notes are one line of text.
    """
    name = checked_text(name, "model name")
    license = checked_optional_text(license, "license")
    notes = checked_optional_text(notes, "model notes")
    source = engine.resolve_model(str(path), config)
    fingerprint = engine.fingerprint_weights(source.path)
    with project.store.session() as session:
        taken = session.exec(select(AIModel).where(AIModel.name == name)).first()
        if taken is not None and taken.fingerprint != fingerprint.digest:
            raise AlreadyExistsError(
                f"the name {name!r} is registered for other weights ({taken.path}); pick another name"
            )
        model = session.exec(select(AIModel).where(AIModel.fingerprint == fingerprint.digest)).first()
        if model is None:
            model = AIModel(fingerprint=fingerprint.digest, name=name, path="", architecture=source.architecture)
        model.name, model.path, model.architecture = name, str(source.path), source.architecture
        model.config = engine.stored_config(config)
        model.weight_sha256, model.short_hash = fingerprint.weight_sha256, fingerprint.short_hash
        model.license = license if license is not None else model.license
        model.notes = notes if notes is not None else model.notes
        session.add(model)
    return model


def list_models(project: Project) -> list[AIModel]:
    with project.store.session() as session:
        return list(session.exec(select(AIModel).order_by(col(AIModel.name))))


def registered_reference(session: Session, reference: str) -> tuple[str, str | None]:
    """``--model`` as a user gives it, as the engine takes it: a registered name becomes its path and
    config; ``tiny`` and paths pass through. Reads the records only: resolving (and building ``tiny``)
    is the caller's next step, outside the transaction.
    """
    if reference == engine.TINY_NAME:
        return reference, None
    model = session.exec(select(AIModel).where(AIModel.name == reference, AIModel.architecture != "lora")).first()
    return (model.path, model.config) if model is not None else (reference, None)
