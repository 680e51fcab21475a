"""PROVISIONAL (replaced by the helper's module at merge): classifying c2pa failures, reading source types."""

from __future__ import annotations

from typing import Any, Literal

FailureClass = Literal["integrity", "trust", "unverifiable", "informational"]

_TRUST = {"signingCredential.untrusted", "signingCredential.expired", "signingCredential.revoked"}
_UNVERIFIABLE = {"algorithm.unsupported", "manifest.inaccessible", "signingCredential.ocsp.inaccessible"}


def failure_class(failure: dict[str, Any]) -> FailureClass:
    code = str(failure.get("code", ""))
    if code in _TRUST:
        return "trust"
    if code in _UNVERIFIABLE:
        return "unverifiable"
    return "integrity"


def declared_source_types(manifest: dict[str, Any]) -> set[str]:
    declared = set()
    for assertion in manifest.get("assertions", []):
        if str(assertion.get("label", "")).split(".v")[0] != "c2pa.actions":
            continue
        data = assertion.get("data")
        for action in (data or {}).get("actions", []) if isinstance(data, dict) else []:
            if not isinstance(action, dict):
                continue
            parameters = action.get("parameters")
            parameters = parameters if isinstance(parameters, dict) else {}
            for source_type in (action.get("digitalSourceType"), parameters.get("digitalSourceType")):
                if isinstance(source_type, str) and source_type:
                    declared.add(source_type)
    return declared
