"""Comparing a stage this studio signed with its rows, on what was fixed at signing.

Fixed at signing: the stage id, kind, people's handles and roles, inputs, the model's fingerprint and
weights, settings, tool, times and the selection. Catalog facts a person may edit later (people's
names, the model's name, version and licence) are reported as notes, never as differences.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from ..manifests import ManifestStore
from ..records import PersonCredit, StageRecord
from ..store import Stage
from ..store.queries import stage_records
from .chain import Link, manifest_chain, signed_record, signer_of, stage_origin
from .report import RecordCheck


def reconcile_chain(
    session: Session, manifest_store: ManifestStore, studio_labels: set[str]
) -> tuple[list[Link], list[str], list[str]]:
    """The chain's links with each signed stage compared with its rows; the problems and notes found.

    Only a manifest this studio signed (``studio_labels``) can match our rows: a partner's manifest that
    carries one of our stage records word for word is a partner's stage, with nothing here to match.
    """
    links: list[Link] = []
    problems: list[str] = []
    notes: list[str] = []
    chain = [(label, manifest, signed_record(manifest)) for label, manifest in manifest_chain(manifest_store)]
    ours = [(label, signed) for label, _, signed in chain if signed is not None and label in studio_labels]
    wanted = [signed.stage_id for _, signed in ours]
    wanted += [signed.selection.stage_id for _, signed in ours if signed.selection]
    rows = {row.uuid: row for row in session.exec(select(Stage).where(col(Stage.uuid).in_(wanted)))}
    on_record = stage_records(session, list(rows.values()))  # the stages and the selections they name
    for label, manifest, signed in chain:
        origin = stage_origin(manifest_store, label)
        if signed is None:
            links.append(Link(record=None, check="unrecorded", label=label, manifest=manifest, origin=origin))
            continue
        row = rows.get(signed.stage_id) if label in studio_labels else None
        check: RecordCheck = "unrecorded"
        if label not in studio_labels:
            # A partner's (or anyone's) manifest may carry a stage record of ours; it never matches our rows.
            notes.append(
                f"the {signed.kind} stage {signed.stage_id[:8]} is signed by {signer_of(manifest)}, not this studio; "
                "it has no records here to match"
            )
        elif row is None:
            check = "missing"
            problems.append(
                f"the {signed.kind} stage {signed.stage_id[:8]} is signed by this studio but not recorded in this "
                "project (a file left by an interrupted command, another project's file, or a database restored "
                "from an older backup); `provenance check` lists such files"
            )
        else:
            found, changes = differences(signed, on_record[row.uuid])
            check = "differs" if found else "matches"
            if found:
                problems.append(
                    f"{signed.kind} stage {signed.stage_id[:8]}: the manifest and the database disagree on "
                    + ", ".join(found)
                )
            notes.extend(f"{signed.kind} stage {signed.stage_id[:8]}: {change}" for change in changes)
        if signed.selection is not None:
            selection_row = rows.get(signed.selection.stage_id) if label in studio_labels else None
            selected = on_record[selection_row.uuid] if selection_row is not None else None
            picked = check if check == "unrecorded" else selection_check(signed, selection_row, selected)
            links.append(
                Link(
                    record=None, check=picked, label=label, row=selection_row, selection_of=signed,
                    origin="human",
                )
            )  # fmt: skip
        links.append(Link(record=signed, check=check, label=label, manifest=manifest, row=row, origin=origin))
    return links, problems, notes


def differences(signed: StageRecord, on_record: StageRecord) -> tuple[list[str], list[str]]:
    """What disagrees among the facts fixed at signing, and the catalog edits made since (notes, not problems).

    Fixed at signing: the stage id, kind, people's handles and roles, inputs, the model's fingerprint and
    weights, settings, tool, times and the selection. Catalog facts a person may edit later: people's
    names, the model's name, version and licence.
    """
    fixed_signed, fixed_recorded = _fixed(signed), _fixed(on_record)
    if signed.inputs is None:  # version 1 records did not list their inputs
        fixed_recorded.pop("inputs", None)
        fixed_signed.pop("inputs", None)
    differences = [key for key in fixed_signed if fixed_signed[key] != fixed_recorded.get(key)]
    changes = []
    for before, after in zip(_everyone(signed), _everyone(on_record), strict=False):
        if before.handle == after.handle and (before.name, before.native_name) != (after.name, after.native_name):
            shown = lambda p: p.name + (f" / {p.native_name}" if p.native_name else "")  # noqa: E731
            changes.append(f"{before.handle} was signed as {shown(before)}, now recorded as {shown(after)}")
    if signed.model and on_record.model and signed.model.fingerprint == on_record.model.fingerprint:
        if signed.model.label != on_record.model.label:
            changes.append(f"the model signed as {signed.model.label} is now registered as {on_record.model.label}")
        if signed.model.license != on_record.model.license:
            changes.append(f"the model's licence is now recorded as {on_record.model.license or 'unknown'}")
    return differences, changes


def _fixed(record: StageRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude={"version"})
    for credit in [*data["people"], *((data.get("selection") or {}).get("people") or [])]:
        credit.pop("name", None)
        credit.pop("native_name", None)
    if data.get("model"):
        for key in ("name", "version", "license"):
            data["model"].pop(key, None)
    return data


def _everyone(record: StageRecord) -> list[PersonCredit]:
    return [*record.people, *(record.selection.people if record.selection else [])]


def selection_check(signed: StageRecord, row: Stage | None, recorded: StageRecord | None) -> RecordCheck:
    """The selection a signed stage names, against the selection's own row and the record it gives."""
    assert signed.selection is not None
    if row is None or recorded is None:
        return "missing"
    same_people = [(p.handle, p.role) for p in signed.selection.people] == [(p.handle, p.role) for p in recorded.people]
    same_alternatives = signed.selection.alternatives == len(row.parameters.get("alternatives", []))
    return "matches" if same_people and same_alternatives else "differs"
