"""Evidence that a file offered as a person's work was made by AI: the guard against laundering.

A sketch or a paint-over is credited as human work, so the file behind it must not be an AI picture in
disguise. Three kinds of evidence are looked for, each of which names what it found:

* one of our own recorded assets that carries AI work (an AI candidate, or anything made from one), found
  by the file's bytes, its decoded pixels, or its perceptual hashes confirmed by SSIM (a re-save, a JPEG
  or a resize does not hide it);
* another front end's generation metadata (AUTOMATIC1111, ComfyUI, InvokeAI);
* a C2PA manifest in the file that declares an AI digital source type in any of its actions.

Work on an AI candidate is not laundering: for a paint-over, AI work that the parent already carries (its
own generation, or anything behind it) is expected, and only AI work from elsewhere counts.

>>> find_ai_evidence(session, project, data, image, parent=None)  # doctest: +SKIP
[AIEvidence(summary='it is AI candidate #3 (same bytes)', asset_id=3, ...)]
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from PIL import Image
from sqlmodel import Session, col, select

from ..generator_metadata import read_generator_metadata
from ..imaging import decode_image, mime_type_of, pixel_sha256
from ..manifests import ManifestStore, read_manifest_store
from ..manifests.validation import ai_source_types
from ..project import Project
from ..reidentify import SSIM_BOUND, HashIndex, image_hashes, similarity
from ..store import AIModel, Asset, Stage
from ..store.queries import ai_stages_behind
from ..vocabulary import AI_STAGE_KINDS

# Hash-index candidates to confirm by SSIM: enough for a batch of look-alike candidates.
_CONFIRM_LIMIT = 8


@dataclass(frozen=True)
class AIEvidence:
    """One reason to believe a file is AI work."""

    summary: str
    # Our recorded asset the file is (a copy of), when that is the evidence.
    asset_id: int | None = None
    generator: str | None = None


def find_ai_evidence(
    session: Session,
    project: Project,
    data: bytes,
    image: Image.Image,
    *,
    parent: Asset | None = None,
    manifest_store: ManifestStore | None = None,
) -> list[AIEvidence]:
    """Everything in ``data`` (decoded: ``image``) that says AI made it, beyond what ``parent`` carries.

    ``manifest_store`` is the file's own store when the caller has read it already.
    """
    expected = ai_stages_behind(session, [parent.id or 0]) if parent is not None else set()
    evidence = _recorded_copies(session, project, data, image, parent, expected)
    foreign = read_generator_metadata(data)
    if foreign is not None and not _is_ours(session, foreign.parameters, expected):
        summary = f"it carries {foreign.generator} generation parameters"
        evidence.append(AIEvidence(summary, generator=foreign.generator))
    if manifest_store is None:
        mime_type = mime_type_of(data)
        manifest_store = read_manifest_store(data, project.trust_anchors, mime_type) if mime_type else None
    if manifest_store is not None:
        known = _manifest_labels_of(project, session, parent) if parent is not None else set()
        for label, manifest in manifest_store.manifests.items():
            declared = ai_source_types(manifest)
            if declared and label not in known:
                generator = _claim_generator(manifest)
                term = declared[0].rsplit("/", 1)[-1]
                evidence.append(AIEvidence(f"its C2PA manifest ({generator}) declares {term}", generator=generator))
    return evidence


# --- internals -------------------------------------------------------------------------------------


def _recorded_copies(
    session: Session, project: Project, data: bytes, image: Image.Image, parent: Asset | None, expected: set[int]
) -> list[AIEvidence]:
    """Recorded assets the file is a copy of, that carry AI work the parent does not."""
    digest, pixels = hashlib.sha256(data).hexdigest(), pixel_sha256(image)
    exact = session.exec(
        select(Asset).where((col(Asset.sha256) == digest) | (col(Asset.pixel_sha256) == pixels))
    ).first()
    if exact is not None:
        brought = ai_stages_behind(session, [exact.id or 0]) - expected
        how = "same bytes" if exact.sha256 == digest else "same pixels"
        return [_copy_evidence(session, exact, brought, how)] if brought else []

    rows = [(asset_id or 0, phash, dhash) for asset_id, phash, dhash in session.exec(
        select(Asset.id, Asset.phash, Asset.dhash)
    )]  # fmt: skip
    phash, dhash = image_hashes(image)
    nearest = HashIndex.build(rows).nearest(phash, dhash, limit=_CONFIRM_LIMIT)
    # A paint-over resembles its parent; a copy of another asset resembles that asset more than the parent.
    parent_score = _score(project, parent, image) if parent is not None else 0.0
    for candidate in nearest:
        if parent is not None and candidate.asset_id == parent.id:
            continue
        brought = ai_stages_behind(session, [candidate.asset_id]) - expected
        if not brought:
            continue
        recorded = session.get(Asset, candidate.asset_id)
        score = _score(project, recorded, image) if recorded is not None else 0.0
        if recorded is not None and score >= SSIM_BOUND and score > parent_score:
            return [_copy_evidence(session, recorded, brought, f"SSIM {score:.2f}")]
    return []


def _copy_evidence(session: Session, asset: Asset, brought: set[int], how: str) -> AIEvidence:
    stage = session.get(Stage, asset.stage_id)
    if stage is not None and stage.kind in AI_STAGE_KINDS:
        return AIEvidence(f"it is AI candidate #{asset.id} ({how})", asset_id=asset.id)
    return AIEvidence(
        f"it is recorded asset #{asset.id} ({how}), which carries AI work from {len(brought)} AI stage"
        + ("s" if len(brought) != 1 else ""),
        asset_id=asset.id,
    )


def _score(project: Project, asset: Asset | None, image: Image.Image) -> float:
    if asset is None:
        return 0.0
    path = project.absolute(asset.path)
    try:
        recorded = decode_image(path.read_bytes(), name=asset.path)
    except OSError:
        return 0.0
    return similarity(recorded, image)


def _is_ours(session: Session, parameters: dict[str, Any], expected: set[int]) -> bool:
    """Whether generation parameters are the ones our engine wrote for an AI stage the parent carries."""
    if not expected:
        return False
    query = (
        select(Stage.parameters, AIModel.short_hash)
        .join(AIModel, col(AIModel.id) == Stage.model_id, isouter=True)
        .where(col(Stage.id).in_(expected))
    )
    for settings, short_hash in session.exec(query):
        if str(settings.get("seed")) == str(parameters.get("seed")) and short_hash == parameters.get("model_hash"):
            return True
    return False


def _manifest_labels_of(project: Project, session: Session, parent: Asset) -> set[str]:
    """Labels of every manifest in the parent's own file: history the new file may rightly carry."""
    try:
        data = project.absolute(parent.path).read_bytes()
    except OSError:
        return set()
    mime_type = mime_type_of(data)
    store = read_manifest_store(data, project.trust_anchors, mime_type) if mime_type else None
    return set(store.manifests) if store is not None else set()


def _claim_generator(manifest: dict[str, Any]) -> str:
    info = manifest.get("claim_generator_info") or [{}]
    first = info[0] if isinstance(info, list) and info and isinstance(info[0], dict) else {}
    return str(first.get("name") or manifest.get("claim_generator") or "unknown tool")
