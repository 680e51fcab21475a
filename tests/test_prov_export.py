"""Lineage as W3C PROV-JSON, read back with the prov library."""

from __future__ import annotations

import json

from prov.model import ProvDocument

from provenance.credits.prov import lineage_prov
from provenance.project import Project

from .conftest import Chain


def test_prov_json_of_the_final_file(project: Project, chain: Chain) -> None:
    document = lineage_prov(project, str(chain.final.asset_id))
    parsed = ProvDocument.deserialize(content=json.dumps(document), format="json")
    records = parsed.get_records()
    kinds = sorted({type(record).__name__ for record in records})
    assert kinds == [
        "ProvActivity",
        "ProvAgent",
        "ProvAssociation",
        "ProvDerivation",
        "ProvEntity",
        "ProvGeneration",
        "ProvUsage",
    ]
    assert sorted(document["entity"]) == sorted(
        f"asset:{a}" for a in (chain.sketch.asset_id, chain.chosen.asset_id, chain.final.asset_id)
    )
    assert len(document["activity"]) == 4  # sketch, ai_generate, select, revise
    agents = document["agent"]
    assert agents["person:suzuki-ren"]["prov:label"] == "Suzuki Ren"
    [model] = [agent for agent in agents.values() if agent["prov:type"]["$"] == "prov:SoftwareAgent"]
    assert model["prov:label"] == "tiny v1" and model["pv:testModel"] is True
    roles = sorted(a.get("prov:role", "-") for a in document["wasAssociatedWith"].values())
    assert roles == ["-", "AI_OPERATOR", "BG_AD", "BG_LAYOUT", "BG_RETOUCH"]  # the model has no credit role
    derivations = {(d["prov:generatedEntity"], d["prov:usedEntity"]) for d in document["wasDerivedFrom"].values()}
    assert derivations == {
        (f"asset:{chain.final.asset_id}", f"asset:{chain.chosen.asset_id}"),
        (f"asset:{chain.chosen.asset_id}", f"asset:{chain.sketch.asset_id}"),
    }
