"""The JSON Schemas in schemas/ are the contract for scripts; they must match the models that print JSON.

Change a report model, then run ``PROVENANCE_UPDATE_GOLDEN=1 pytest tests/test_schemas.py`` and review the
diff: a change that removes or retypes a field needs a new schema version, not an edit of v1.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel

from provenance.asset_listing import AssetList
from provenance.audit import AuditReport
from provenance.audit.bulk import AuditFailure
from provenance.audit.project_check import CheckReport
from provenance.credits.lineage import Lineage
from provenance.credits.sheet import CreditSheet

from .conftest import UPDATE_GOLDEN

SCHEMAS = Path(__file__).parents[1] / "schemas"
MODELS: dict[str, type[BaseModel]] = {
    "asset-list.v1.json": AssetList,
    "audit-failure.v1.json": AuditFailure,
    "audit-report.v1.json": AuditReport,
    "check-report.v1.json": CheckReport,
    "credit-sheet.v1.json": CreditSheet,
    "lineage.v1.json": Lineage,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_committed_schema_matches_the_model(name: str) -> None:
    generated = json.dumps(MODELS[name].model_json_schema(mode="serialization"), indent=2, ensure_ascii=False)
    path = SCHEMAS / name
    if UPDATE_GOLDEN:
        path.write_text(generated + "\n", encoding="utf-8")
    committed = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(committed)
    assert committed == json.loads(generated)
