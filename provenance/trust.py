"""Partner studios' certificate authorities: the anchors, besides our own CA, whose files we trust.

Each anchor is one file ``.provenance/trust/<name>.pem`` holding every CA certificate of the PEM bundle it
was added from, so a partner's root and intermediate stay together and are removed together.
:attr:`Project.trust_anchors` reads them all, so validation everywhere (audit, ingredient checks while
signing) trusts them at once. Nothing here reads or writes outside ``.provenance/trust/``.

>>> add_anchor(project, Path("kumo-ca.pem"), name="studio-kumo")  # doctest: +SKIP
[Anchor(name='studio-kumo', subject='CN=Kumo CA,O=Studio Kumo', sha256='3a9f...', not_after='2045-04-01')]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from .errors import AlreadyExistsError, InputFileError, InvalidValueError, NotFoundError, ProjectError

if TYPE_CHECKING:
    from .project import Project

# A plain file name: no separators, no leading dot (so no "..", no hidden files), bounded in length.
_ANCHOR_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
_PEM_BEGIN = b"-----BEGIN "


@dataclass(frozen=True)
class Anchor:
    """One trusted certificate; a bundle gives several with the same ``name``."""

    name: str
    subject: str
    sha256: str
    not_after: str


@dataclass(frozen=True)
class DamagedAnchor:
    """A file in the trust folder that holds no usable certificate, and why."""

    name: str
    path: Path
    problem: str


def add_anchor(project: Project, pem_file: Path, *, name: str | None = None) -> list[Anchor]:
    """Trust every CA certificate of a partner's PEM file (one certificate or a bundle).

    Each certificate must be a CA certificate that is valid today; if any is not, nothing is written.
    """
    try:
        pem = pem_file.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{pem_file} cannot be read ({exc.strerror}); give the partner's CA .pem file") from exc
    try:
        certificates = _parse_bundle(pem)
    except _Unusable as exc:
        raise InputFileError(f"{pem_file}: {exc}; ask the partner for their CA .pem again") from exc
    now = datetime.now(UTC)
    for index, certificate in enumerate(certificates, start=1):
        if problem := _refusal(certificate, now):
            raise InvalidValueError(
                f"{pem_file}: {_which(index, len(certificates))} ({_subject(certificate)}) {problem}"
            )
    name = name if name is not None else _default_name(pem_file)
    target = _anchor_path(project, name)
    if os.path.lexists(target):
        raise AlreadyExistsError(f"an anchor named {name!r} exists; remove it first or pick another {{option:name}}")
    project.trust_folder.mkdir(exist_ok=True)
    _write_new(target, _pem(certificates))
    return [_describe(name, certificate) for certificate in certificates]


def list_anchors(project: Project) -> list[Anchor]:
    """Every partner certificate, bundle by bundle in name order; damaged files are left out."""
    bundles, _ = _read_folder(project.trust_folder)
    return [_describe(name, certificate) for name, certificates in bundles for certificate in certificates]


def damaged_anchors(project: Project) -> list[DamagedAnchor]:
    """The files of the trust folder that hold no usable certificate (:func:`list_anchors` skips them)."""
    return _read_folder(project.trust_folder)[1]


def remove_anchor(project: Project, name: str) -> None:
    """Stop trusting the anchor ``name`` (every certificate of its bundle)."""
    target = _anchor_path(project, name)
    if not target.is_file():
        raise NotFoundError(f"no trust anchor named {name!r}; `provenance trust list` shows them")
    target.unlink()


def partner_anchors_pem(folder: Path) -> str:
    """The PEM text of every partner certificate in ``folder``; a damaged file stops it with one line.

    A damaged anchor is refused rather than skipped: an audit would otherwise call a partner's file
    untrusted without saying why.
    """
    bundles, damaged = _read_folder(folder)
    if damaged:
        first = damaged[0]
        raise ProjectError(
            f"the trust anchor {first.path}: {first.problem}; "
            f"`provenance trust remove {first.name}` drops it, then add the partner's CA again"
        )
    return "".join(_pem(certificates).decode() for _, certificates in bundles)


class _Unusable(Exception):
    """Why a PEM file gives no certificates (a phrase, completed by the caller)."""


def _read_folder(folder: Path) -> tuple[list[tuple[str, list[x509.Certificate]]], list[DamagedAnchor]]:
    """Every ``*.pem`` of ``folder`` parsed: (name, certificates) per good file, and the damaged files."""
    bundles = []
    damaged = []
    for path in sorted(folder.glob("*.pem")):
        try:
            bundles.append((path.stem, _parse_bundle(path.read_bytes())))
        except OSError as exc:
            damaged.append(DamagedAnchor(path.stem, path, f"cannot be read ({exc.strerror})"))
        except _Unusable as exc:
            damaged.append(DamagedAnchor(path.stem, path, str(exc)))
    return bundles, damaged


def _parse_bundle(pem: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM file, refusing anything else in it: other blocks, cut or malformed ones."""
    blocks = list(_PEM_BLOCK.finditer(pem))
    if pem.count(_PEM_BEGIN) != len(blocks):
        raise _Unusable("holds a PEM block that is cut short")
    if not blocks:
        raise _Unusable("holds no PEM certificate")
    for index, block in enumerate(blocks, start=1):
        if (kind := block.group(1).decode()) != "CERTIFICATE":
            raise _Unusable(f"PEM block {index} is a {kind}, not a certificate (share only certificates)")
    certificates = []
    for index, block in enumerate(blocks, start=1):
        try:
            certificate = x509.load_pem_x509_certificate(block.group(0))
            _ = certificate.extensions  # parsed lazily: a malformed extension must fail here, not later
        except ValueError as exc:
            raise _Unusable(f"{_which(index, len(blocks))} is malformed") from exc
        certificates.append(certificate)
    return certificates


def _refusal(certificate: x509.Certificate, now: datetime) -> str | None:
    """Why ``certificate`` cannot be an anchor today, or None."""
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        return "is not a CA certificate; trust the partner's CA, not a signer"
    try:
        may_sign_certificates = certificate.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    except x509.ExtensionNotFound:
        may_sign_certificates = True  # no key usage extension: no restriction
    if not may_sign_certificates:
        return "is a CA whose key usage forbids signing certificates; ask the partner for their issuing CA"
    if certificate.not_valid_after_utc < now:
        return f"expired on {certificate.not_valid_after_utc.date()}; ask the partner for their current CA"
    if certificate.not_valid_before_utc > now:
        return (
            f"is not valid until {certificate.not_valid_before_utc.date()}; "
            "check this machine's clock, or add it once it is valid"
        )
    return None


def _anchor_path(project: Project, name: str) -> Path:
    """``.provenance/trust/<name>.pem``, refusing a name or a link that would lead anywhere else."""
    if not _ANCHOR_NAME.fullmatch(name):
        raise InvalidValueError(
            f"{name!r} is not an anchor name; use letters, digits, '-', '_' and '.', not starting with a dot"
        )
    folder = project.trust_folder.resolve()
    if not folder.is_relative_to(project.folder.resolve()):
        raise ProjectError(f"{project.trust_folder} leads outside the project (to {folder}); make it a plain folder")
    target = project.trust_folder / f"{name}.pem"
    if target.resolve().parent != folder:
        raise ProjectError(f"{target} is a link that leads out of {project.trust_folder}; remove the link by hand")
    return target


def _write_new(target: Path, data: bytes) -> None:
    # O_EXCL: never follows a link planted at the name, never overwrites a file that appeared meanwhile.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _which(index: int, count: int) -> str:
    return f"certificate {index} of {count}" if count > 1 else "the certificate"


def _pem(certificates: list[x509.Certificate]) -> bytes:
    return b"".join(certificate.public_bytes(Encoding.PEM) for certificate in certificates)


def _default_name(pem_file: Path) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", pem_file.stem.lower()).strip("-.") or "partner"


def _subject(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string() or "no subject"


def _describe(name: str, certificate: x509.Certificate) -> Anchor:
    return Anchor(
        name=name,
        subject=_subject(certificate),
        sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        not_after=certificate.not_valid_after_utc.date().isoformat(),
    )
