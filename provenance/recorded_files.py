"""Whether a recorded asset's file is still on disk as it was recorded: intact, changed or missing.

Shared by the audit (each stage's file in a chain) and ``provenance check`` (every row of the project).

>>> file_check(project, asset)  # doctest: +SKIP
'intact'
"""

from __future__ import annotations

import hashlib
import stat
from typing import Literal

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
