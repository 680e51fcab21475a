"""A recorded asset's file on disk: is it still as recorded (intact, changed, missing), and its bytes.

Shared by the audit (each stage's file in a chain), ``provenance check`` (every row of the project), and
the stages and replays that read an earlier stage's file as their input.

>>> file_check(project, asset)  # doctest: +SKIP
'intact'
"""

from __future__ import annotations

import hashlib
import stat
from typing import Literal

from .errors import InputFileError
from .project import Project
from .store import Asset

FileCheck = Literal["intact", "changed", "missing"]


def file_check(project: Project, asset: Asset, *, deep: bool = False) -> FileCheck:
    """Compare an asset's file with its row: size and modification time first, then sha256.

    A file whose size and time are as recorded counts as intact without reading it, unless ``deep``.
    """
    path = project.absolute(asset.path)
    try:
        status = path.stat()
    except FileNotFoundError:
        return "missing"
    if not stat.S_ISREG(status.st_mode):
        return "missing"  # a folder (or a device) where the file was: the file is gone all the same
    if not deep and status.st_size == asset.size and status.st_mtime_ns == asset.mtime_ns:
        return "intact"
    return "intact" if hashlib.sha256(path.read_bytes()).hexdigest() == asset.sha256 else "changed"


def verified_file(project: Project, asset: Asset) -> bytes:
    """The bytes of a recorded asset's file, refusing a file that is gone or has changed since."""
    path = project.absolute(asset.path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputFileError(f"the file of asset #{asset.id} ({asset.path}) is missing; restore it") from exc
    except OSError as exc:  # a folder where the file was, no permission
        raise InputFileError(
            f"the file of asset #{asset.id} ({asset.path}) cannot be read ({exc.strerror}); restore it"
        ) from exc
    if hashlib.sha256(data).hexdigest() != asset.sha256:
        raise InputFileError(
            f"the file of asset #{asset.id} ({asset.path}) changed since it was recorded; run `provenance audit` on it"
        )
    return data
