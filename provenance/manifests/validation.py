"""What c2pa's validation codes mean for an audit, and which actions of a manifest declare AI. Pure.

c2pa reports a validation code per check. This module sorts them into the four things an audit verdict
can say (the promises are in :data:`provenance.audit.verdict.VERDICTS`):

- ``integrity``: the pixels, an assertion, the claim or a signed reference no longer match their hash or
  signature, or signed content was removed or added after signing (-> ``tampered``);
- ``trust``: intact, but the signer's or an identity's credential is not trusted here, has expired or was
  revoked (-> ``valid-untrusted``);
- ``unverifiable``: the manifest cannot be checked here: a remote manifest that was not fetched, an
  unsupported algorithm or format, a prerelease manifest, an identity issuer that cannot be reached, or a
  manifest that does not conform to the specification (nothing was compared, so nothing is accused);
- ``harmless``: success and informational codes.

The code lists come from c2pa-rs (contentauth/c2pa-rs at 24d17555b, the c2pa-rs 0.91 line that
c2pa-python 0.38 bundles as c2pa-rs 0.91.3): ``sdk/src/validation_results.rs`` (module
``validation_codes`` and ``log_kind``), ``sdk/src/validation_status.rs`` (``com.adobe.prerelease``), the CAWG
identity codes in ``sdk/src/identity/identity_assertion/{assertion,signer_payload}.rs``,
``sdk/src/identity/x509/x509_status_remap.rs`` and ``sdk/src/identity/claim_aggregation/ica_signature_verifier.rs``.

Example::

    >>> classify_code("assertion.dataHash.mismatch")
    <FailureKind.INTEGRITY: 'integrity'>
    >>> manifest_source_class({"assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
    ...     {"action": "c2pa.opened"},
    ...     {"action": "c2pa.edited", "digitalSourceType":
    ...      "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"}]}}]})
    'ai'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal


class FailureKind(StrEnum):
    """What one validation code says about a file, most serious first."""

    INTEGRITY = "integrity"
    UNVERIFIABLE = "unverifiable"
    TRUST = "trust"
    HARMLESS = "harmless"


_INTEGRITY = FailureKind.INTEGRITY
_TRUST = FailureKind.TRUST
_UNVERIFIABLE = FailureKind.UNVERIFIABLE
_HARMLESS = FailureKind.HARMLESS

# Every code c2pa-rs defines or emits, with what it means here. Grouped as in validation_codes.
CODE_KINDS: dict[str, FailureKind] = {
    # -- success codes (c2pa-rs log_kind: Success) --
    "claimSignature.validated": _HARMLESS,
    "claimSignature.insideValidity": _HARMLESS,
    "signingCredential.trusted": _HARMLESS,
    "signingCredential.ocsp.notRevoked": _HARMLESS,
    "timeStamp.validated": _HARMLESS,
    "timeStamp.trusted": _HARMLESS,
    "assertion.hashedURI.match": _HARMLESS,
    "assertion.dataHash.match": _HARMLESS,
    "assertion.bmffHash.match": _HARMLESS,
    "assertion.boxesHash.match": _HARMLESS,
    "assertion.collectionHash.match": _HARMLESS,
    "assertion.accessible": _HARMLESS,
    "ingredient.manifest.validated": _HARMLESS,
    "ingredient.claimSignature.validated": _HARMLESS,
    "cawg.x509.credential.trusted": _HARMLESS,
    "cawg.x509.signature.validated": _HARMLESS,
    "cawg.identity.well-formed": _HARMLESS,
    "cawg.ica.credential_valid": _HARMLESS,
    "cawg.ica.time_stamp.validated": _HARMLESS,
    # -- informational codes (c2pa-rs log_kind: Informational) --
    # OCSP and time stamps: we never fetch OCSP and have no time stamp authority; neither proves anything.
    "signingCredential.ocsp.skipped": _HARMLESS,
    "signingCredential.ocsp.inaccessible": _HARMLESS,
    "signingCredential.ocsp.unknown": _HARMLESS,
    "timeStamp.untrusted": _HARMLESS,
    "timeStamp.outsideValidity": _HARMLESS,
    "timeStamp.mismatch": _HARMLESS,
    "timeStamp.malformed": _HARMLESS,
    "timeOfSigning.insideValidity": _HARMLESS,
    "algorithm.deprecated": _HARMLESS,
    "ingredient.unknownProvenance": _HARMLESS,  # an ingredient without a manifest: a fact, not a failure
    "manifest.unreferenced": _HARMLESS,  # an extra manifest nothing points to changes nothing signed
    "assertion.dataHash.additionalExclusions": _HARMLESS,
    # Informational in c2pa-rs, but it says this SDK cannot interpret the manifest (c2pa-rs emits it nowhere).
    "manifest.unknownProvenance": _UNVERIFIABLE,
    # The identity's issuer is not trusted: c2pa-rs reports it as informational only, it is a trust finding.
    "cawg.ica.untrusted_issuer": _TRUST,
    # -- integrity: something signed no longer matches its hash or signature --
    "claimSignature.mismatch": _INTEGRITY,
    "assertion.hashedURI.mismatch": _INTEGRITY,
    "assertion.dataHash.mismatch": _INTEGRITY,
    "assertion.bmffHash.mismatch": _INTEGRITY,
    "assertion.boxesHash.mismatch": _INTEGRITY,
    "assertion.boxesHash.unknownBox": _INTEGRITY,  # a box the signed hash list does not know: the file changed
    "assertion.collectionHash.mismatch": _INTEGRITY,
    "assertion.collectionHash.incorrectFileCount": _INTEGRITY,
    "hashedURI.mismatch": _INTEGRITY,
    "ingredient.hashedURI.mismatch": _INTEGRITY,
    "ingredient.manifest.mismatch": _INTEGRITY,
    "ingredient.claimSignature.mismatch": _INTEGRITY,
    "cawg.x509.signature.mismatch": _INTEGRITY,
    "cawg.identity.assertion.mismatch": _INTEGRITY,  # the identity signed other assertions than these
    "cawg.ica.signature_mismatch": _INTEGRITY,
    "cawg.ica.signer_payload.mismatch": _INTEGRITY,
    # -- integrity: signed content removed or added after signing --
    "claim.missing": _INTEGRITY,
    "claimSignature.missing": _INTEGRITY,
    "assertion.missing": _INTEGRITY,
    "assertion.undeclared": _INTEGRITY,
    "hashedURI.missing": _INTEGRITY,
    "ingredient.manifest.missing": _INTEGRITY,
    "ingredient.claimSignature.missing": _INTEGRITY,
    # -- trust: intact, but the credential is not trusted here, expired or revoked --
    "signingCredential.untrusted": _TRUST,
    "signingCredential.invalid": _TRUST,  # the certificate does not meet the C2PA profile
    "signingCredential.expired": _TRUST,
    "signingCredential.ocsp.revoked": _TRUST,
    "claimSignature.outsideValidity": _TRUST,
    "cawg.x509.credential.untrusted": _TRUST,
    "cawg.x509.credential.invalid": _TRUST,
    "cawg.x509.signature.outside_validity": _TRUST,
    "cawg.ica.valid_from.missing": _TRUST,
    "cawg.ica.valid_from.invalid": _TRUST,
    "cawg.ica.valid_until.invalid": _TRUST,
    "cawg.ica.time_stamp.invalid": _TRUST,
    # -- unverifiable: cannot be checked here --
    "manifest.inaccessible": _UNVERIFIABLE,  # a remote manifest that was not (or could not be) fetched
    "assertion.inaccessible": _UNVERIFIABLE,
    "algorithm.unsupported": _UNVERIFIABLE,
    "cawg.x509.algorithm.unsupported": _UNVERIFIABLE,
    "cawg.identity.sig_type.unknown": _UNVERIFIABLE,
    "cawg.ica.did_unavailable": _UNVERIFIABLE,  # the identity issuer cannot be reached (offline)
    "cawg.ica.invalid_issuer": _UNVERIFIABLE,  # an issuer DID method this SDK does not support
    "cawg.ica.invalid_alg": _UNVERIFIABLE,
    "com.adobe.prerelease": _UNVERIFIABLE,
    "general.error": _UNVERIFIABLE,
    # -- unverifiable: the manifest does not conform, so there is nothing sound to compare --
    "claim.malformed": _UNVERIFIABLE,
    "claim.cbor.invalid": _UNVERIFIABLE,
    "claim.multiple": _UNVERIFIABLE,
    "claim.hardBindings.missing": _UNVERIFIABLE,  # nothing binds the manifest to the pixels
    "claim.required.missing": _UNVERIFIABLE,
    "assertion.multipleHardBindings": _UNVERIFIABLE,
    "manifest.multipleParents": _UNVERIFIABLE,
    "manifest.update.invalid": _UNVERIFIABLE,
    "manifest.update.wrongParents": _UNVERIFIABLE,
    "manifest.timestamp.invalid": _UNVERIFIABLE,
    "manifest.timestamp.wrongParents": _UNVERIFIABLE,
    "manifest.compressed.invalid": _UNVERIFIABLE,
    "assertion.required.missing": _UNVERIFIABLE,
    "assertion.json.invalid": _UNVERIFIABLE,
    "assertion.cbor.invalid": _UNVERIFIABLE,
    "assertion.notRedacted": _UNVERIFIABLE,
    "assertion.selfRedacted": _UNVERIFIABLE,
    "assertion.outsideManifest": _UNVERIFIABLE,
    "assertion.action.ingredientMismatch": _UNVERIFIABLE,
    "assertion.action.malformed": _UNVERIFIABLE,
    "assertion.action.redacted": _UNVERIFIABLE,
    "assertion.action.redactionMismatch": _UNVERIFIABLE,
    "assertion.dataHash.malformed": _UNVERIFIABLE,
    "assertion.dataHash.redacted": _UNVERIFIABLE,
    "assertion.bmffHash.malformed": _UNVERIFIABLE,
    "assertion.boxesHash.malformed": _UNVERIFIABLE,
    "assertion.cloud-data.hardBinding": _UNVERIFIABLE,
    "assertion.cloud-data.actions": _UNVERIFIABLE,
    "assertion.cloud-data.malformed": _UNVERIFIABLE,
    "assertion.collectionHash.invalidURI": _UNVERIFIABLE,
    "assertion.collectionHash.malformed": _UNVERIFIABLE,
    "assertion.ingredient.malformed": _UNVERIFIABLE,
    "assertion.metadata.disallowed": _UNVERIFIABLE,
    "assertion.timestamp.malformed": _UNVERIFIABLE,
    "cawg.identity.cbor.invalid": _UNVERIFIABLE,
    "cawg.identity.pad.invalid": _UNVERIFIABLE,
    "cawg.identity.hard_binding_missing": _UNVERIFIABLE,
    "cawg.identity.assertion.duplicate": _UNVERIFIABLE,
    "cawg.ica.invalid_content_type": _UNVERIFIABLE,
    "cawg.ica.invalid_cose_sign1": _UNVERIFIABLE,
    "cawg.ica.invalid_verifiable_credential": _UNVERIFIABLE,
    "cawg.ica.invalid_did_document": _UNVERIFIABLE,
}

# Our own code for a store c2pa cannot parse at all (see signing.read_manifest_store).
UNREADABLE_STORE = "manifest.unreadable"
# The codes c2pa-rs itself gives the reader errors below (validation_status.rs code_from_error).
_REMOTE_MANIFEST = "manifest.inaccessible"
_PRERELEASE = "com.adobe.prerelease"
_UNSUPPORTED_ALGORITHM = "algorithm.unsupported"

_ORDER = [FailureKind.INTEGRITY, FailureKind.UNVERIFIABLE, FailureKind.TRUST, FailureKind.HARMLESS]
_MANIFEST_IN_URL = re.compile(r"^self#jumbf=/c2pa/([^/]+)")
_URL_IN_MESSAGE = re.compile(r"https?://[^\s)]+")


def classify_code(code: str, *, informational: bool = False) -> FailureKind:
    """What a c2pa validation code means for the verdict.

    An unknown code reported as a failure is ``unverifiable``: this program cannot say what was checked,
    so it cannot promise the file is intact, and it has no comparison that failed, so it does not accuse
    anyone of tampering. An unknown informational code is ``harmless``, as c2pa itself judged it.

    >>> classify_code("signingCredential.untrusted")
    <FailureKind.TRUST: 'trust'>
    >>> classify_code("some.future.code"), classify_code("some.future.code", informational=True)
    (<FailureKind.UNVERIFIABLE: 'unverifiable'>, <FailureKind.HARMLESS: 'harmless'>)
    """
    if code in CODE_KINDS:
        return CODE_KINDS[code]
    return FailureKind.HARMLESS if informational else FailureKind.UNVERIFIABLE


@dataclass(frozen=True)
class ValidationFinding:
    """One validation code that bears on the verdict (harmless codes are left out)."""

    code: str
    kind: FailureKind
    # The manifest the code's url names, None when it names none (e.g. "Cose_Sign1" or a remote URL).
    manifest: str | None
    url: str
    explanation: str
    # Where c2pa reported it: "activeManifest", "ingredientDeltas" (re-validated now) or
    # "ingredient record" (recorded in an ingredient assertion when that ingredient was added).
    source: str


def manifest_label_in_url(url: str) -> str | None:
    """The manifest label an absolute JUMBF url names.

    >>> manifest_label_in_url("self#jumbf=/c2pa/urn:c2pa:1234/c2pa.signature")
    'urn:c2pa:1234'
    """
    match = _MANIFEST_IN_URL.match(url)
    return match.group(1) if match else None


def findings_in_results(results: Mapping[str, Any]) -> list[ValidationFinding]:
    """The findings in c2pa's validation results (``Reader.get_validation_results()``).

    Reads the failure and informational codes of ``activeManifest`` and of every ``ingredientDeltas``
    entry. Within one of those sections, ``algorithm.unsupported`` makes that section's
    ``claimSignature.mismatch`` unverifiable too: c2pa-rs logs the mismatch whenever it could not verify
    the signature at all (claim.rs ``verify_internal``), so it is not evidence of a change.
    """
    findings = _section_findings(results.get("activeManifest") or {}, "activeManifest")
    for delta in results.get("ingredientDeltas") or []:
        findings += _section_findings(delta.get("validationDeltas") or {}, "ingredientDeltas")
    return findings


def findings_in_ingredient_records(
    manifests: Mapping[str, Mapping[str, Any]], results: Mapping[str, Any]
) -> list[ValidationFinding]:
    """The findings recorded in the ingredient assertions of every manifest (``Reader.json()["manifests"]``).

    c2pa's validation results are deltas: a failure an ingredient already had when it was added is kept
    in that ingredient's assertion and is not reported again (a parent whose signature was broken before
    it was used leaves the result ``Trusted``). A recorded untrusted credential that this reader now trusts
    (a ``...credential.trusted`` success for the same url in the current deltas) is dropped.
    """
    trusted_now = {
        (entry.get("url"), entry.get("code"))
        for delta in results.get("ingredientDeltas") or []
        for entry in (delta.get("validationDeltas") or {}).get("success") or []
    }
    findings = []
    for manifest in manifests.values():
        for ingredient in manifest.get("ingredients") or []:
            for finding in _recorded_findings(ingredient):
                superseded_by = _TRUSTED_INSTEAD.get(finding.code)
                if superseded_by and (finding.url, superseded_by) in trusted_now:
                    continue
                findings.append(finding)
    return findings


def manifest_store_findings(
    manifests: Mapping[str, Mapping[str, Any]], results: Mapping[str, Any]
) -> list[ValidationFinding]:
    """Every finding about a store: the current validation results plus the ingredients' records.

    A code reported for the same url twice (a grandparent's failure recorded by the parent and again by
    the child) is listed once, where it was first found.
    """
    findings, seen = [], set()
    for finding in findings_in_results(results) + findings_in_ingredient_records(manifests, results):
        if (finding.code, finding.url) not in seen:
            seen.add((finding.code, finding.url))
            findings.append(finding)
    return findings


def finding_for_reader_error(message: str) -> ValidationFinding:
    """The finding for an error c2pa's Reader raised instead of returning results.

    c2pa-python 0.38 raises a plain ``C2paError`` whose text starts ``Remote:`` for a manifest that only
    a URL points to (``must fetch remote manifests from url <url>`` when fetching is off, ``could not fetch
    the remote manifest ...`` when the fetch fails), and ``C2paError.Other`` with ``Other: prerelease
    content detected`` or ``Other: unknown algorithm``. Anything else means the store could not be parsed
    (``Decoding:``/``Verify:`` ...): nothing was compared, so it is unverifiable, not tampered.

    >>> finding_for_reader_error("Remote: must fetch remote manifests from url https://x.example/m").url
    'https://x.example/m'
    """
    if message.startswith("Remote:"):
        url = _URL_IN_MESSAGE.search(message)
        return _finding(_REMOTE_MANIFEST, None, url.group(0) if url else "", message, "reader error")
    if "prerelease content detected" in message:
        return _finding(_PRERELEASE, None, "", message, "reader error")
    if "unknown algorithm" in message:
        return _finding(_UNSUPPORTED_ALGORITHM, None, "", message, "reader error")
    return ValidationFinding(UNREADABLE_STORE, FailureKind.UNVERIFIABLE, None, "", message, "reader error")


def dominant_kind(findings: Iterable[ValidationFinding]) -> FailureKind | None:
    """The most serious kind among the findings (integrity > unverifiable > trust); None when there are none.

    Unverifiable outranks trust: a file with a part that cannot be checked cannot be promised intact.
    """
    kinds = {finding.kind for finding in findings}
    return next((kind for kind in _ORDER if kind in kinds), None)


# A recorded failure of this code is void when the current reader reports the paired success for the url.
_TRUSTED_INSTEAD = {
    "signingCredential.untrusted": "signingCredential.trusted",
    "cawg.x509.credential.untrusted": "cawg.x509.credential.trusted",
}


def _section_findings(section: Mapping[str, Any], source: str) -> list[ValidationFinding]:
    entries = [(entry, False) for entry in section.get("failure") or []]
    entries += [(entry, True) for entry in section.get("informational") or []]
    findings = [_entry_finding(entry, source, informational=informational) for entry, informational in entries]
    if any(finding.code == _UNSUPPORTED_ALGORITHM for finding in findings):
        findings = [
            _with_kind(finding, FailureKind.UNVERIFIABLE) if finding.code == "claimSignature.mismatch" else finding
            for finding in findings
        ]
    return [finding for finding in findings if finding.kind is not FailureKind.HARMLESS]


def _recorded_findings(ingredient: Mapping[str, Any]) -> list[ValidationFinding]:
    recorded = ingredient.get("validation_results")
    if recorded:
        return [_with_source(finding, "ingredient record") for finding in findings_in_results(recorded)]
    # Ingredient assertions before v3 keep one flat list of status entries.
    entries: Sequence[Mapping[str, Any]] = ingredient.get("validation_status") or []
    findings = [_entry_finding(entry, "ingredient record") for entry in entries]
    return [finding for finding in findings if finding.kind is not FailureKind.HARMLESS]


def _entry_finding(entry: Mapping[str, Any], source: str, *, informational: bool = False) -> ValidationFinding:
    code, url, explanation = (str(entry.get(key, "")) for key in ("code", "url", "explanation"))
    return _finding(code, None, url, explanation, source, informational=informational)


def _finding(
    code: str, manifest: str | None, url: str, explanation: str, source: str, *, informational: bool = False
) -> ValidationFinding:
    return ValidationFinding(
        code=code,
        kind=classify_code(code, informational=informational),
        manifest=manifest or manifest_label_in_url(url),
        url=url,
        explanation=explanation,
        source=source,
    )


def _with_kind(finding: ValidationFinding, kind: FailureKind) -> ValidationFinding:
    return ValidationFinding(finding.code, kind, finding.manifest, finding.url, finding.explanation, finding.source)


def _with_source(finding: ValidationFinding, source: str) -> ValidationFinding:
    return ValidationFinding(finding.code, finding.kind, finding.manifest, finding.url, finding.explanation, source)


# ---------------------------------------------------------------------------------------------------------
# Digital source types: which actions declare AI.

SourceClass = Literal["ai", "human", "undeclared"]

_IPTC_PREFIXES = ("http://cv.iptc.org/newscodes/digitalsourcetype/", "https://cv.iptc.org/newscodes/digitalsourcetype/")
_C2PA_PREFIXES = ("http://c2pa.org/digitalsourcetype/", "https://c2pa.org/digitalsourcetype/")

# Generative AI made some of the content (IPTC definitions, as quoted in c2pa-rs assertions/actions.rs):
# trainedAlgorithmicMedia "created algorithmically using an AI model trained on captured content";
# compositeWithTrainedAlgorithmicMedia "augmentation, correction or enhancement using a Generative AI model,
# such as inpainting or outpainting"; compositeSynthetic "a composite of several elements, at least one of
# which is Generative AI"; C2PA's trainedAlgorithmicData is the same for data rather than media.
AI_TERMS = frozenset(
    {"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "compositeSynthetic", "trainedAlgorithmicData"}
)
# Declared made without generative AI: by people, by capture devices, or by algorithms that generate nothing
# (algorithmicallyEnhanced "without changing the main content, such as sharpening or noise reduction";
# algorithmicMedia "not based on any sampled training data"; computationalCapture merges captured frames
# "using digital signal processing and/or non-generative AI"). C2PA's "empty" is a blank canvas.
HUMAN_TERMS = frozenset(
    {
        "digitalCapture",
        "computationalCapture",
        "negativeFilm",
        "positiveFilm",
        "print",
        "minorHumanEdits",
        "humanEdits",
        "digitalCreation",
        "digitalArt",
        "dataDrivenMedia",
        "screenCapture",
        "compositeCapture",
        "algorithmicallyEnhanced",
        "algorithmicMedia",
        "empty",
    }
)
# Everything else says nothing either way and is "undeclared": composite "any of which may or may not be
# generative AI", virtualRecording "based on Generative AI and/or captured elements", the retired
# softwareImage "created by computer software", and any term not in the vocabulary.


@dataclass(frozen=True)
class ActionSource:
    """One action of a manifest with the digital source type it declares (None when it declares none)."""

    assertion: str
    action: str
    digital_source_type: str | None
    source_class: SourceClass


def source_class(digital_source_type: str | None) -> SourceClass:
    """``ai``, ``human`` or ``undeclared`` for one digital source type URI (or bare IPTC term).

    >>> source_class("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
    'ai'
    >>> source_class("http://cv.iptc.org/newscodes/digitalsourcetype/composite"), source_class(None)
    ('undeclared', 'undeclared')
    """
    term = _term(digital_source_type)
    if term in AI_TERMS:
        return "ai"
    if term in HUMAN_TERMS:
        return "human"
    return "undeclared"


def action_sources(manifest: Mapping[str, Any]) -> list[ActionSource]:
    """Every action of every actions assertion (``c2pa.actions``, ``c2pa.actions.v2``, ``__N`` instances).

    The source type is read from the action's ``digitalSourceType``, else from its ``parameters``
    (``digitalSourceType`` or Adobe's older ``com.adobe.digitalSourceType``), else from a v2 ``templates``
    entry for the same action (or ``*``), which the specification applies to actions that omit a field.
    """
    sources = []
    for assertion in manifest.get("assertions") or []:
        label = str(assertion.get("label", ""))
        if label.split("__", 1)[0] not in ("c2pa.actions", "c2pa.actions.v2"):
            continue
        data = assertion.get("data") or {}
        templates = {str(t.get("action")): _declared_source(t) for t in data.get("templates") or []}
        for action in data.get("actions") or []:
            name = str(action.get("action", ""))
            declared = _declared_source(action) or templates.get(name) or templates.get("*")
            sources.append(ActionSource(label, name, declared, source_class(declared)))
    return sources


def ai_source_types(manifest: Mapping[str, Any]) -> list[str]:
    """Every AI digital source type declared by any action of the manifest, in order.

    >>> ai_source_types({"assertions": [{"label": "c2pa.actions", "data": {"actions": [
    ...     {"action": "c2pa.created", "parameters": {"digitalSourceType": "trainedAlgorithmicMedia"}}]}}]})
    ['trainedAlgorithmicMedia']
    """
    return [s.digital_source_type for s in action_sources(manifest) if s.source_class == "ai" and s.digital_source_type]


def manifest_source_class(manifest: Mapping[str, Any]) -> SourceClass:
    """``ai`` if any action declares AI; ``human`` if actions declare only human sources; else ``undeclared``.

    Actions that declare no source at all (``c2pa.opened``, ``c2pa.resized`` ...) count neither way; a
    manifest whose actions declare nothing, or declare a term that says nothing about AI, is undeclared.
    """
    sources = action_sources(manifest)
    if any(s.source_class == "ai" for s in sources):
        return "ai"
    declared = [s for s in sources if s.digital_source_type is not None]
    if declared and all(s.source_class == "human" for s in declared):
        return "human"
    return "undeclared"


def _declared_source(action: Mapping[str, Any]) -> str | None:
    parameters = action.get("parameters") or {}
    for value in (
        action.get("digitalSourceType"),
        parameters.get("digitalSourceType"),
        parameters.get("com.adobe.digitalSourceType"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _term(digital_source_type: str | None) -> str | None:
    if digital_source_type is None:
        return None
    value = digital_source_type.strip()
    for prefix in _IPTC_PREFIXES + _C2PA_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value
