"""Auditing many files in one process: the files named, and the image files under the folders named.

:func:`audit_targets` turns what a user typed into the files to audit; :func:`audit_files` audits them one
after another in one process (one project, one database connection pool, imports paid once) and yields,
for each file, its report or the error that kept it from being audited. A file that cannot be read never
stops the run: it is one more result.

>>> for path, result in audit_files(project, audit_targets([Path("assets")])):  # doctest: +SKIP
...     print(path, getattr(result, "verdict", result))
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..documents import Document, schema_config
from ..errors import InputFileError, ProvenanceError
from ..project import Project
from .file_audit import audit_file
from .report import AuditReport

# What a folder's walk picks: the image formats the audit decodes (imaging.SUPPORTED_FORMATS: PNG, JPEG,
# TIFF, WebP, BMP). Files named on the command line are audited whatever their name; in a folder, the name
# decides, so sidecars (.json, .txt, .psd), animations (.gif) and half-written files are left alone.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".webp", ".tif", ".tiff", ".bmp"})


class AuditFailure(Document):
    """A file of a bulk audit that could not be audited; schema ``schemas/audit-failure.v1.json``."""

    model_config = schema_config("audit-failure.v1.json")

    report: Literal["provenance.audit-failure"] = "provenance.audit-failure"
    version: Literal[1] = 1
    file: str
    error: str = Field(description="why the file could not be audited, in one line")


# A file to audit, or a folder that could not be listed with the error that says so.
Target = tuple[Path, InputFileError | None]


def audit_targets(paths: Iterable[Path]) -> Iterator[Target]:
    """Each file to audit, in the order given: a file as named (a missing one fails when it is audited), a
    folder as its image files, recursively and sorted by path, skipping hidden files and folders
    (``.provenance``, editors' temporaries). A folder that cannot be listed comes out with its error.
    """
    for path in paths:
        if not path.is_dir():
            yield path, None
            continue
        errors: list[OSError] = []
        for folder, folders, files in _sorted_walk(path, errors):
            for name in files:
                if not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES:
                    yield Path(folder) / name, None
            folders[:] = [name for name in folders if not name.startswith(".")]
        for error in errors:
            reason = f"cannot be listed ({error.strerror}); check its permissions"
            yield Path(str(error.filename)), InputFileError(f"{error.filename} {reason}")


def _sorted_walk(path: Path, errors: list[OSError]) -> Iterator[tuple[str, list[str], list[str]]]:
    # os.walk does not follow links to folders, so a link loop cannot make the walk endless.
    for folder, folders, files in os.walk(path, onerror=errors.append):
        folders.sort()
        yield folder, folders, sorted(files)


def audit_files(
    project: Project, targets: Iterable[Target], *, deep: bool = False
) -> Iterator[tuple[Path, AuditReport | ProvenanceError]]:
    """``(file, report)`` for each target that could be audited, ``(file, error)`` for each that could not."""
    for path, error in targets:
        if error is not None:
            yield path, error
            continue
        try:
            yield path, audit_file(project, path, deep=deep)
        except ProvenanceError as exc:
            yield path, exc
