"""Signing files and reading manifest stores with c2pa, trusting the studio CA offline."""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import c2pa

from ..errors import SigningError
from ..keys import SigningIdentity
from .definition import component_ingredient, parent_ingredient
from .validation import (
    UNREADABLE_STORE,
    FailureKind,
    ValidationFinding,
    dominant_kind,
    finding_for_reader_error,
    manifest_store_findings,
)

_THUMBNAIL = "thumbnail.jpg"


# Bytes every embedded manifest store shows: the JUMBF superbox type, and PNG's chunk that holds the store.
_STORE_MARKERS = (b"jumb", b"caBX")


@dataclass(frozen=True)
class ManifestStore:
    """A file's manifest store as read and validated: the parsed JSON plus what validation found."""

    active_label: str
    manifests: dict[str, dict[str, Any]]
    validation_state: str
    # Every failure that bears on the verdict, from the current validation and the ingredients' records.
    findings: list[ValidationFinding] = field(default_factory=list)
    # Each manifest's embedded thumbnail (JPEG or PNG bytes) by label, when asked for.
    thumbnails: dict[str, bytes] = field(default_factory=dict)

    @property
    def worst(self) -> FailureKind | None:
        """The most serious kind of finding: integrity, then unverifiable, then trust; None when clean."""
        return dominant_kind(self.findings)

    @property
    def trusted(self) -> bool:
        return self.validation_state == "Trusted" and self.worst is None

    def signed_under_anchor(self, label: str) -> bool:
        """Whether the signer of manifest ``label`` chains to one of the anchors this store was read with."""
        return label in self.manifests and not any(
            finding.manifest == label
            and finding.kind is FailureKind.TRUST
            and finding.code.startswith("signingCredential.")
            for finding in self.findings
        )

    @property
    def intact(self) -> bool:
        """Signatures and hash bindings hold and could be checked, whoever signed."""
        return self.worst not in (FailureKind.INTEGRITY, FailureKind.UNVERIFIABLE)


def _context(trust_anchors_pem: str) -> c2pa.Context:
    return c2pa.Context.from_dict(
        {
            "trust": {"user_anchors": trust_anchors_pem},
            # Nothing outside this machine is reachable, and an audit must not depend on it.
            "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
            # sign_png embeds our own, smaller thumbnail.
            "builder": {"thumbnail": {"enabled": False}},
        }
    )


def _signer(identity: SigningIdentity) -> c2pa.Signer:
    # No timestamp authority: an unreachable one makes signing fail (c2pa-python calls it while signing).
    info = c2pa.C2paSignerInfo(
        b"es256", identity.certificate_chain_pem.encode(), identity.private_key_pem.encode(), None
    )
    return c2pa.Signer.from_info(info)


def sign_png(
    definition: dict[str, Any],
    png: bytes,
    identity: SigningIdentity,
    *,
    thumbnail: bytes,
    label: str | None = None,
    parent: tuple[str, bytes] | None = None,
    component: tuple[str, bytes, str] | None = None,
) -> bytes:
    """Embed a signed manifest into PNG bytes; ``parent`` is the (title, signed bytes) of the input.

    ``component`` is the (title, bytes, MIME type) of an artist's file that carries a manifest of its own.
    ``thumbnail`` (JPEG) is embedded as the manifest's thumbnail; c2pa makes none of its own. ``label`` sets the
    manifest's label (:func:`new_manifest_label`), so that the caller knows it without reading the signed
    file back; without it c2pa picks one of the same form.
    """
    definition = definition | {"thumbnail": {"format": "image/jpeg", "identifier": _THUMBNAIL}}
    if label is not None:
        definition["label"] = label
    try:
        builder = c2pa.Builder.from_json(definition, context=_context(identity.trust_anchors_pem))
        builder.add_resource(_THUMBNAIL, io.BytesIO(thumbnail))
        if parent is not None:
            title, data = parent
            builder.add_ingredient(parent_ingredient(title), "image/png", io.BytesIO(data))
        if component is not None:
            title, data, mime_type = component
            builder.add_ingredient(component_ingredient(title), mime_type, io.BytesIO(data))
        output = io.BytesIO()
        builder.sign(_signer(identity), "image/png", io.BytesIO(png), output)
    except c2pa.C2paError as exc:
        raise SigningError(f"the manifest could not be signed: {exc}") from exc
    return output.getvalue()


def new_manifest_label() -> str:
    """A fresh manifest label, in the form c2pa gives one it chooses itself: ``urn:c2pa:<random UUID>``."""
    return f"urn:c2pa:{uuid.uuid4()}"


def read_manifest_store(
    data: bytes, trust_anchors_pem: str, mime_type: str, *, thumbnails: bool = False
) -> ManifestStore | None:
    """Read and validate the manifest store embedded in ``data``, trusting the anchors in ``trust_anchors_pem``
    (PEM text, e.g. :attr:`Project.trust_anchors`); None when there is none.

    >>> read_manifest_store(png, project.trust_anchors, "image/png").validation_state  # doctest: +SKIP
    'Trusted'
    """
    try:
        reader = c2pa.Reader.try_create(mime_type, io.BytesIO(data), None, _context(trust_anchors_pem))
    except c2pa.C2paError as exc:
        finding = finding_for_reader_error(str(exc))
        if finding.code == UNREADABLE_STORE and not any(marker in data for marker in _STORE_MARKERS):
            # No manifest store in the bytes at all: c2pa could not parse the file itself (a truncated PNG or
            # JPEG). That is a damaged picture, which decoding reports, not a manifest present but unreadable.
            return None
        # A remote, prerelease or unparseable store: there is a manifest, but nothing could be checked.
        return ManifestStore("", {}, "Invalid", [finding])
    if reader is None:
        return None
    with reader:
        parsed = json.loads(reader.json())
        results = reader.get_validation_results() or {}
        state = reader.get_validation_state() or "Invalid"
        images = _thumbnails(reader, parsed.get("manifests", {})) if thumbnails else {}
    manifests = parsed.get("manifests", {})
    return ManifestStore(
        active_label=parsed.get("active_manifest", ""),
        manifests=manifests,
        validation_state=state,
        findings=manifest_store_findings(manifests, results),
        thumbnails=images,
    )


def _thumbnails(reader: c2pa.Reader, manifests: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    images = {}
    for label, manifest in manifests.items():
        identifier = (manifest.get("thumbnail") or {}).get("identifier")
        if not identifier:
            continue
        buffer = io.BytesIO()
        try:
            reader.resource_to_stream(identifier, buffer)
        except c2pa.C2paError:
            continue  # a missing thumbnail leaves a blank in the sheet, nothing worse
        images[label] = buffer.getvalue()
    return images
