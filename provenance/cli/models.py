"""`provenance model add|list`: registered local models."""

from __future__ import annotations

from pathlib import Path

import click

from ..model_registry import add_model, list_models
from .app import AppContext, config_option, echo_json, echo_table, json_option, pass_app


@click.group("model")
def model_group() -> None:
    """Local models, by name: `--model NAME` in `generate` then finds them."""


@model_group.command("add")
@click.argument("name")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--license", "license_text", help="License of the weights, shown in the AI disclosure.")
@click.option("--notes", help="Anything else: training data statement, source, version.")
@config_option
@pass_app
def model_add(
    app: AppContext, name: str, path: Path, license_text: str | None, notes: str | None, config: str | None
) -> None:
    """Register the model at PATH as NAME; its weights are fingerprinted now.

    PATH is a diffusers folder or a single .safetensors/.ckpt checkpoint (SD 1.x or SDXL; the
    architecture is read from the file).

    \b
    Examples:
      provenance model add house-v2 /models/house-v2 --license "CreativeML OpenRAIL-M"
      provenance model add juggernaut /models/juggernautXL_v9.safetensors --license "CreativeML OpenRAIL++-M"
    """
    model = add_model(app.project, name, path, license=license_text, notes=notes, config=config)
    files = len(model.weight_sha256)
    click.echo(
        f"Registered {model.name}: {model.path} ({model.architecture}, {files} weight file{'s' * (files != 1)}, "
        f"hash {model.short_hash})"
    )


@model_group.command("list")
@json_option
@pass_app
def model_list(app: AppContext, as_json: bool) -> None:
    """List the models registered or used in this project."""
    models = list_models(app.project)
    if as_json:
        echo_json([m.model_dump() for m in models])
        return
    echo_table(
        ["name", "hash", "architecture", "test", "license", "path"],
        [[m.name, m.short_hash, m.architecture, "yes" if m.is_test_model else "", m.license, m.path] for m in models],
    )
