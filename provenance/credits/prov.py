"""An asset's recorded lineage as W3C PROV-JSON: entities, activities, agents and their relations.

Assets are entities, stages are activities, people and AI models are agents (a model is a
``prov:SoftwareAgent`` associated with its stage, never a person). Relations: ``wasGeneratedBy``,
``used``, ``wasDerivedFrom`` and ``wasAssociatedWith`` with the credit role as ``prov:role``.
See https://www.w3.org/submissions/prov-json/.

>>> document = lineage_prov(project, "5")  # doctest: +SKIP
>>> sorted(document["activity"])  # doctest: +SKIP
['stage:0b1c...', ...]
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from .. import catalog
from ..project import Project
from ..store import Asset, Stage, StageInput
from ..store.queries import stage_record

NAMESPACES = {
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "pv": "https://provenance.example/ns#",
    "asset": "urn:provenance:asset:",
    "stage": "urn:provenance:stage:",
    "person": "urn:provenance:person:",
    "model": "urn:provenance:model:",
}


def lineage_prov(project: Project, reference: str) -> dict[str, Any]:
    """The PROV-JSON document of everything behind an asset (id or recorded file)."""
    named = catalog.asset_reference(reference)
    with project.store.session() as session:
        builder = _Builder(session)
        builder.add_asset(catalog.find_asset(session, named))
        return builder.document()


class _Builder:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.sections: dict[str, dict[str, Any]] = {
            name: {}
            for name in ("entity", "activity", "agent", "wasGeneratedBy", "used", "wasDerivedFrom", "wasAssociatedWith")
        }

    def document(self) -> dict[str, Any]:
        return {"prefix": NAMESPACES, **{name: items for name, items in self.sections.items() if items}}

    def add_asset(self, asset: Asset) -> None:
        entity = f"asset:{asset.id}"
        if entity in self.sections["entity"]:
            return
        self.sections["entity"][entity] = {
            "prov:type": _qname("pv:Asset"),
            "prov:label": asset.path,
            "pv:sha256": asset.sha256,
            "pv:pixelSha256": asset.pixel_sha256,
            "pv:c2paManifest": asset.manifest_label or "",
        }
        stage = self.session.get(Stage, asset.stage_id)
        assert stage is not None
        activity = self.add_stage(stage)
        self._relation("wasGeneratedBy", {"prov:entity": entity, "prov:activity": activity})
        for parent in self._inputs(stage):
            self.add_asset(parent)
            self._relation(
                "wasDerivedFrom",
                {"prov:generatedEntity": entity, "prov:usedEntity": f"asset:{parent.id}", "prov:activity": activity},
            )
        for decision in self._decisions(asset):
            self.add_stage(decision)

    def add_stage(self, stage: Stage) -> str:
        activity = f"stage:{stage.uuid}"
        if activity in self.sections["activity"]:
            return activity
        record = stage_record(self.session, stage)
        self.sections["activity"][activity] = {
            "prov:type": _qname(f"pv:{stage.kind}"),
            "prov:startTime": record.started_at.isoformat(),
            "prov:endTime": record.finished_at.isoformat(),
            "pv:background": record.background,
            "pv:ai": record.ai,
            **({"pv:tool": record.tool.name} if record.tool else {}),
        }
        for parent in self._inputs(stage):
            self._relation("used", {"prov:activity": activity, "prov:entity": f"asset:{parent.id}"})
        for person in record.people:
            agent = f"person:{person.handle}"
            self.sections["agent"].setdefault(
                agent,
                {"prov:type": _qname("prov:Person"), "prov:label": person.name}
                | ({"pv:nativeName": person.native_name} if person.native_name else {}),
            )
            self._relation(
                "wasAssociatedWith", {"prov:activity": activity, "prov:agent": agent, "prov:role": person.role}
            )
        if record.model is not None:
            agent = f"model:{record.model.fingerprint[:16]}"
            self.sections["agent"].setdefault(
                agent,
                {
                    "prov:type": _qname("prov:SoftwareAgent"),
                    "prov:label": record.model.label,
                    "pv:fingerprint": record.model.fingerprint,
                    "pv:testModel": record.model.test_model,
                },
            )
            self._relation("wasAssociatedWith", {"prov:activity": activity, "prov:agent": agent})
        return activity

    def _inputs(self, stage: Stage) -> list[Asset]:
        query = (
            select(Asset).join(StageInput, col(StageInput.asset_id) == Asset.id).where(StageInput.stage_id == stage.id)
        )
        return list(self.session.exec(query))

    def _decisions(self, asset: Asset) -> list[Stage]:
        query = (
            select(Stage)
            .join(StageInput, col(StageInput.stage_id) == Stage.id)
            .where(StageInput.asset_id == asset.id, Stage.kind == "select")
        )
        return list(self.session.exec(query))

    def _relation(self, kind: str, attributes: dict[str, Any]) -> None:
        relations = self.sections[kind]
        relations[f"_:{kind}{len(relations) + 1}"] = attributes


def _qname(name: str) -> dict[str, str]:
    return {"$": name, "type": "prov:QUALIFIED_NAME"}
