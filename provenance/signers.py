"""Workstation signing identities: issued under the studio CA, recorded in the store, revocable.

A studio keeps its CA's private key in one place. ``provenance keys issue NAME`` runs there and makes a
workstation's own key and certificate (the CA signs it; the key never leaves the folder it is written to
until the studio hands it over), and records the certificate's serial number in the store, so:

* an audit anywhere names the workstation that signed each stage (c2pa's Reader reports the signer's
  serial number in ``signature_info``);
* ``provenance keys revoke NAME`` marks it revoked in the store: from then on no file it signed audits as
  trusted (without a timestamp authority nothing proves a file was signed before the revocation), and the
  workstation can no longer sign.

The single-machine project's own signing key (made by ``provenance init``) is recorded too, as ``studio``.

>>> issue_signer(project, "bg-01", ca_key=Path("/secure/studio-ca.key"))  # doctest: +SKIP
>>> revoke_signer(project, "bg-01", reason="laptop stolen")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlmodel import Session, col, select

from .errors import AlreadyExistsError, InvalidValueError, NotFoundError
from .keys import CA_KEY, CertificateFacts, issue_identity
from .plain_text import checked_optional_text
from .project import Project
from .store import Signer

# A host-like name: it goes into a certificate's common name and a folder name.
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")

State = Literal["active", "revoked", "expired"]


@dataclass(frozen=True)
class SignerInfo:
    """One identity as ``keys list`` shows it."""

    name: str
    state: State
    subject: str
    serial: str
    fingerprint: str
    issued_at: datetime
    not_after: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    this_machine: bool


@dataclass(frozen=True)
class IssuedSigner:
    name: str
    folder: Path
    key_file: Path
    facts: CertificateFacts


def issue_signer(
    project: Project, name: str, *, ca_key: Path | None = None, output: Path | None = None
) -> IssuedSigner:
    """Make workstation ``name``'s signing identity under the studio CA and record it in the store.

    ``ca_key`` is the CA's private key (default: the project's keys folder, for a single-machine project);
    ``output`` is a new folder for the identity (default: ``./NAME``), which the workstation uses as its
    ``--identity``.
    """
    name = _checked_name(name)
    output = (output if output is not None else Path.cwd() / name).absolute()
    with project.store.reading() as session:
        if _row(session, name) is not None:
            raise AlreadyExistsError(
                f"an identity named {name!r} exists; revoke it and issue one under a new name, or pick another"
            )
    facts = issue_identity(ca_key or project.keys_folder / CA_KEY, project.studio_anchor, name, output)
    try:
        with project.store.session() as session:
            _add(session, name, facts)
    except BaseException:
        # The record decides whether an identity exists: without it the files must not stay either.
        for path in output.iterdir():
            path.unlink()
        output.rmdir()
        raise
    return IssuedSigner(name=name, folder=output, key_file=output / "signer.key", facts=facts)


def revoke_signer(project: Project, name: str, *, reason: str | None = None) -> SignerInfo:
    """Record that identity ``name`` is revoked: its files stop auditing as trusted, it can sign no more."""
    reason = checked_optional_text(reason, "reason")
    with project.store.session() as session:
        row = _row(session, name)
        if row is None:
            raise NotFoundError(f"no signing identity named {name!r}; `provenance keys list` shows them")
        if row.revoked_at is not None:
            raise AlreadyExistsError(f"the identity {name!r} was already revoked on {_day(row.revoked_at)}")
        row.revoked_at = datetime.now(UTC)
        row.revocation_reason = reason
        session.add(row)
    return _info(row, this_serial=None)


def list_signers(project: Project) -> list[SignerInfo]:
    """Every identity the store holds, in the order they were issued."""
    this = project.signing_serial
    with project.store.reading() as session:
        rows = session.exec(select(Signer).order_by(col(Signer.id))).all()
    return [_info(row, this_serial=this) for row in rows]


def revoked_signers(session: Session, manifests: Iterable[dict[str, Any]]) -> list[Signer]:
    """The revoked identities among the signers of ``manifests``, found by the serial number c2pa reports.

    >>> revoked_signers(session, [manifest_store.manifests[label] for label in studio_labels])  # doctest: +SKIP
    [Signer(name='bg-01', revoked_at=datetime(...), ...)]
    """
    serials = {
        str(info["cert_serial_number"])
        for manifest in manifests
        if isinstance(info := manifest.get("signature_info"), dict) and info.get("cert_serial_number")
    }
    if not serials:
        return []
    query = select(Signer).where(col(Signer.serial).in_(serials), col(Signer.revoked_at).is_not(None))
    return list(session.exec(query.order_by(col(Signer.id))))


def revocation_note(row: Signer) -> str:
    """The audit's note about a file signed by a revoked identity."""
    why = f" ({row.revocation_reason})" if row.revocation_reason else ""
    return (
        f"signed by workstation {row.name}, whose key was revoked on {_day(row.revoked_at)}{why}; "
        "without a timestamp authority the signing time is not proven, so nothing it signed is trusted"
    )


def _add(session: Session, name: str, facts: CertificateFacts) -> None:
    session.add(
        Signer(
            name=name,
            serial=facts.serial,
            subject=facts.subject,
            fingerprint=facts.fingerprint,
            not_after=facts.not_after,
        )
    )


def _row(session: Session, name: str) -> Signer | None:
    return session.exec(select(Signer).where(Signer.name == name)).first()


def _info(row: Signer, this_serial: str | None) -> SignerInfo:
    not_after = _utc(row.not_after)
    state: State = "revoked" if row.revoked_at else "expired" if not_after < datetime.now(UTC) else "active"
    return SignerInfo(
        name=row.name,
        state=state,
        subject=row.subject,
        serial=row.serial,
        fingerprint=row.fingerprint,
        issued_at=_utc(row.issued_at),
        not_after=not_after,
        revoked_at=_utc(row.revoked_at) if row.revoked_at else None,
        revocation_reason=row.revocation_reason,
        this_machine=row.serial == this_serial,
    )


def _checked_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InvalidValueError(
            f"{name!r} is not a workstation name; use lower-case letters, digits, '.', '_' or '-' (up to 63)"
        )
    return name


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(moment: datetime | None) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else "an unknown date"
