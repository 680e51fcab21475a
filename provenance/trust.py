"""Partner studios' certificate authorities: the anchors, besides our own CA, whose files we trust.

Each anchor is a PEM file in ``.provenance/trust/<name>.pem``; :meth:`Project.signing_identity` reads them
all, so validation everywhere (audit, ingredient checks while signing) trusts them at once.

>>> add_anchor(project, Path("kumo-ca.pem"), name="studio-kumo")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from .errors import AlreadyExistsError, InputFileError, InvalidValueError, NotFoundError
from .project import Project


@dataclass(frozen=True)
class Anchor:
    name: str
    subject: str
    sha256: str
    not_after: str


def add_anchor(project: Project, pem_file: Path, *, name: str | None = None) -> Anchor:
    """Trust a partner's CA certificate (PEM). Refuses a file that is not a CA certificate."""
    try:
        pem = pem_file.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{pem_file} cannot be read ({exc.strerror}); give the partner's CA .pem file") from None
    try:
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise InputFileError(f"{pem_file} is not a PEM certificate; ask the partner for their CA .pem") from None
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise InvalidValueError(f"{pem_file} is not a CA certificate; trust the partner's CA, not a signer")
    name = name or re.sub(r"[^a-z0-9._-]+", "-", pem_file.stem.lower()).strip("-") or "partner"
    target = project.trust_folder / f"{name}.pem"
    if target.exists():
        raise AlreadyExistsError(f"an anchor named {name!r} exists; remove it first or pick another --name")
    project.trust_folder.mkdir(exist_ok=True)
    target.write_bytes(certificate.public_bytes(Encoding.PEM))
    return _describe(name, certificate)


def list_anchors(project: Project) -> list[Anchor]:
    return [
        _describe(path.stem, x509.load_pem_x509_certificate(path.read_bytes()))
        for path in sorted(project.trust_folder.glob("*.pem"))
    ]


def remove_anchor(project: Project, name: str) -> None:
    target = project.trust_folder / f"{name}.pem"
    if not target.is_file():
        raise NotFoundError(f"no trust anchor named {name!r}; `provenance trust list` shows them")
    target.unlink()


def _describe(name: str, certificate: x509.Certificate) -> Anchor:
    return Anchor(
        name=name,
        subject=certificate.subject.rfc4514_string(),
        sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        not_after=certificate.not_valid_after_utc.date().isoformat(),
    )
