"""Resolving ``--model``: the embedded ``tiny`` model or a local diffusers folder. Needs no torch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from .tiny import TINY_NAME, TINY_VERSION, tiny_model_folder

_ARCHITECTURES = {"StableDiffusionXL": "sdxl", "StableDiffusion": "sd"}


@dataclass(frozen=True)
class ModelSource:
    name: str
    path: Path
    architecture: str
    is_test_model: bool = False
    version: str | None = None


def resolve_model(reference: str) -> ModelSource:
    """``tiny`` or the path of a diffusers model folder.

    >>> resolve_model("tiny").is_test_model  # doctest: +SKIP
    True
    """
    if reference == TINY_NAME:
        return ModelSource(TINY_NAME, tiny_model_folder(), "sd", is_test_model=True, version=TINY_VERSION)
    path = Path(reference).expanduser()
    if not path.exists():
        raise ModelError(f"model {reference!r} not found: give `tiny` or the path of a local diffusers model folder")
    if path.is_file():
        raise ModelError(f"{path} is a single file; give a diffusers model folder (with model_index.json) instead")
    index_file = path / "model_index.json"
    try:
        index = json.loads(index_file.read_text())
    except FileNotFoundError:
        raise ModelError(f"{path} has no model_index.json; it is not a diffusers model folder") from None
    except ValueError:
        raise ModelError(f"{index_file} is not valid JSON; the model folder is damaged") from None
    return ModelSource(path.resolve().name, path.resolve(), _architecture(str(index.get("_class_name", ""))))


def _architecture(pipeline_class: str) -> str:
    for prefix, architecture in _ARCHITECTURES.items():
        if pipeline_class.startswith(prefix):
            return architecture
    raise ModelError(f"pipeline {pipeline_class or '(none)'} is not Stable Diffusion or SDXL img2img-capable")
