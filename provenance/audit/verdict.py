"""What each verdict promises, how validation findings become one, and the verdict in plain words."""

from __future__ import annotations

from ..generator_metadata import GeneratorMetadata
from ..manifests import ManifestStore
from ..manifests.validation import FailureKind, ValidationFinding
from .report import AuditStage, Match, Verdict

# Each verdict and what it promises, in the order the documentation lists them.
VERDICTS: dict[str, str] = {
    "trusted": "every manifest intact and signed under an anchor trusted here; every stage this studio signed "
    "matches its record in this project",
    "valid-untrusted": "intact, but a signer (or identity credential) is not trusted here",
    "tampered": "an integrity failure: pixels, an assertion or a signature no longer match their hashes",
    "unknown": "no manifest, no match in the records, no other generator's metadata",
    "records-differ": "intact and signed by this studio, but its records are missing here or disagree with what "
    "was signed (or a recorded file is missing or changed)",
    "matched-without-manifest": "no manifest; the pixels match a recorded asset: our records, not proof",
    "foreign-ai-metadata": "no manifest; another AI front end's metadata says AI made it",
    "unverifiable": "a manifest is present but cannot be validated here (remote manifest, unsupported format "
    "or algorithm)",
}


def validation_verdict(manifest_store: ManifestStore) -> Verdict:
    """What validation alone says: integrity first, then what cannot be checked here, then trust."""
    worst = manifest_store.worst
    if worst is FailureKind.INTEGRITY:
        return "tampered"
    if worst is FailureKind.UNVERIFIABLE:
        return "unverifiable"
    return "trusted" if manifest_store.trusted else "valid-untrusted"


def statement(
    verdict: Verdict, stages: list[AuditStage], match: Match | None, foreign: GeneratorMetadata | None
) -> str:
    humans = sum(s.origin == "human" for s in stages)
    ais = sum(s.origin == "ai" for s in stages)
    undeclared = sum(s.origin == "undeclared" for s in stages)
    counted = f"{len(stages)} stages, {humans} by people, {ais} by AI" + (
        f", {undeclared} undeclared" if undeclared else ""
    )
    if verdict == "trusted":
        return f"Signed by a trusted certificate, intact, and matching this project's records: {counted}."
    if verdict == "valid-untrusted":
        return (
            "Intact, but signed by a certificate this project does not trust; if it is a partner's, "
            "add their CA with `provenance trust add`."
        )
    if verdict == "tampered":
        return "Changed after signing: the file no longer matches its manifest, so the names in it prove nothing."
    if verdict == "unverifiable":
        return (
            "A manifest is present but cannot be validated here (see the failures), so the names in it are "
            "neither confirmed nor refuted."
        )
    if verdict == "records-differ":
        return (
            f"Intact and signed by this studio, but this project's records are missing or disagree (see the "
            f"problems): {counted}."
        )
    if verdict == "matched-without-manifest" and match is not None:
        return (
            f"This file carries no manifest, so it proves nothing by itself. Its pixels match recorded asset "
            f"#{match.asset_id} (SSIM {match.ssim:.2f}); the stages below are what our records say about that "
            "asset."
        )
    if verdict == "foreign-ai-metadata" and foreign is not None:
        details = ", ".join(f"{k} {foreign.parameters[k]}" for k in ("seed", "steps", "model_hash", "model")
                            if k in foreign.parameters)  # fmt: skip
        return f"Made with AI outside the tracked pipeline: {foreign.generator} metadata ({details or 'no settings'})."
    return "No manifest, no match in this project's records and no generator metadata: nothing can be said about it."


def failure_text(finding: ValidationFinding) -> str:
    return f"{finding.code}: {finding.explanation}".strip().removesuffix(":")
