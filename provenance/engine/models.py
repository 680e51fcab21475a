"""Resolving ``--model``: the embedded ``tiny`` model, a local diffusers folder, or a single-file checkpoint.

A single file carries weights only; the configuration that builds the pipeline around them comes from a
shipped skeleton (``sd15`` or ``sdxl``, picked by the file's architecture) or from ``--config``: a skeleton
name or a diffusers folder whose json files describe the file (a fine-tune with a custom UNet, or SD 2.x).
A config for the wrong architecture is refused before anything loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from .checkpoints import ARCHITECTURE_LABELS, checkpoint_architecture
from .skeletons import SKELETONS, skeleton_folder
from .tiny import TINY_NAME, TINY_VERSION, tiny_model_folder

_PIPELINE_PREFIXES = {"StableDiffusionXL": "sdxl", "StableDiffusion": "sd"}
# The skeleton each architecture gets when --config is not given.
_DEFAULT_SKELETONS = {architecture: name for name, architecture in SKELETONS.items()}


@dataclass(frozen=True)
class ModelSource:
    name: str
    path: Path
    architecture: str
    is_test_model: bool = False
    version: str | None = None
    # For a single file: the folder of json and tokenizer files that from_single_file builds it with.
    config: Path | None = None

    @property
    def single_file(self) -> bool:
        return self.config is not None


def resolve_model(reference: str, config: str | None = None) -> ModelSource:
    """``tiny``, a diffusers folder, or a ``.safetensors``/``.ckpt`` file (with an optional ``config``).

    >>> resolve_model("tiny").is_test_model  # doctest: +SKIP
    True
    """
    if reference == TINY_NAME:
        _refuse_config(config, "the built-in tiny model")
        return ModelSource(TINY_NAME, tiny_model_folder(), "sd", is_test_model=True, version=TINY_VERSION)
    path = Path(reference).expanduser()
    if not path.exists():
        raise ModelError(
            f"model {reference!r} not found: give `tiny`, a registered name, a diffusers folder or a checkpoint file"
        )
    if path.is_file():
        architecture = checkpoint_architecture(path)
        folder = _config_folder(path, architecture, config)
        return ModelSource(path.stem, path.resolve(), architecture, config=folder)
    _refuse_config(config, "a diffusers folder, which has its own")
    return ModelSource(path.resolve().name, path.resolve(), folder_architecture(path))


def stored_config(config: str | None) -> str | None:
    """A ``--config`` value as records keep it: a skeleton name as is, a folder as an absolute path."""
    if config is None or config in SKELETONS:
        return config
    return str(Path(config).expanduser().resolve())


def folder_architecture(folder: Path) -> str:
    """``sd`` or ``sdxl``, from the pipeline class a diffusers folder's ``model_index.json`` names."""
    index_file = folder / "model_index.json"
    try:
        index = json.loads(index_file.read_text())
    except FileNotFoundError as exc:
        raise ModelError(f"{folder} has no model_index.json; it is not a diffusers model folder") from exc
    except OSError as exc:
        raise ModelError(f"{index_file} cannot be read ({exc.strerror}); the model folder is damaged") from exc
    except ValueError as exc:
        raise ModelError(f"{index_file} is not valid JSON; the model folder is damaged") from exc
    if not isinstance(index, dict):
        raise ModelError(f"{index_file} is not a JSON object naming a pipeline; the model folder is damaged")
    pipeline_class = str(index.get("_class_name", ""))
    for prefix, architecture in _PIPELINE_PREFIXES.items():
        if pipeline_class.startswith(prefix):
            return architecture
    raise ModelError(f"pipeline {pipeline_class or '(none)'} is not Stable Diffusion or SDXL img2img-capable")


def _config_folder(checkpoint: Path, architecture: str, config: str | None) -> Path:
    if config is None:
        if architecture not in _DEFAULT_SKELETONS:
            raise ModelError(
                f"{checkpoint.name} holds {ARCHITECTURE_LABELS[architecture]} weights, for which no config ships; "
                "give {option:config} with a diffusers folder of that model's json files"
            )
        return skeleton_folder(_DEFAULT_SKELETONS[architecture])
    if config in SKELETONS:
        folder, config_architecture = None, SKELETONS[config]
    else:
        folder = Path(config).expanduser()
        if not folder.is_dir():
            raise ModelError(f"config {config!r} not found: give sd15, sdxl or a diffusers config folder")
        config_architecture = folder_architecture(folder)
    # An SD 2.x file builds with a Stable Diffusion pipeline config, as SD 1.x does.
    if config_architecture != ("sd" if architecture == "sd2" else architecture):
        raise ModelError(
            f"{checkpoint.name} holds {ARCHITECTURE_LABELS[architecture]} weights but config {config!r} is for "
            f"{ARCHITECTURE_LABELS[config_architecture]}; leave {{option:config}} out to use the right one"
        )
    return folder.resolve() if folder else skeleton_folder(config)


def _refuse_config(config: str | None, what: str) -> None:
    if config is not None:
        raise ModelError(f"{{option:config}} is for single-file checkpoints; it does not apply to {what}")
