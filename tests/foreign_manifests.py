"""Files signed the way other studios and tools sign them, for audit tests: built here, never committed.

Each builder signs a small PNG with c2pa-python and keys made on the fly (``provenance.keys`` with
``cryptography``) and returns the file's bytes. The broken variants change the bytes of a signed file
directly, the way a careless tool or an attacker would; ``read_store`` reads any of them back through
c2pa's own Reader, offline, trusting only the anchors it is given.

Example::

    partner = fresh_identity(tmp_path / "partner", "Partner Studio")
    data = human_sketch(partner)
    reading = read_store(data, studio)          # -> state "Valid", failure signingCredential.untrusted
    read_store(changed_pixel(data), partner)    # -> state "Invalid", failure assertion.dataHash.mismatch
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import c2pa
from PIL import Image

from provenance.keys import SigningIdentity, create_studio_keys, load_signing_identity, load_studio_ca_pem

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
DIGITAL_CREATION = IPTC + "digitalCreation"
COMPOSITE_WITH_AI = IPTC + "compositeWithTrainedAlgorithmicMedia"
REMOTE_MANIFEST_URL = "https://partner.example/manifests/background.c2pa"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_STORE_CHUNK = b"caBX"  # the PNG chunk c2pa embeds its JUMBF manifest store in
_COSE_ES256 = 0x26  # CBOR for COSE algorithm -7 (ES256)
_COSE_SHA256 = 0x2F  # CBOR for COSE algorithm -16 (SHA-256): a hash, not a signing algorithm


def fresh_identity(folder: Path, name: str) -> SigningIdentity:
    """A new CA and signing certificate for ``name`` (a partner studio, an artist), written to ``folder``."""
    create_studio_keys(folder, name)
    return load_signing_identity(folder, load_studio_ca_pem(folder))


def plain_png(colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A small unsigned PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buffer, "PNG")
    return buffer.getvalue()


def reading_context(*trusted: SigningIdentity) -> c2pa.Context:
    """An offline c2pa Context that trusts the CAs of ``trusted`` (and nothing else)."""
    settings: dict[str, Any] = {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
        "builder": {"thumbnail": {"enabled": False}},
    }
    if trusted:
        settings["trust"] = {"user_anchors": "".join(identity.trust_anchors_pem for identity in trusted)}
    return c2pa.Context.from_dict(settings)


@dataclass(frozen=True)
class StoreReading:
    """What c2pa's Reader says about a file."""

    state: str
    results: dict[str, Any]
    manifests: dict[str, dict[str, Any]]
    active_label: str

    @property
    def active(self) -> dict[str, Any]:
        return self.manifests[self.active_label]


def read_store(data: bytes, *trusted: SigningIdentity) -> StoreReading:
    """Read and validate ``data`` with c2pa's Reader, offline, trusting ``trusted``; C2paError passes through."""
    reader = c2pa.Reader.try_create("image/png", io.BytesIO(data), None, reading_context(*trusted))
    assert reader is not None, "the file carries no manifest store"
    with reader:
        parsed = json.loads(reader.json())
        return StoreReading(
            state=reader.get_validation_state(),
            results=reader.get_validation_results() or {},
            manifests=parsed["manifests"],
            active_label=parsed["active_manifest"],
        )


def human_sketch(signer: SigningIdentity) -> bytes:
    """A sketch drawn by a person: ``c2pa.created`` with ``digitalCreation``, signed by ``signer``."""
    definition = _definition("sketch.png", [{"action": "c2pa.created", "digitalSourceType": DIGITAL_CREATION}])
    return _sign(signer, definition, plain_png())


def partner_signed(partner: SigningIdentity) -> bytes:
    """(a) A file signed under a partner studio's own CA: untrusted unless the reader trusts that CA."""
    return human_sketch(partner)


def with_identity_assertion(signer: SigningIdentity, person: SigningIdentity) -> bytes:
    """(b) A sketch whose manifest carries a ``cawg.identity`` assertion signed with ``person``'s X.509 key.

    c2pa-python 0.38 has no identity API, but c2pa-rs builds a real CAWG X.509 identity assertion
    (``sig_type`` ``cawg.x509.cose``, referencing the actions and the hard binding) when the Context's
    settings name a ``signer`` and a ``cawg_x509_signer``. Such a Context holds its signer in the settings,
    which the binding's ``has_signer`` does not know about, hence ``_SettingsSignerContext``.
    """
    settings = {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
        "trust": {"user_anchors": signer.trust_anchors_pem},
        "builder": {"thumbnail": {"enabled": False}},
        "signer": _local_signer(signer),
        "cawg_x509_signer": _local_signer(person, referenced_assertions=["c2pa.actions.v2"], roles=["cawg.creator"]),
    }
    definition = _definition("sketch.png", [{"action": "c2pa.created", "digitalSourceType": DIGITAL_CREATION}])
    builder = c2pa.Builder.from_json(definition, context=_SettingsSignerContext.from_dict(settings))
    output = io.BytesIO()
    builder.sign("image/png", io.BytesIO(plain_png()), output)
    return output.getvalue()


def remote_manifest(signer: SigningIdentity, url: str = REMOTE_MANIFEST_URL) -> tuple[bytes, bytes]:
    """(c) A file that only points to its manifest at ``url``; returns (file bytes, manifest bytes).

    ``set_no_embed`` keeps the store out of the file and ``set_remote_url`` writes the URL into the PNG's
    XMP (``dcterms:provenance``), as a cloud service would.
    """
    definition = _definition("sketch.png", [{"action": "c2pa.created", "digitalSourceType": DIGITAL_CREATION}])
    builder = c2pa.Builder.from_json(definition, context=reading_context(signer))
    builder.set_no_embed()
    builder.set_remote_url(url)
    output = io.BytesIO()
    manifest = builder.sign(_signer(signer), "image/png", io.BytesIO(plain_png()), output)
    return output.getvalue(), manifest


def composite_ai_edit(signer: SigningIdentity, parent: bytes) -> bytes:
    """(d) A Photoshop-style edit of ``parent`` with a generative fill in the second action, not the first.

    ``c2pa.opened`` (the parent, no source type) then ``c2pa.edited`` with
    ``compositeWithTrainedAlgorithmicMedia``; the parent is added as a ``parentOf`` ingredient, so its own
    manifest (and c2pa's verdict on it at this moment) travels in the store.
    """
    definition = _definition(
        "background.png",
        [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}},
            {
                "action": "c2pa.edited",
                "digitalSourceType": COMPOSITE_WITH_AI,
                "softwareAgent": {"name": "Generative Fill"},
                "description": "generative fill of the sky",
            },
        ],
    )
    ingredient = {"title": "sketch.png", "relationship": "parentOf", "label": "parent"}
    return _sign(signer, definition, plain_png((40, 90, 200)), ingredient=(ingredient, parent))


def unknown_claim_algorithm(signed: bytes) -> bytes:
    """(e) ``signed`` with no hash algorithm in its claim (the ``alg`` key renamed ``alh``).

    c2pa-rs stops at the missing algorithm before it checks the signature, exactly as for its own
    fixture ``no_alg.jpg``: the Reader raises ``Other: unknown algorithm``.
    """
    return _replaced_in_box(signed, "c2pa.claim.v2", b"calg", b"calh")


def unsupported_signature_algorithm(signed: bytes) -> bytes:
    """(e) ``signed`` with its COSE signature declaring algorithm -16 (SHA-256, not a signing algorithm).

    The algorithm sits in the signed protected header, so any file with an algorithm c2pa cannot use
    reads like this one: ``algorithm.unsupported`` (url ``Cose_Sign1``) plus ``claimSignature.mismatch``.
    """
    _, start, _ = _box(signed, "c2pa.signature")
    data = bytearray(signed)
    algorithm_at = start + _protected_header_offset(signed, start) + 2  # past the map header and key 1
    assert data[algorithm_at] == _COSE_ES256, "expected an ES256 signature"
    data[algorithm_at] = _COSE_SHA256
    return _with_crcs(bytes(data))


def prerelease_claim(signed: bytes) -> bytes:
    """(e) ``signed`` with its claim in a JSON box instead of CBOR, the layout of pre-1.0 C2PA manifests.

    c2pa-rs recognises exactly this (store.rs: a claim superbox whose data box is JSON) as prerelease
    content, as for its fixture ``prerelease.jpg``: the Reader raises ``Other: prerelease content detected``.
    """
    box_at, _, _ = _box(signed, "c2pa.claim.v2")
    data = bytearray(signed)
    assert data[box_at + 4 : box_at + 8] == b"cbor"
    data[box_at + 4 : box_at + 8] = b"json"
    return _with_crcs(bytes(data))


def changed_pixel(signed: bytes) -> bytes:
    """(f) ``signed`` with one pixel changed and its manifest store left where it was."""
    image = Image.open(io.BytesIO(signed))
    image.load()
    image.putpixel((0, 0), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    repainted = buffer.getvalue()
    # Keep the signed IHDR and store chunk in place, so only the image data differs.
    kept = [signed[start:end] for kind, start, end in _chunks(signed) if kind in (b"IHDR", _STORE_CHUNK)]
    rest = [repainted[start:end] for kind, start, end in _chunks(repainted) if kind != b"IHDR"]
    return _PNG_SIGNATURE + b"".join(kept + rest)


def changed_assertion(signed: bytes) -> bytes:
    """(f) ``signed`` with one letter of its actions assertion changed (still valid CBOR)."""
    return _replaced_in_box(signed, "c2pa.actions.v2", b"digitalCreation", b"digitalCreatioN")


def changed_signature(signed: bytes) -> bytes:
    """(f) ``signed`` with the last byte of its claim signature inverted."""
    _, _, end = _box(signed, "c2pa.signature")
    data = bytearray(signed)
    data[end - 1] ^= 0xFF  # the signature bytes are the last field of the COSE_Sign1 structure
    return _with_crcs(bytes(data))


class _SettingsSignerContext(c2pa.Context):
    """A Context whose signer (and CAWG identity signer) come from its settings."""

    @property
    def has_signer(self) -> bool:
        return True


def _definition(title: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "claim_generator_info": [{"name": "foreign-tool", "version": "1.0"}],
        "title": title,
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": actions}}],
    }


def _signer(identity: SigningIdentity) -> c2pa.Signer:
    info = c2pa.C2paSignerInfo(
        b"es256", identity.certificate_chain_pem.encode(), identity.private_key_pem.encode(), None
    )
    return c2pa.Signer.from_info(info)


def _local_signer(identity: SigningIdentity, **extra: Any) -> dict[str, Any]:
    fields = {"alg": "es256", "sign_cert": identity.certificate_chain_pem, "private_key": identity.private_key_pem}
    return {"local": fields | extra}


def _sign(
    signer: SigningIdentity,
    definition: dict[str, Any],
    png: bytes,
    *,
    ingredient: tuple[dict[str, Any], bytes] | None = None,
) -> bytes:
    # The signer's Context trusts its own CA, as each studio's tool would.
    builder = c2pa.Builder.from_json(definition, context=reading_context(signer))
    if ingredient is not None:
        ingredient_definition, ingredient_bytes = ingredient
        builder.add_ingredient(ingredient_definition, "image/png", io.BytesIO(ingredient_bytes))
    output = io.BytesIO()
    builder.sign(_signer(signer), "image/png", io.BytesIO(png), output)
    return output.getvalue()


def _chunks(png: bytes) -> Iterator[tuple[bytes, int, int]]:
    """(type, start, end) of each PNG chunk, end past its CRC."""
    position = len(_PNG_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        yield png[position + 4 : position + 8], position, position + 12 + length
        position += 12 + length


def _with_crcs(png: bytes) -> bytes:
    """``png`` with every chunk's CRC recomputed, so only the bytes we changed differ."""
    out = bytearray(_PNG_SIGNATURE)
    for kind, start, end in _chunks(png):
        body = png[start + 8 : end - 4]
        out += png[start : start + 8] + body + struct.pack(">I", zlib.crc32(kind + body))
    return bytes(out)


def _jumbf_boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, box start, content start, end) of every JUMBF box between start and end, depth first."""
    position = start
    while position < end:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[position + 8 : position + 16])
            header = 16
        yield kind, position, position + header, position + size
        if kind == b"jumb":
            yield from _jumbf_boxes(data, position + header, position + size)
        position += size


def _box(png: bytes, label: str) -> tuple[int, int, int]:
    """(box start, content start, end) of the content box of the first JUMBF superbox labelled ``label``."""
    for kind, start, end in _chunks(png):
        if kind != _STORE_CHUNK:
            continue
        boxes = list(_jumbf_boxes(png, start + 8, end - 4))
        for index, (box_kind, _, content, box_end) in enumerate(boxes):
            # A description box: a 16-byte type UUID, a toggles byte, then the null-terminated label.
            if box_kind == b"jumd" and png[content + 17 : box_end].split(b"\0", 1)[0] == label.encode():
                _, box_start, content_start, content_end = boxes[index + 1]
                return box_start, content_start, content_end
    raise AssertionError(f"no JUMBF box labelled {label}")


def _replaced_in_box(signed: bytes, label: str, old: bytes, new: bytes) -> bytes:
    assert len(old) == len(new), "a same-length change keeps every box size and offset"
    _, start, end = _box(signed, label)
    at = signed.index(old, start, end)
    return _with_crcs(signed[:at] + new + signed[at + len(old) :])


def _protected_header_offset(data: bytes, start: int) -> int:
    """Offset from ``start`` (a tagged COSE_Sign1) to the map inside its protected-header byte string."""
    assert data[start : start + 2] == b"\xd2\x84", "expected a tagged four-element COSE_Sign1"
    length_info = data[start + 2] & 0x1F
    extra = {24: 1, 25: 2, 26: 4}.get(length_info, 0)
    return 3 + extra
