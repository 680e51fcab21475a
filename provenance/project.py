"""A project folder: its settings, its database and its studio keys.

Layout::

    <root>/.provenance/project.json    settings (database URL if not the default SQLite file)
    <root>/.provenance/provenance.db   the default SQLite database
    <root>/.provenance/keys/           studio CA and signing certificate (private keys owner-only)
    <root>/.provenance/trust/          partner studios' CA certificates (``provenance trust add``)
    <root>/assets/...                  the signed files the stages write

A project is found like git finds a repository: in the given folder or the nearest parent that has
``.provenance/``.

A studio shares one project: the root is the asset root every workstation mounts (paths in the records
are relative to it, so mounts may differ), the database is a PostgreSQL server named in the settings, the
CA's private key is kept off the shared folder (``init --ca-key``), and each workstation signs with its own
identity (``identity``: a folder holding ``signer.key`` and ``signer.pem``, made by ``keys issue``).

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

from sqlmodel import select

from .errors import InputFileError, ProjectError
from .keys import (
    SIGNER_CERT,
    SIGNER_KEY,
    SigningIdentity,
    certificate_facts,
    chain_issued_by,
    create_studio_keys,
    load_signing_identity,
    load_studio_ca_pem,
    signer_certificate,
)
from .plain_text import checked_text
from .store import Signer, Store
from .trust import partner_anchors_pem

MARKER = ".provenance"
SETTINGS_FILE = "project.json"
SETTINGS_VERSION = 1
# The name the project's own signing key (made by init, in the keys folder) has among the signers.
PROJECT_SIGNER = "studio"


class Project:
    def __init__(self, root: Path, store: Store, *, identity: Path | None = None) -> None:
        self.root = root
        self.store = store
        # This workstation's signing identity folder; None: the project's own keys folder.
        self.identity = identity

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

    @property
    def identity_folder(self) -> Path:
        """Where this machine's signing key and chain are: its own identity, else the project's keys."""
        return self.identity if self.identity is not None else self.keys_folder

    @cached_property
    def signing_identity(self) -> SigningIdentity:
        """This machine's signing key and chain, checked on first use: only what signs asks for it.

        Refuses an identity that is not under the studio CA or that the store marks revoked.
        """
        folder = self.identity_folder
        if self.identity is None and not (folder / SIGNER_KEY).exists() and not (folder / SIGNER_CERT).exists():
            raise ProjectError(
                "this workstation has no signing identity; ask the studio for one (`provenance keys issue NAME` "
                "where the CA key is kept) and name its folder with {option:identity} or PROVENANCE_IDENTITY"
            )
        identity = load_signing_identity(folder, self.trust_anchors)
        serial = self.signing_serial
        if not chain_issued_by(identity.certificate_chain_pem, self.studio_anchor):
            raise ProjectError(
                f"the signing identity in {folder} was not issued by this project's studio CA; "
                "use one that `provenance keys issue` made for this project"
            )
        with self.store.reading() as session:
            row = session.exec(select(Signer).where(Signer.serial == serial)).first()
        if row is not None and row.revoked_at is not None:
            raise ProjectError(
                f"this workstation's signing identity {row.name!r} was revoked; ask the studio for a new one "
                "(`provenance keys issue NAME` where the CA key is kept)"
            )
        return identity

    @cached_property
    def signing_serial(self) -> str | None:
        """The serial number (decimal) of this machine's signing certificate; None when it has none."""
        certificate = signer_certificate(self.identity_folder)
        return str(certificate.serial_number) if certificate is not None else None

    @classmethod
    def init(
        cls,
        root: Path,
        *,
        db_url: str | None = None,
        studio: str | None = None,
        ca_key: Path | None = None,
    ) -> Project:
        """Create a project in ``root``: settings, database tables and studio keys, or nothing at all.

        With ``ca_key`` (a studio's set-up) the CA's private key is written there, off the shared folder,
        and the project holds no signing key: each workstation gets its own with ``keys issue``.
        """
        root = root.resolve()
        studio = checked_text(studio or root.name, "studio name ({option:studio}, else the folder's name)")
        folder = root / MARKER
        if folder.exists():
            raise ProjectError(f"{root} already holds a provenance project; use it, or pick another folder")
        created = [path for path in (root, *root.parents) if not path.exists()]
        if ca_key is not None:
            ca_key = ca_key.expanduser().resolve()
            if ca_key.exists():
                raise ProjectError(f"{ca_key} already exists; give a new file for the studio CA key")
            if ca_key.is_relative_to(root):
                raise ProjectError(
                    f"{ca_key} is inside the project folder, which workstations share; keep the CA key elsewhere"
                )
        try:
            root.mkdir(parents=True, exist_ok=True)
            folder.mkdir()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ProjectError(f"cannot create a project in {root} ({reason}); pick a writable folder") from exc
        try:
            settings = {"version": SETTINGS_VERSION, "db": db_url, "studio": studio}
            (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n")
            if ca_key is not None:
                ca_key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            create_studio_keys(folder / "keys", studio, ca_key_path=ca_key)
            store = Store.create(db_url or _default_db_url(folder))
        except BaseException as exc:
            shutil.rmtree(folder, ignore_errors=True)
            if ca_key is not None:
                ca_key.unlink(missing_ok=True)
            for path in created:  # the folders init made for the project, innermost first, if still empty
                with contextlib.suppress(OSError):
                    path.rmdir()
            if isinstance(exc, OSError):  # a full disk, a file-size limit
                raise ProjectError(
                    f"cannot write the project in {root} ({exc.strerror or exc}); free some space"
                ) from exc
            raise
        project = cls(root, store)
        project.record_own_signer()
        return project

    def record_own_signer(self) -> None:
        """Record the project's own signing certificate (``init``'s, in the keys folder) as ``studio``, once."""
        certificate = signer_certificate(self.keys_folder)
        if certificate is None:
            return
        facts = certificate_facts(certificate)
        with self.store.session() as session:
            if session.exec(select(Signer).where(Signer.serial == facts.serial)).first() is None:
                session.add(
                    Signer(
                        name=PROJECT_SIGNER,
                        serial=facts.serial,
                        subject=facts.subject,
                        fingerprint=facts.fingerprint,
                        not_after=facts.not_after,
                    )
                )

    @classmethod
    def find(
        cls, start: Path, *, db_url: str | None = None, identity: Path | None = None, any_version: bool = False
    ) -> Project:
        """Open the project that holds ``start`` (a folder), looking upwards.

        ``identity`` is this workstation's signing identity folder; ``any_version`` opens a database of
        another schema version (for ``provenance db``).
        """
        start = start.resolve()
        for candidate in (start, *start.parents):
            if (candidate / MARKER / SETTINGS_FILE).is_file():
                return cls.open(candidate, db_url=db_url, identity=identity, any_version=any_version)
        raise ProjectError(f"no provenance project in {start} or above; run `provenance init` there first")

    @classmethod
    def open(
        cls, root: Path, *, db_url: str | None = None, identity: Path | None = None, any_version: bool = False
    ) -> Project:
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
        if identity is not None and not identity.is_dir():
            raise ProjectError(f"the signing identity folder {identity} does not exist; check {{option:identity}}")
        return cls(root, Store.open(url, any_version=any_version), identity=identity)

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
