"""Signing off a credit sheet, and telling later exports what changed since.

``lock_credits`` stores the sheet's canonical JSON signed with the studio key, with who locked it.
``locked_changes`` finds the latest lock for the same scope, checks its signature, and lists what a
new sheet changes, in words a production office can read (:func:`sheet_changes` is pure).
``sheet_status`` says what an exported sheet carries about itself: the studio, the date of the export,
and "locked by NAME on DATE" or draft.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import col, select

from .. import catalog
from ..errors import LockTamperedError
from ..keys import sign_detached, verify_detached
from ..project import Project
from ..store import CreditLock, Person, Production, saved_id
from ..store import lock as lock_row
from .sheet import CreditSheet, credit_sheet


@dataclass(frozen=True)
class LockedSheet:
    scope: str
    locked_by: str
    locked_at: datetime
    sheet: CreditSheet
    # Who signed off, as the sheet names people: the credited name, and the name in native script.
    locked_by_name: str
    locked_by_native: str | None = None


@dataclass(frozen=True)
class LockComparison:
    lock: LockedSheet
    changes: list[str]


def canonical_bytes(sheet: CreditSheet) -> bytes:
    """The bytes that are signed: sorted keys, no whitespace, UTF-8."""
    return json.dumps(sheet.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def lock_credits(project: Project, production: str, *, by: str, background: str | None = None) -> LockedSheet:
    """Sign off the sheet as it stands now. Gaps are never signed off."""
    identity = project.signing_identity  # a bad key stops the lock before the sheet is built
    sheet = credit_sheet(project, production, background=background)
    data = canonical_bytes(sheet)
    signature = sign_detached(identity, data)
    with project.store.session() as session:
        person = catalog.get_person(session, by)
        owner = catalog.get_production(session, production)
        # Sign-offs of one production are stored one at a time, in the order they were signed.
        lock_row(session, Production, saved_id(owner))
        lock = CreditLock(
            production_id=saved_id(owner),
            scope=sheet.scope,
            locked_by_id=saved_id(person),
            sheet_json=data.decode(),
            signature=base64.b64encode(signature).decode(),
            certificate_chain=identity.certificate_chain_pem,
        )
        session.add(lock)
    return LockedSheet(
        scope=sheet.scope,
        locked_by=person.handle,
        locked_at=lock.locked_at,
        sheet=sheet,
        locked_by_name=person.name,
        locked_by_native=person.native_name,
    )


def locked_changes(project: Project, sheet: CreditSheet) -> LockComparison | None:
    """How ``sheet`` differs from the latest sign-off of the same scope; None when nothing was locked."""
    with project.store.session() as session:
        query = (
            select(CreditLock, Person)
            .join(Person, col(Person.id) == CreditLock.locked_by_id)
            .where(CreditLock.scope == sheet.scope)
            .order_by(col(CreditLock.id).desc())
        )
        found = session.exec(query).first()
    if found is None:
        return None
    lock, person = found
    data = lock.sheet_json.encode()
    anchors = project.trust_anchors
    try:
        signature = base64.b64decode(lock.signature, validate=True)
    except binascii.Error:
        signature = b""  # not even base64 any more: altered, and refused as such just below
    if not verify_detached(lock.certificate_chain, anchors, data, signature):
        raise LockTamperedError(
            f"the credits locked for {lock.scope} by {person.handle} fail their signature check; "
            "the stored sign-off was altered: lock the sheet again after review"
        )
    locked = CreditSheet.model_validate_json(data)
    locked_at = lock.locked_at if lock.locked_at.tzinfo else lock.locked_at.replace(tzinfo=UTC)
    return LockComparison(
        lock=LockedSheet(
            scope=lock.scope,
            locked_by=person.handle,
            locked_at=locked_at,
            sheet=locked,
            locked_by_name=person.name,
            locked_by_native=person.native_name,
        ),
        changes=sheet_changes(locked, sheet),
    )


@dataclass(frozen=True)
class SheetStatus:
    """What an exported sheet says about itself: the studio, when it was exported, and whether it is the
    sheet that was signed off (``lock`` is the latest sign-off of its scope; ``changed``: it differs from it).

    >>> SheetStatus(exported_at=now, studio="Harbor Studio").state_en  # doctest: +SKIP
    'Draft: not locked'
    """

    exported_at: datetime
    studio: str | None
    lock: LockedSheet | None = None
    changed: bool = False

    @property
    def locked(self) -> bool:
        return self.lock is not None and not self.changed

    @property
    def state_en(self) -> str:
        if self.lock is None:
            return "Draft: not locked"
        by, on = self.lock.locked_by_name, f"{self.lock.locked_at:%Y-%m-%d}"
        return f"Draft: changed since locked by {by} on {on}" if self.changed else f"Locked by {by} on {on}"

    @property
    def state_ja(self) -> str:
        if self.lock is None:
            return "下書き（未確定）"
        who = self.lock.locked_by_native or self.lock.locked_by_name
        signed = f"{self.lock.locked_at:%Y-%m-%d} {who}"
        return f"下書き（{signed} 確定版から変更あり）" if self.changed else f"確定（{signed}）"


def sheet_status(
    project: Project, sheet: CreditSheet, comparison: LockComparison | None, *, exported_at: datetime | None = None
) -> SheetStatus:
    """The status of ``sheet`` exported now: ``comparison`` is :func:`locked_changes` of it. The studio is the
    production's, else the one whose certificate signs this project's files."""
    return SheetStatus(
        exported_at=exported_at or datetime.now(UTC),
        studio=sheet.production.studio or _signing_studio(project),
        lock=comparison.lock if comparison else None,
        changed=bool(comparison and comparison.changes),
    )


def _signing_studio(project: Project) -> str | None:
    """The organization named in the studio CA certificate (``provenance init --studio``)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    certificate = x509.load_pem_x509_certificate(project.studio_anchor.encode())
    names = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(names[0].value) if names else None


def sheet_changes(before: CreditSheet, after: CreditSheet) -> list[str]:
    """What changed between two sheets, one line per change. Pure.

    >>> sheet_changes(locked, current)  # doctest: +SKIP
    ['Background Paint-over: added Kimura Yu', 'uncredited people: 0 -> 1']
    """
    changes = []
    if before.production != after.production:
        changes.append("production details changed")
    roles_before = {role.code: role for role in before.roles}
    roles_after = {role.code: role for role in after.roles}
    for code in [*roles_before, *(c for c in roles_after if c not in roles_before)]:
        old = {n.handle: n for n in roles_before[code].names} if code in roles_before else {}
        new = {n.handle: n for n in roles_after[code].names} if code in roles_after else {}
        label = (roles_after.get(code) or roles_before[code]).label_en
        changes += [f"{label}: added {new[h].name_en}" for h in new if h not in old]
        changes += [f"{label}: removed {old[h].name_en}" for h in old if h not in new]
        changes += [
            f"{label}: {old[h].name_en} is now credited as {new[h].name_en}"
            + (f" / {new[h].name_ja}" if new[h].name_ja != old[h].name_ja else "")
            + (f" ({new[h].company_en})" if new[h].company_en != old[h].company_en and new[h].company_en else "")
            for h in new
            if h in old and new[h] != old[h]
        ]
    if before.uncredited != after.uncredited:
        changes.append(f"uncredited people: {before.uncredited} -> {after.uncredited}")
    if before.gaps != after.gaps:
        changes.append(f"unnamed stages: {len(before.gaps)} -> {len(after.gaps)}")
    if before.ai_disclosure != after.ai_disclosure:
        changes.append(f"AI disclosure now reads: {after.ai_disclosure.text_en}")
    if before.backgrounds != after.backgrounds:
        changes.append(f"backgrounds: {before.backgrounds} -> {after.backgrounds}")
    return changes
