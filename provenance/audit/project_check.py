"""Checking that a project's files and rows agree, and tidying what an interrupted write left behind.

A stage's files appear with their rows or not at all (:mod:`provenance.pending_files`), but a hard kill or a
power cut between publishing the files and committing the rows leaves files without rows, and one before
publishing leaves temporaries. :func:`check_project` finds three kinds of trouble:

* **orphans**, files a stage wrote whose rows were never committed. Exactly two kinds count:

  - a *signed file*: a ``.png`` file (every stage writes PNG, and every output path ends in ``.png``)
    anywhere under the project folder except ``.provenance/``, not at a recorded asset's path, whose bytes'
    sha256 is no recorded asset's, and whose active C2PA manifest validates as trusted under this project's
    own studio CA alone. Partners' files, files without a manifest, and files whose manifest does not
    validate are not orphans (a crash cannot leave those; ``provenance audit`` says what they are), and
    neither is a copy of a recorded file, wherever it lies;
  - a *mask*: a ``.png`` file in ``.provenance/masks/`` that no stage row refers to;

* **rows** whose files are missing or changed: each asset's file (size and modification time, then
  sha256, as the audit checks it) and each stage's change mask (missing only: masks have no recorded hash);
* **temporaries**: files named ``.<name>.png.<random>.part`` that hold a PNG or the start of one, beside the
  assets or in the masks folder: written by :class:`~provenance.pending_files.PendingFiles` and never
  published. (It uses no staging folders, so there are none to find.)

With ``fix=True`` orphans move into ``.provenance/quarantine/`` under their path relative to the project
(a signed file is never deleted) and temporaries are deleted. Rows are never touched: a missing or changed
file is reported for a person to restore. A stage being recorded at the same moment looks exactly like
leftovers, so fix only while nobody records stages in this project.

>>> report = check_project(project, fix=True)  # doctest: +SKIP
>>> report.status, [orphan.quarantined for orphan in report.orphans]  # doctest: +SKIP
('clean', ['.provenance/quarantine/assets/harbor/C012/C012_ai_generate_1b222915_c1.png'])
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from sqlmodel import col, select

from ..documents import Document, schema_config
from ..errors import InputFileError
from ..manifests import read_manifest_store
from ..pending_files import TEMPORARY_NAME, sync_folder
from ..project import MARKER, Project
from ..recorded_files import file_check
from ..records import STAGE_ASSERTION
from ..store import Asset, Stage

# clean: nothing found (or all tidied by --fix); records-differ: a recorded file is missing or changed,
# which a person must restore; leftovers: orphans or temporaries that `provenance check --fix` tidies.
Status = Literal["clean", "leftovers", "records-differ"]


MASKS_FOLDER = f"{MARKER}/masks"
QUARANTINE_FOLDER = f"{MARKER}/quarantine"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class OrphanFile(Document):
    path: str = Field(description="where it was found, relative to the project")
    kind: Literal["signed-file", "mask"]
    stage_id: str | None = Field(description="the stage its manifest (or a mask's name) claims; that stage has no row")
    sha256: str
    quarantined: str | None = Field(default=None, description="where --fix moved it, relative to the project")
    error: str | None = Field(default=None, description="why --fix could not move it")


class RowProblem(Document):
    path: str = Field(description="the recorded path, relative to the project")
    kind: Literal["asset", "mask"]
    state: Literal["missing", "changed"]
    asset_id: int | None = None
    stage_id: str


class Temporary(Document):
    path: str = Field(description="relative to the project")
    destination: str = Field(description="the file it would have become, relative to the project")
    size: int
    removed: bool = False
    error: str | None = Field(default=None, description="why --fix could not remove it")


class CheckReport(Document):
    """What ``provenance check --json`` prints; schema ``schemas/check-report.v1.json``."""

    model_config = schema_config("check-report.v1.json")

    report: Literal["provenance.check"] = "provenance.check"
    version: Literal[1] = 1
    project: str
    status: Status = Field(
        description="what is left after --fix: clean, leftovers (orphans or temporaries), or "
        "records-differ (a recorded file is missing or changed), the worst one"
    )
    fixed: bool = Field(description="whether --fix was asked for")
    rows_checked: int = Field(description="asset and mask rows whose files were checked")
    files_scanned: int = Field(description="PNG files outside the recorded paths that were read")
    orphans: list[OrphanFile]
    rows: list[RowProblem]
    temporaries: list[Temporary]


def check_project(project: Project, *, fix: bool = False, deep: bool = False) -> CheckReport:
    """Find orphans, rows whose files are missing or changed, and temporaries; with ``fix``, tidy the first and
    the last (see the module's docstring for what counts). ``deep`` re-hashes every recorded file.

    Everything is read before anything is moved: a file that cannot be read stops the check with nothing changed.
    """
    with project.store.session() as session:
        assets = list(session.exec(select(Asset, Stage.uuid).join(Stage, col(Stage.id) == Asset.stage_id)))
        masks = list(session.exec(select(Stage.uuid, Stage.mask_path).where(col(Stage.mask_path).is_not(None))))
    try:
        rows = _row_problems(project, assets, masks, deep=deep)
        orphans, temporaries, scanned = _leftovers(project, assets, masks)
    except OSError as exc:
        raise InputFileError(
            f"cannot read {exc.filename} ({exc.strerror}); run the check as someone who can read every file "
            "in the project"
        ) from exc
    if fix:
        for orphan in orphans:
            _quarantine(project, orphan)
        for temporary in temporaries:
            _remove(project, temporary)
    return CheckReport(
        project=str(project.root),
        status=_status(orphans, rows, temporaries),
        fixed=fix,
        rows_checked=len(assets) + len(masks),
        files_scanned=scanned,
        orphans=orphans,
        rows=rows,
        temporaries=temporaries,
    )


def _row_problems(
    project: Project, assets: list[tuple[Asset, str]], masks: list[tuple[str, str | None]], *, deep: bool
) -> list[RowProblem]:
    rows = [
        RowProblem(path=asset.path, kind="asset", state=state, asset_id=asset.id, stage_id=stage_id)
        for asset, stage_id in assets
        if (state := file_check(project, asset, deep=deep)) != "intact"
    ]
    rows += [
        RowProblem(path=mask_path, kind="mask", state="missing", stage_id=stage_id)
        for stage_id, mask_path in masks
        if mask_path and not project.absolute(mask_path).is_file()
    ]
    return rows


def _leftovers(
    project: Project, assets: list[tuple[Asset, str]], masks: list[tuple[str, str | None]]
) -> tuple[list[OrphanFile], list[Temporary], int]:
    """Orphans and temporaries, and how many PNGs outside the recorded paths were read to find them."""
    recorded_paths = {asset.path for asset, _ in assets} | {mask_path for _, mask_path in masks if mask_path}
    recorded_digests = {asset.sha256 for asset, _ in assets}
    # Our CA alone as the anchor: a partner's file is no orphan. Only the certificate is read, no key.
    studio_anchor = project.studio_anchor
    orphans: list[OrphanFile] = []
    temporaries: list[Temporary] = []
    scanned = 0
    for path in _project_files(project):
        relative = path.relative_to(project.root).as_posix()
        if temporary := _temporary(project, path):
            temporaries.append(temporary)
        elif relative not in recorded_paths and path.name.lower().endswith(".png"):
            scanned += 1
            if orphan := _orphan(path, relative, recorded_digests, studio_anchor):
                orphans.append(orphan)
    return orphans, temporaries, scanned


def _project_files(project: Project) -> Iterator[Path]:
    """Every regular file where stages write: the project folder outside ``.provenance/``, and the masks.

    Symbolic links are neither followed nor listed: a stage never writes one.
    """
    for folder, subfolders, names in os.walk(project.root):
        if Path(folder) == project.root and MARKER in subfolders:
            subfolders.remove(MARKER)
        subfolders.sort()
        yield from (Path(folder) / name for name in sorted(names) if _is_regular_file(Path(folder) / name))
    masks = project.root / MASKS_FOLDER
    if masks.is_dir():
        yield from (path for path in sorted(masks.iterdir()) if _is_regular_file(path))


def _is_regular_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _temporary(project: Project, path: Path) -> Temporary | None:
    """A PendingFiles temporary: named ``.<name>.png.<random>.part`` and holding (the start of) a PNG."""
    match = TEMPORARY_NAME.match(path.name)
    if match is None or not match["destination"].lower().endswith(".png"):
        return None
    with path.open("rb") as handle:
        head = handle.read(len(_PNG_MAGIC))
    # A kill during the write leaves a shorter file; anything else with such a name is someone else's.
    if not _PNG_MAGIC.startswith(head):
        return None
    destination = path.parent / match["destination"]
    return Temporary(
        path=path.relative_to(project.root).as_posix(),
        destination=destination.relative_to(project.root).as_posix(),
        size=path.stat().st_size,
    )


def _orphan(path: Path, relative: str, recorded_digests: set[str], studio_anchor: str) -> OrphanFile | None:
    """The file as an orphan, if it is one (see the module's docstring); ``path`` is at no recorded path."""
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if relative.startswith(MASKS_FOLDER + "/"):
        return OrphanFile(path=relative, kind="mask", stage_id=Path(relative).stem, sha256=sha256)
    if sha256 in recorded_digests or not data.startswith(_PNG_MAGIC):
        return None
    manifest_store = read_manifest_store(data, studio_anchor, "image/png")
    # Signed by this studio (a kept component may be a third party's), and intact.
    if manifest_store is None or not manifest_store.intact:
        return None
    if not manifest_store.signed_under_anchor(manifest_store.active_label):
        return None
    manifest = manifest_store.manifests.get(manifest_store.active_label, {})
    return OrphanFile(path=relative, kind="signed-file", stage_id=_signed_stage_id(manifest), sha256=sha256)


def _signed_stage_id(manifest: dict[str, Any]) -> str | None:
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") == STAGE_ASSERTION and isinstance(assertion.get("data"), dict):
            stage_id = assertion["data"].get("stage_id")
            return stage_id if isinstance(stage_id, str) else None
    return None


def _quarantine(project: Project, orphan: OrphanFile) -> None:
    """Move an orphan under ``.provenance/quarantine/``, keeping its relative path; never overwrite."""
    target = project.root / QUARANTINE_FOLDER / orphan.path
    number = 0
    while target.exists():
        number += 1
        target = (project.root / QUARANTINE_FOLDER / orphan.path).with_suffix(f".{number}{Path(orphan.path).suffix}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(project.absolute(orphan.path), target)
        sync_folder(target.parent)
    except OSError as exc:
        orphan.error = f"cannot move it to {target.relative_to(project.root).as_posix()} ({exc.strerror})"
        return
    orphan.quarantined = target.relative_to(project.root).as_posix()


def _remove(project: Project, temporary: Temporary) -> None:
    try:
        project.absolute(temporary.path).unlink(missing_ok=True)
    except OSError as exc:
        temporary.error = f"cannot remove it ({exc.strerror})"
        return
    temporary.removed = True


def _status(orphans: list[OrphanFile], rows: list[RowProblem], temporaries: list[Temporary]) -> Status:
    if rows:
        return "records-differ"
    if any(orphan.quarantined is None for orphan in orphans) or any(not t.removed for t in temporaries):
        return "leftovers"
    return "clean"
