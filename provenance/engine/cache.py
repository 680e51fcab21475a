"""The user cache: where built models, assembled config skeletons and weight digests live.

Folders in it are built once, in a staging folder beside their final place and renamed into it, so a
crash or a second process never leaves a half-built folder where a finished one is expected.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from safetensors import SafetensorError

from ..errors import ModelError

# Present in every finished folder: a diffusers pipeline index.
_FINISHED_MARK = "model_index.json"


def cache_folder() -> Path:
    """Where built models live: $PROVENANCE_CACHE, else $XDG_CACHE_HOME/provenance, else ~/.cache."""
    if explicit := os.environ.get("PROVENANCE_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provenance"


def built_once(folder: Path, build: Callable[[Path], None]) -> Path:
    """``folder``, made by ``build(staging)`` the first time it is asked for."""
    if (folder / _FINISHED_MARK).is_file():
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            build(staging)
            try:
                os.rename(staging, folder)
            except OSError:
                # Another process finished the same deterministic build first; use theirs.
                if not (folder / _FINISHED_MARK).is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except (OSError, SafetensorError) as exc:  # no such folder, no permission, a full disk (safetensors says so too)
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ModelError(
            f"cannot write the cache folder {folder.parent} ({reason}); set PROVENANCE_CACHE to a writable "
            "folder with space to spare"
        ) from exc
    return folder
