"""Audits for the pages: recorded files through a short-lived cache, uploads through a private temporary file.

An audit of a 4K final takes tens of milliseconds, and a page of the production grid shows dozens. The
cache keeps each recorded file's report for ``max_age`` seconds, keyed by the file's path, size and
modification time, so a changed file is audited afresh at once and a changed record within
``max_age``; the pages about one file always audit afresh. At most ``workers`` audits run at a time,
whatever the number of requests, so a burst of uploads cannot starve the machine.

An upload is written to a file that only this user can read, in a folder of its own, audited with the
same :func:`~provenance.audit.audit_file` the command line calls, and deleted before the answer is sent.
The report then names the file as the client named it, as ``provenance audit NAME --json`` would.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PureWindowsPath

from ..audit import AuditReport, audit_file
from ..errors import ProvenanceError
from ..project import Project
from ..store import Asset
from .served_files import recorded_file

_Key = tuple[str, int, int]


class AuditCache:
    def __init__(self, project: Project, *, max_age: float = 120.0, size: int = 512, workers: int = 2) -> None:
        self.project = project
        self.max_age = max_age
        self.size = size
        self._reports: OrderedDict[int, tuple[_Key, float, AuditReport]] = OrderedDict()
        self._lock = threading.Lock()
        self._running = threading.BoundedSemaphore(workers)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="provenance-audit")

    def of_asset(self, asset: Asset, *, fresh: bool = False) -> AuditReport:
        """The audit of a recorded asset's file (with the manifests' thumbnails kept for the pages)."""
        path = recorded_file(self.project, asset.path)
        key = _key_of(asset.path, path)
        asset_id = asset.id or 0
        with self._lock:
            cached = self._reports.get(asset_id)
        if not fresh and cached and cached[0] == key and time.monotonic() - cached[1] < self.max_age:
            return cached[2]
        with self._running:
            try:
                report = audit_file(self.project, path, thumbnails=True)
            except ProvenanceError as exc:
                raise type(exc)(exc.message.replace(str(path), asset.path)) from exc
        report.file = asset.path  # as recorded, relative to the project: the server's folders are nobody's business
        with self._lock:
            self._reports[asset_id] = (key, time.monotonic(), report)
            self._reports.move_to_end(asset_id)
            while len(self._reports) > self.size:
                self._reports.popitem(last=False)
        return report

    def prefetch(self, assets: list[Asset]) -> list[Future[AuditReport]]:
        """Start auditing several assets at once; each future holds a report or the error it raised."""
        return [self._pool.submit(self.of_asset, asset) for asset in assets]

    def of_upload(self, name: str, data: bytes) -> AuditReport:
        """The audit of an uploaded file, kept nowhere: see the module's description."""
        folder = Path(tempfile.mkdtemp(prefix="provenance-upload-"))  # mode 0700: ours alone
        path = folder / name
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            with self._running:
                report = audit_file(self.project, path, thumbnails=True)
        except ProvenanceError as exc:
            # The temporary folder means nothing to the client: name the file as they did.
            raise type(exc)(exc.message.replace(str(path), name)) from exc
        finally:
            path.unlink(missing_ok=True)
            shutil.rmtree(folder, ignore_errors=True)
        report.file = name
        return report

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def upload_name(filename: str | None) -> str:
    """The last part of a client's file name, without separators or hidden characters; "upload" if none.

    >>> upload_name("C:\\\\work\\\\C012.png"), upload_name("../../etc/passwd"), upload_name("..")
    ('C012.png', 'passwd', 'upload')
    """
    name = PureWindowsPath(filename or "").name  # splits on both "/" and "\\"
    name = "".join(char for char in name if char.isprintable())[:120].strip()
    return name if name not in ("", ".", "..") else "upload"


def _key_of(stored: str, path: Path) -> _Key:
    try:
        status = path.stat()
    except OSError:
        return (stored, -1, -1)  # a missing file: the audit raises its one-line error, nothing is cached
    return (stored, status.st_size, status.st_mtime_ns)
