"""Manifest definitions for each stage kind: records in, a c2pa Builder definition out. Pure.

The shapes: a stage without a parent starts with ``c2pa.created``; a stage with one
starts with ``c2pa.opened`` linked to its ``parentOf`` ingredient and then ``c2pa.edited`` with the
source type of the work done (``trainedAlgorithmicMedia`` for AI, ``humanEdits`` for a person). People
are named in ``cawg.metadata``, embedded as JSON as the CAWG spec has it; the whole stage record goes in
our own assertion; human work carries a do-not-train declaration.
"""

from __future__ import annotations

from typing import Any

from .._version import __version__
from ..records import STAGE_ASSERTION, StageRecord

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
DIGITAL_CREATION = IPTC + "digitalCreation"
HUMAN_EDITS = IPTC + "humanEdits"
TRAINED_ALGORITHMIC_MEDIA = IPTC + "trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = IPTC + "compositeWithTrainedAlgorithmicMedia"

PARENT_INGREDIENT_ID = "parent"
# The artist's own file, when it came with a C2PA manifest of its own (say, from Photoshop): kept as a
# component so its history stays in the chain.
COMPONENT_INGREDIENT_ID = "artist-file"
SETTINGS_NAMESPACE = "org.provenance."
DO_NOT_TRAIN = {
    "entries": {
        entry: {"use": "notAllowed"}
        for entry in (
            "cawg.ai_generative_training",
            "cawg.ai_training",
            "cawg.data_mining",
            "cawg.ai_inference",
        )
    }
}
_DUBLIN_CORE = {"dc": "http://purl.org/dc/elements/1.1/"}


def manifest_definition(
    record: StageRecord, *, title: str, has_parent: bool, has_component: bool = False
) -> dict[str, Any]:
    """The Builder definition for the file a stage writes.

    >>> definition = manifest_definition(sketch_record, title="C012_sketch.png", has_parent=False)
    ... # doctest: +SKIP
    >>> definition["assertions"][0]["data"]["actions"][0]["action"]  # doctest: +SKIP
    'c2pa.created'
    """
    assertions: list[dict[str, Any]] = [
        {"label": "c2pa.actions.v2", "data": {"actions": _actions(record, has_parent, has_component)}},
        # The CAWG metadata spec defines this assertion as JSON-LD; c2pa embeds CBOR unless told otherwise.
        {"label": "cawg.metadata", "kind": "Json", "data": _people_metadata(record)},
        {"label": STAGE_ASSERTION, "data": record.model_dump(mode="json", exclude_none=True)},
    ]
    if not record.ai:
        assertions.append({"label": "cawg.training-mining", "data": DO_NOT_TRAIN})
    return {
        "claim_generator_info": [{"name": "provenance", "version": __version__}],
        "title": title,
        "format": "image/png",
        "assertions": assertions,
    }


def parent_ingredient(title: str) -> dict[str, Any]:
    return {"title": title, "relationship": "parentOf", "label": PARENT_INGREDIENT_ID}


def component_ingredient(title: str) -> dict[str, Any]:
    return {"title": title, "relationship": "componentOf", "label": COMPONENT_INGREDIENT_ID}


def source_type(record: StageRecord, has_parent: bool) -> str:
    if record.ai:
        # AI work brought in on top of an earlier picture mixes AI parts into it.
        external_edit = record.kind == "ai_external" and has_parent
        return COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA if external_edit else TRAINED_ALGORITHMIC_MEDIA
    return HUMAN_EDITS if has_parent else DIGITAL_CREATION


def _actions(record: StageRecord, has_parent: bool, has_component: bool) -> list[dict[str, Any]]:
    work: dict[str, Any] = {"digitalSourceType": source_type(record, has_parent)}
    if record.tool:
        work["softwareAgent"] = record.tool.model_dump(exclude_none=True)
    if settings := record.settings.model_dump(mode="json"):
        work["parameters"] = {SETTINGS_NAMESPACE + key: value for key, value in settings.items()}
    placed = (
        [{"action": "c2pa.placed", "parameters": {"ingredientIds": [COMPONENT_INGREDIENT_ID]}}] if has_component else []
    )
    if not has_parent:
        return [{"action": "c2pa.created", **work}, *placed]
    opened = {"action": "c2pa.opened", "parameters": {"ingredientIds": [PARENT_INGREDIENT_ID]}}
    return [opened, *placed, {"action": "c2pa.edited", **work}]


def _people_metadata(record: StageRecord) -> dict[str, Any]:
    names = [person.name for person in record.people]
    # Whoever ran an AI generation contributed to it; the AI output has no human creator.
    key = "dc:contributor" if record.ai else "dc:creator"
    metadata: dict[str, Any] = {"@context": _DUBLIN_CORE, key: names}
    if record.selection:
        metadata.setdefault("dc:contributor", []).extend(p.name for p in record.selection.people)
    return metadata
