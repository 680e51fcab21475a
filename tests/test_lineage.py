"""The recorded lineage of an asset, back to its sketch."""

from __future__ import annotations

from provenance.credits.lineage import asset_lineage
from provenance.project import Project

from .conftest import Chain


def test_lineage_of_the_final_file(project: Project, chain: Chain) -> None:
    tree = asset_lineage(project, str(project.absolute(chain.final.path))).asset
    assert [(node.kind, node.asset_id) for node in tree.walk()] == [
        ("revise", chain.final.asset_id),
        ("ai_generate", chain.chosen.asset_id),
        ("sketch", chain.sketch.asset_id),
    ]
    generated = tree.inputs[0]
    assert generated.ai and generated.model == "tiny v1" and generated.seed == 6
    assert generated.decisions[0].people == ["Yamada Hanako (BG_AD)"]
    assert tree.people == ["Suzuki Ren (BG_RETOUCH)"]
