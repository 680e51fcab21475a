"""Identifying weights by content: the sha256 of every weight file of a model folder or file.

Hashing a 7 GB checkpoint takes tens of seconds, so digests are cached by path, size, inode, modification
and status-change time in ``<cache>/fingerprints.sqlite3``; a file that is replaced, rewritten or touched
is hashed again, even when its mtime was put back. Needs no torch, so an audit or a credit sheet can
fingerprint without loading a model.

>>> fingerprint_weights(Path("models/tiny")).short_hash  # doctest: +SKIP
'0cdb932ad8'
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from .cache import cache_folder

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".ckpt", ".pt", ".pth")
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Fingerprint:
    weight_sha256: dict[str, str]
    # One digest over all the weight digests: equal fingerprints mean equal weights.
    digest: str

    @property
    def short_hash(self) -> str:
        """AUTOMATIC1111's "AutoV2" model hash: the first 10 hex digits of the checkpoint's sha256.

        For a single file that is exactly A1111's hash; for a diffusers folder, which A1111 cannot load,
        it is the first 10 digits of the combined digest.
        """
        if len(self.weight_sha256) == 1:
            return next(iter(self.weight_sha256.values()))[:10]
        return self.digest[:10]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cached_sha256(path: Path) -> str:
    """``sha256_file``, remembered by path, size, inode, modification and status-change time.

    The status-change time (ctime) is what makes the cache safe: anyone can put a file's mtime back with
    ``touch`` or ``os.utime`` after rewriting it at the same size, but every write, utime or rename moves
    its ctime on, and no user can set it back. Where an exact digest is the point (replay), call
    :func:`sha256_file` itself.
    """
    resolved = path.resolve()
    key = _file_key(resolved)
    try:
        return _remembered_sha256(resolved, key)
    except (OSError, sqlite3.Error):
        # The cache only saves time: one that cannot be written, is damaged or stays locked is passed over.
        return sha256_file(resolved)


def _remembered_sha256(resolved: Path, key: tuple[str, int, int, int, int]) -> str:
    database = cache_folder() / "fingerprints.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(database)) as connection, connection:
        # A new table: rows of the first one ("digest", keyed on mtime alone) are never trusted again.
        connection.execute(
            "CREATE TABLE IF NOT EXISTS weight_digest (path TEXT PRIMARY KEY, size INTEGER, inode INTEGER, "
            "mtime_ns INTEGER, ctime_ns INTEGER, sha256 TEXT)"
        )
        row = connection.execute(
            "SELECT sha256 FROM weight_digest WHERE path = ? AND size = ? AND inode = ? AND mtime_ns = ? "
            "AND ctime_ns = ?",
            key,
        ).fetchone()
        if row:
            return str(row[0])
        digest = sha256_file(resolved)
        # A file written to while it was hashed gives a digest of no single version: hash it, don't keep it.
        if _file_key(resolved) == key:
            connection.execute("INSERT OR REPLACE INTO weight_digest VALUES (?, ?, ?, ?, ?, ?)", (*key, digest))
        return digest


def _file_key(path: Path) -> tuple[str, int, int, int, int]:
    status = path.stat()
    return (str(path), status.st_size, status.st_ino, status.st_mtime_ns, status.st_ctime_ns)


def fingerprint_weights(path: Path) -> Fingerprint:
    """Hash the weight files of a diffusers folder (or a single checkpoint file).

    >>> fingerprint_weights(Path("models/tiny")).weight_sha256  # doctest: +SKIP
    {'text_encoder/model.safetensors': '3f1c...', 'unet/diffusion_pytorch_model.safetensors': '...'}
    """
    if path.is_file():
        files = [path]
        root = path.parent
    else:
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
        root = path
    if not files:
        raise ModelError(f"{path} holds no weight files ({', '.join(WEIGHT_SUFFIXES)}); it is not a model")
    try:
        weights = {file.relative_to(root).as_posix(): cached_sha256(file) for file in files}
    except OSError as exc:
        raise ModelError(f"the weights at {path} cannot be read ({exc.filename}: {exc.strerror})") from exc
    combined = hashlib.sha256("".join(f"{name}:{sha}\n" for name, sha in sorted(weights.items())).encode())
    return Fingerprint(weight_sha256=weights, digest=combined.hexdigest())
