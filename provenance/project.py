"""A project folder: its settings, its database and its studio keys.

Layout::

    <root>/.provenance/project.json    settings (database URL if not the default SQLite file)
    <root>/.provenance/provenance.db   the default SQLite database
    <root>/.provenance/keys/           studio CA and signing certificate (private keys owner-only)
    <root>/.provenance/trust/          partner studios' CA certificates (``provenance trust add``)
    <root>/assets/...                  the signed files the stages write

A project is found like git finds a repository: in the given folder or the nearest parent that has
``.provenance/``.

>>> project = Project.init(tmp_path, studio="Harbor Studio")  # doctest: +SKIP
>>> Project.find(tmp_path / "assets").root == tmp_path  # doctest: +SKIP
True
"""

from __future__ import annotations

import contextlib
import json
import shutil
from functools import cached_property
from pathlib import Path

from .errors import InputFileError, ProjectError
from .keys import SigningIdentity, create_studio_keys, load_signing_identity, load_studio_ca_pem
from .plain_text import checked_text
from .store import Store
from .trust import partner_anchors_pem

MARKER = ".provenance"
SETTINGS_FILE = "project.json"
SETTINGS_VERSION = 1


class Project:
    def __init__(self, root: Path, store: Store) -> None:
        self.root = root
        self.store = store

    @property
    def folder(self) -> Path:
        return self.root / MARKER

    @property
    def keys_folder(self) -> Path:
        return self.folder / "keys"

    @property
    def trust_folder(self) -> Path:
        return self.folder / "trust"

    @cached_property
    def studio_anchor(self) -> str:
        """PEM text of this studio's own CA: what tells our signatures from a trusted partner's."""
        return load_studio_ca_pem(self.keys_folder)

    @cached_property
    def partner_anchors(self) -> str:
        """PEM text of every partner CA this project trusts (empty when there are none)."""
        return partner_anchors_pem(self.trust_folder)

    @property
    def trust_anchors(self) -> str:
        """PEM text of every certificate this project trusts: the studio CA and each partner anchor.

        All that reading and validating need; no private key is read, so an audit works on a machine
        (or a copy of the project) that holds no signing key.
        """
        return self.studio_anchor + self.partner_anchors

    @cached_property
    def signing_identity(self) -> SigningIdentity:
        """The studio's signing key and chain, checked on first use: only what signs asks for it."""
        return load_signing_identity(self.keys_folder, self.trust_anchors)

    @classmethod
    def init(cls, root: Path, *, db_url: str | None = None, studio: str | None = None) -> Project:
        """Create a project in ``root``: settings, database tables and studio keys, or nothing at all."""
        root = root.resolve()
        studio = checked_text(studio or root.name, "studio name ({option:studio}, else the folder's name)")
        folder = root / MARKER
        if folder.exists():
            raise ProjectError(f"{root} already holds a provenance project; use it, or pick another folder")
        created = [path for path in (root, *root.parents) if not path.exists()]
        try:
            root.mkdir(parents=True, exist_ok=True)
            folder.mkdir()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ProjectError(f"cannot create a project in {root} ({reason}); pick a writable folder") from exc
        try:
            settings = {"version": SETTINGS_VERSION, "db": db_url, "studio": studio}
            (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n")
            create_studio_keys(folder / "keys", studio)
            store = Store.create(db_url or _default_db_url(folder))
        except BaseException as exc:
            shutil.rmtree(folder, ignore_errors=True)
            for path in created:  # the folders init made for the project, innermost first, if still empty
                with contextlib.suppress(OSError):
                    path.rmdir()
            if isinstance(exc, OSError):  # a full disk, a file-size limit
                raise ProjectError(
                    f"cannot write the project in {root} ({exc.strerror or exc}); free some space"
                ) from exc
            raise
        return cls(root, store)

    @classmethod
    def find(cls, start: Path, *, db_url: str | None = None) -> Project:
        """Open the project that holds ``start`` (a folder), looking upwards."""
        start = start.resolve()
        for candidate in (start, *start.parents):
            if (candidate / MARKER / SETTINGS_FILE).is_file():
                return cls.open(candidate, db_url=db_url)
        raise ProjectError(f"no provenance project in {start} or above; run `provenance init` there first")

    @classmethod
    def open(cls, root: Path, *, db_url: str | None = None) -> Project:
        folder = root / MARKER
        try:
            settings = json.loads((folder / SETTINGS_FILE).read_text())
        except (OSError, ValueError) as exc:
            raise ProjectError(f"the project settings in {folder} cannot be read: {exc}") from exc
        if not isinstance(settings, dict):
            raise ProjectError(
                f"the project settings file {folder / SETTINGS_FILE} is not a JSON object; restore it from backup"
            )
        url = db_url or settings.get("db") or _default_db_url(folder)
        return cls(root, Store.open(url))

    def relative(self, path: Path) -> str:
        """A path inside the project as stored in records: relative, forward slashes."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError as exc:
            raise InputFileError(
                f"{path} is outside the project folder {self.root}; write outputs inside the project"
            ) from exc

    def absolute(self, stored_path: str) -> Path:
        return self.root / stored_path

    def close(self) -> None:
        self.store.close()


def _default_db_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'provenance.db'}"
