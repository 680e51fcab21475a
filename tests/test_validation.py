"""Validation codes and source types, checked on files other tools would write, read by c2pa's own Reader."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import c2pa
import pytest
from PIL import Image

from provenance.keys import SigningIdentity
from provenance.manifests.validation import (
    UNREADABLE_STORE,
    FailureKind,
    ValidationFinding,
    action_sources,
    ai_source_types,
    classify_code,
    dominant_kind,
    finding_for_reader_error,
    findings_in_ingredient_records,
    findings_in_results,
    manifest_source_class,
    manifest_store_findings,
    source_class,
)

from .foreign_manifests import (
    COMPOSITE_WITH_AI,
    DIGITAL_CREATION,
    REMOTE_MANIFEST_URL,
    StoreReading,
    changed_assertion,
    changed_pixel,
    changed_signature,
    composite_ai_edit,
    fresh_identity,
    human_sketch,
    partner_signed,
    prerelease_claim,
    read_store,
    reading_context,
    remote_manifest,
    unknown_claim_algorithm,
    unsupported_signature_algorithm,
    with_identity_assertion,
)

INTEGRITY, TRUST, UNVERIFIABLE = FailureKind.INTEGRITY, FailureKind.TRUST, FailureKind.UNVERIFIABLE


@dataclass(frozen=True)
class Keys:
    studio: SigningIdentity
    partner: SigningIdentity
    artist: SigningIdentity


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    folder: Path = tmp_path_factory.mktemp("keys")
    return Keys(
        studio=fresh_identity(folder / "studio", "Studio"),
        partner=fresh_identity(folder / "partner", "Partner Studio"),
        artist=fresh_identity(folder / "artist", "Artist"),
    )


def _summary(findings: list[ValidationFinding]) -> list[tuple[str, FailureKind, str | None, str]]:
    return [(finding.code, finding.kind, finding.manifest, finding.source) for finding in findings]


def _all_findings(reading: StoreReading) -> list[ValidationFinding]:
    return manifest_store_findings(reading.manifests, reading.results)


def _success_codes(reading: StoreReading) -> set[str]:
    return {entry["code"] for entry in reading.results["activeManifest"]["success"]}


# --- (a) a partner studio's own CA -------------------------------------------------------------------------


def test_a_partner_signed_file_is_untrusted_until_its_ca_is_trusted(keys: Keys) -> None:
    data = partner_signed(keys.partner)

    untrusted = read_store(data, keys.studio)
    assert untrusted.state == "Valid"
    assert _summary(_all_findings(untrusted)) == [
        ("signingCredential.untrusted", TRUST, untrusted.active_label, "activeManifest")
    ]
    assert {"claimSignature.validated", "assertion.dataHash.match"} <= _success_codes(untrusted)

    trusted = read_store(data, keys.studio, keys.partner)
    assert trusted.state == "Trusted"
    assert _all_findings(trusted) == []
    assert dominant_kind(_all_findings(trusted)) is None


# --- (b) a CAWG identity assertion whose credential is not trusted ----------------------------------------


def test_an_untrusted_identity_credential_is_a_trust_finding_not_tampering(keys: Keys) -> None:
    reading = read_store(with_identity_assertion(keys.studio, keys.artist), keys.studio)

    identity = next(a for a in reading.active["assertions"] if a["label"] == "cawg.identity")["data"]
    assert identity["signer_payload"]["sig_type"] == "cawg.x509.cose"
    assert identity["signature_info"]["common_name"] == "Artist background department"
    # c2pa-rs tolerates CAWG X.509 failures: the studio's own signature keeps the manifest Valid, not Trusted.
    assert reading.state == "Valid"
    assert {"signingCredential.trusted", "cawg.x509.signature.validated"} <= _success_codes(reading)
    findings = _all_findings(reading)
    assert _summary(findings) == [("cawg.x509.credential.untrusted", TRUST, reading.active_label, "activeManifest")]
    assert findings[0].url.endswith("/c2pa.assertions/cawg.identity")
    assert dominant_kind(findings) is TRUST


# --- (c) a remote manifest --------------------------------------------------------------------------------


def test_a_remote_manifest_cannot_be_read_offline_and_is_unverifiable(keys: Keys) -> None:
    data, manifest = remote_manifest(keys.partner)

    with pytest.raises(c2pa.C2paError) as raised:
        read_store(data, keys.studio, keys.partner)
    # c2pa-python maps the FFI's "Remote:" errors to no subclass: the base C2paError is raised.
    assert type(raised.value) is c2pa.C2paError
    assert str(raised.value) == f"Remote: must fetch remote manifests from url {REMOTE_MANIFEST_URL}"
    finding = finding_for_reader_error(str(raised.value))
    assert (finding.code, finding.kind, finding.url) == ("manifest.inaccessible", UNVERIFIABLE, REMOTE_MANIFEST_URL)

    # The manifest is real: handed to the Reader directly, it validates.
    with c2pa.Reader("image/png", io.BytesIO(data), manifest, context=reading_context(keys.partner)) as reader:
        assert reader.get_validation_state() == "Trusted"


def test_a_failed_remote_fetch_names_the_url() -> None:
    # The text c2pa-python 0.38 raises offline when remote_manifest_fetch is on.
    message = (
        "Remote: could not fetch the remote manifest an error occurred from the underlying http resolver: "
        "error sending request for url (https://partner.example/m.c2pa)"
    )
    finding = finding_for_reader_error(message)
    assert (finding.code, finding.kind, finding.url) == (
        "manifest.inaccessible",
        UNVERIFIABLE,
        "https://partner.example/m.c2pa",
    )


def test_a_remote_parent_is_recorded_in_the_ingredient_and_is_unverifiable(keys: Keys) -> None:
    remote_file, _ = remote_manifest(keys.partner)
    reading = read_store(composite_ai_edit(keys.studio, remote_file), keys.studio)

    # c2pa's own results show nothing wrong: the failure was recorded when the parent was added.
    assert reading.state == "Trusted"
    assert findings_in_results(reading.results) == []
    recorded = findings_in_ingredient_records(reading.manifests, reading.results)
    assert [(f.code, f.kind, f.url, f.source) for f in recorded] == [
        ("manifest.inaccessible", UNVERIFIABLE, REMOTE_MANIFEST_URL, "ingredient record")
    ]


# --- (d) a generative fill in a later action --------------------------------------------------------------


def test_a_generative_fill_in_a_later_action_is_ai(keys: Keys) -> None:
    reading = read_store(composite_ai_edit(keys.partner, human_sketch(keys.studio)), keys.studio, keys.partner)
    assert reading.state == "Trusted"

    active = reading.active
    assert [(s.assertion, s.action, s.source_class) for s in action_sources(active)] == [
        ("c2pa.actions.v2", "c2pa.opened", "undeclared"),
        ("c2pa.actions.v2", "c2pa.edited", "ai"),
    ]
    assert ai_source_types(active) == [COMPOSITE_WITH_AI]
    assert manifest_source_class(active) == "ai"

    parent_label = active["ingredients"][0]["active_manifest"]
    parent = reading.manifests[parent_label]
    assert [(s.action, s.digital_source_type) for s in action_sources(parent)] == [("c2pa.created", DIGITAL_CREATION)]
    assert manifest_source_class(parent) == "human"
    assert ai_source_types(parent) == []


# --- (e) algorithms and formats c2pa cannot check ---------------------------------------------------------


def test_a_claim_without_a_hash_algorithm_is_unverifiable(keys: Keys) -> None:
    with pytest.raises(c2pa.C2paError.Other) as raised:
        read_store(unknown_claim_algorithm(human_sketch(keys.studio)), keys.studio)
    assert str(raised.value) == "Other: unknown algorithm"
    finding = finding_for_reader_error(str(raised.value))
    assert (finding.code, finding.kind) == ("algorithm.unsupported", UNVERIFIABLE)


def test_an_unsupported_signing_algorithm_is_unverifiable_not_tampered(keys: Keys) -> None:
    reading = read_store(unsupported_signature_algorithm(human_sketch(keys.studio)), keys.studio)

    assert reading.state == "Invalid"
    findings = _all_findings(reading)
    assert _summary(findings) == [
        ("algorithm.unsupported", UNVERIFIABLE, None, "activeManifest"),
        ("claimSignature.mismatch", UNVERIFIABLE, reading.active_label, "activeManifest"),
    ]
    assert findings[0].url == "Cose_Sign1"  # c2pa-rs names no manifest for this one
    assert dominant_kind(findings) is UNVERIFIABLE


def test_a_prerelease_claim_is_unverifiable(keys: Keys) -> None:
    with pytest.raises(c2pa.C2paError.Other) as raised:
        read_store(prerelease_claim(human_sketch(keys.studio)), keys.studio)
    assert str(raised.value) == "Other: prerelease content detected"
    finding = finding_for_reader_error(str(raised.value))
    assert (finding.code, finding.kind) == ("com.adobe.prerelease", UNVERIFIABLE)


# --- (f) three ways of tampering with one signed file -----------------------------------------------------


@pytest.mark.parametrize(
    ("tamper", "code", "named_part"),
    [
        (changed_pixel, "assertion.dataHash.mismatch", "/c2pa.assertions/c2pa.hash.data"),
        (changed_assertion, "assertion.hashedURI.mismatch", "/c2pa.assertions/c2pa.actions.v2"),
        (changed_signature, "claimSignature.mismatch", "/c2pa.signature"),
    ],
)
def test_each_kind_of_tampering_is_an_integrity_failure(
    keys: Keys, tamper: Callable[[bytes], bytes], code: str, named_part: str
) -> None:
    original = partner_signed(keys.partner)
    tampered = tamper(original)
    assert tampered != original

    reading = read_store(tampered, keys.studio)
    assert reading.state == "Invalid"
    findings = _all_findings(reading)
    integrity = [f for f in findings if f.kind is INTEGRITY]
    assert [(f.code, f.manifest) for f in integrity] == [(code, reading.active_label)]
    assert integrity[0].url.endswith(named_part)
    # The partner is still untrusted here, but tampering outranks it.
    assert ("signingCredential.untrusted", TRUST) in [(f.code, f.kind) for f in findings]
    assert dominant_kind(findings) is INTEGRITY


def test_changed_pixel_changes_the_pixels_and_keeps_the_store(keys: Keys) -> None:
    original = partner_signed(keys.partner)
    tampered = changed_pixel(original)
    pixels = [Image.open(io.BytesIO(data)).convert("RGB").getpixel((0, 0)) for data in (original, tampered)]
    assert pixels == [(200, 40, 40), (0, 0, 0)]
    assert read_store(tampered, keys.partner).active_label == read_store(original, keys.partner).active_label


# --- ingredients: what c2pa's deltas leave out ------------------------------------------------------------


def test_a_parent_broken_before_it_was_used_shows_only_in_the_ingredient_record(keys: Keys) -> None:
    broken_parent = changed_signature(human_sketch(keys.partner))
    reading = read_store(composite_ai_edit(keys.studio, broken_parent), keys.studio)

    assert reading.state == "Trusted"
    assert findings_in_results(reading.results) == []
    parent_label = reading.active["ingredients"][0]["active_manifest"]
    recorded = findings_in_ingredient_records(reading.manifests, reading.results)
    assert {(f.code, f.kind, f.manifest, f.source) for f in recorded} == {
        ("claimSignature.mismatch", INTEGRITY, parent_label, "ingredient record"),
        ("signingCredential.untrusted", TRUST, parent_label, "ingredient record"),
    }
    assert dominant_kind(_all_findings(reading)) is INTEGRITY


def test_a_grandparent_broken_before_it_was_used_is_still_found_two_stages_later(keys: Keys) -> None:
    grandparent = changed_signature(human_sketch(keys.partner))
    parent = composite_ai_edit(keys.studio, grandparent)
    reading = read_store(composite_ai_edit(keys.studio, parent), keys.studio)

    assert reading.state == "Trusted"
    parent_label = reading.active["ingredients"][0]["active_manifest"]
    grandparent_label = reading.manifests[parent_label]["ingredients"][0]["active_manifest"]
    assert {(f.code, f.kind, f.manifest) for f in _all_findings(reading)} == {
        ("claimSignature.mismatch", INTEGRITY, grandparent_label),
        ("signingCredential.untrusted", TRUST, grandparent_label),
    }


def test_a_failure_recorded_twice_is_listed_once() -> None:
    broken = _status("claimSignature.mismatch", "urn:c2pa:g", "c2pa.signature")
    record = {"validation_results": {"activeManifest": {"failure": [broken]}}}
    manifests = {"urn:c2pa:p": {"ingredients": [record]}, "urn:c2pa:c": {"ingredients": [record]}}
    assert len(findings_in_ingredient_records(manifests, {})) == 2
    assert _summary(manifest_store_findings(manifests, {})) == [
        ("claimSignature.mismatch", INTEGRITY, "urn:c2pa:g", "ingredient record")
    ]


def test_a_recorded_untrusted_parent_counts_until_this_reader_trusts_it(keys: Keys) -> None:
    data = composite_ai_edit(keys.studio, human_sketch(keys.partner))

    studio_only = read_store(data, keys.studio)
    parent_label = studio_only.active["ingredients"][0]["active_manifest"]
    assert findings_in_results(studio_only.results) == []
    assert _summary(_all_findings(studio_only)) == [
        ("signingCredential.untrusted", TRUST, parent_label, "ingredient record")
    ]

    # Trusting the partner now, c2pa reports signingCredential.trusted as a delta: the old record is void.
    both = read_store(data, keys.studio, keys.partner)
    assert both.state == "Trusted"
    assert _all_findings(both) == []


# --- the code table and the reader errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("assertion.dataHash.mismatch", INTEGRITY),
        ("assertion.hashedURI.mismatch", INTEGRITY),
        ("claimSignature.mismatch", INTEGRITY),
        ("ingredient.manifest.mismatch", INTEGRITY),
        ("assertion.missing", INTEGRITY),
        ("cawg.x509.signature.mismatch", INTEGRITY),
        ("signingCredential.untrusted", TRUST),
        ("signingCredential.expired", TRUST),
        ("signingCredential.ocsp.revoked", TRUST),
        ("cawg.x509.credential.untrusted", TRUST),
        ("cawg.ica.untrusted_issuer", TRUST),
        ("manifest.inaccessible", UNVERIFIABLE),
        ("algorithm.unsupported", UNVERIFIABLE),
        ("com.adobe.prerelease", UNVERIFIABLE),
        ("cawg.ica.did_unavailable", UNVERIFIABLE),
        ("claim.malformed", UNVERIFIABLE),
        ("signingCredential.ocsp.skipped", FailureKind.HARMLESS),
        ("timeStamp.untrusted", FailureKind.HARMLESS),
        ("ingredient.unknownProvenance", FailureKind.HARMLESS),
    ],
)
def test_codes_are_classified_by_what_they_say(code: str, kind: FailureKind) -> None:
    assert classify_code(code) is kind


def test_an_unknown_failure_code_is_unverifiable_and_an_unknown_notice_harmless() -> None:
    assert classify_code("assertion.futureHash.mismatch") is UNVERIFIABLE
    assert classify_code("assertion.futureHash.note", informational=True) is FailureKind.HARMLESS
    results = {
        "activeManifest": {
            "failure": [{"code": "x.new", "url": "self#jumbf=/c2pa/urn:c2pa:a/c2pa.signature"}],
            "informational": [{"code": "x.notice", "url": ""}],
        }
    }
    assert _summary(findings_in_results(results)) == [("x.new", UNVERIFIABLE, "urn:c2pa:a", "activeManifest")]


def _status(code: str, label: str, part: str = "c2pa.assertions/cawg.identity") -> dict[str, str]:
    return {"code": code, "url": f"self#jumbf=/c2pa/{label}/{part}", "explanation": code}


def test_identity_claims_aggregation_codes_from_c2pa_rs_fixtures() -> None:
    # As c2pa-python 0.38 reads c2pa-rs's sdk/src/identity/tests/fixtures/claim_aggregation/ica_validation
    # files offline (not buildable with the Python binding: they need a W3C verifiable credential).
    success_jpg = {"activeManifest": {"informational": [_status("cawg.ica.untrusted_issuer", "test:a")]}}
    unresolvable_did_jpg = {"activeManifest": {"failure": [_status("cawg.ica.did_unavailable", "test:b")]}}
    signature_mismatch_jpg = {"activeManifest": {"failure": [_status("cawg.ica.signature_mismatch", "test:c")]}}
    assert [f.kind for f in findings_in_results(success_jpg)] == [TRUST]
    assert [f.kind for f in findings_in_results(unresolvable_did_jpg)] == [UNVERIFIABLE]
    assert [f.kind for f in findings_in_results(signature_mismatch_jpg)] == [INTEGRITY]


def test_an_unsupported_algorithm_excuses_only_its_own_sections_signature_mismatch() -> None:
    results: dict[str, Any] = {
        "activeManifest": {"failure": [_status("claimSignature.mismatch", "urn:c2pa:a", "c2pa.signature")]},
        "ingredientDeltas": [
            {
                "ingredientAssertionURI": "self#jumbf=/c2pa/urn:c2pa:a/c2pa.assertions/c2pa.ingredient.v3",
                "validationDeltas": {
                    "failure": [
                        {"code": "algorithm.unsupported", "url": "Cose_Sign1"},
                        _status("claimSignature.mismatch", "urn:c2pa:b", "c2pa.signature"),
                    ]
                },
            }
        ],
    }
    assert _summary(findings_in_results(results)) == [
        ("claimSignature.mismatch", INTEGRITY, "urn:c2pa:a", "activeManifest"),
        ("algorithm.unsupported", UNVERIFIABLE, None, "ingredientDeltas"),
        ("claimSignature.mismatch", UNVERIFIABLE, "urn:c2pa:b", "ingredientDeltas"),
    ]


def test_older_ingredients_keep_a_flat_status_list() -> None:
    manifests = {
        "urn:c2pa:a": {
            "ingredients": [
                {
                    "validation_status": [
                        _status("assertion.dataHash.mismatch", "urn:c2pa:b", "c2pa.assertions/c2pa.hash.data"),
                        _status("claimSignature.validated", "urn:c2pa:b", "c2pa.signature"),
                    ]
                }
            ]
        }
    }
    assert _summary(findings_in_ingredient_records(manifests, {})) == [
        ("assertion.dataHash.mismatch", INTEGRITY, "urn:c2pa:b", "ingredient record")
    ]


def test_a_store_the_reader_cannot_parse_is_unverifiable() -> None:
    # The texts c2pa-python 0.38 raises for a corrupted box header and for claim bytes that are not CBOR.
    for message in ("Verify: invalid box header", "Decoding: claim could not be converted from CBOR"):
        finding = finding_for_reader_error(message)
        assert (finding.code, finding.kind, finding.explanation) == (UNREADABLE_STORE, UNVERIFIABLE, message)


# --- source types as other tools write them ---------------------------------------------------------------


def _actions(label: str, actions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"label": label, "data": {"actions": actions, **extra}}


def test_source_types_are_read_wherever_older_manifests_put_them() -> None:
    manifest = {
        "assertions": [
            _actions(
                "c2pa.actions", [{"action": "c2pa.created", "parameters": {"digitalSourceType": "digitalCapture"}}]
            ),
            _actions(
                "c2pa.actions.v2__1",
                [
                    {
                        "action": "c2pa.edited",
                        "parameters": {
                            "com.adobe.digitalSourceType": "https://cv.iptc.org/newscodes/digitalsourcetype/humanEdits"
                        },
                    },
                    {"action": "c2pa.filtered"},
                    # c2pa-rs's fixture C_with_CAWG_data.jpg writes its source type with a leading space.
                    {
                        "action": "c2pa.resized",
                        "digitalSourceType": " http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicallyEnhanced",
                    },
                ],
                templates=[
                    {
                        "action": "c2pa.filtered",
                        "digitalSourceType": "http://c2pa.org/digitalsourcetype/trainedAlgorithmicData",
                    }
                ],
            ),
            {"label": "c2pa.hash.data", "data": {}},
        ]
    }
    assert [(s.assertion, s.action, s.source_class) for s in action_sources(manifest)] == [
        ("c2pa.actions", "c2pa.created", "human"),
        ("c2pa.actions.v2__1", "c2pa.edited", "human"),
        ("c2pa.actions.v2__1", "c2pa.filtered", "ai"),
        ("c2pa.actions.v2__1", "c2pa.resized", "human"),
    ]
    assert ai_source_types(manifest) == ["http://c2pa.org/digitalsourcetype/trainedAlgorithmicData"]
    assert manifest_source_class(manifest) == "ai"


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("trainedAlgorithmicMedia", "ai"),
        ("compositeWithTrainedAlgorithmicMedia", "ai"),
        ("compositeSynthetic", "ai"),
        ("digitalCreation", "human"),
        ("humanEdits", "human"),
        ("algorithmicallyEnhanced", "human"),
        ("algorithmicMedia", "human"),
        ("composite", "undeclared"),
        ("virtualRecording", "undeclared"),
        ("softwareImage", "undeclared"),
        ("notAnIptcTerm", "undeclared"),
    ],
)
def test_iptc_terms_map_to_ai_human_or_undeclared(term: str, expected: str) -> None:
    assert source_class("http://cv.iptc.org/newscodes/digitalsourcetype/" + term) == expected


def test_a_manifest_that_declares_nothing_or_something_vague_is_undeclared() -> None:
    nothing = {"assertions": [_actions("c2pa.actions.v2", [{"action": "c2pa.opened"}, {"action": "c2pa.edited"}])]}
    vague = {
        "assertions": [
            _actions(
                "c2pa.actions.v2",
                [
                    {"action": "c2pa.created", "digitalSourceType": DIGITAL_CREATION},
                    {
                        "action": "c2pa.placed",
                        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/composite",
                    },
                ],
            )
        ]
    }
    assert manifest_source_class(nothing) == "undeclared"
    assert manifest_source_class(vague) == "undeclared"
    assert manifest_source_class({"assertions": []}) == "undeclared"
