"""`provenance lineage ASSET|FILE`: the recorded stages behind an asset, as a tree."""

from __future__ import annotations

import click

from ..credits import LineageNode, asset_lineage, lineage_prov
from .app import AppContext, echo_json, json_option, pass_app


@click.command("lineage")
@click.argument("asset")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["tree", "json", "prov-json"]),
    default="tree",
    show_default=True,
    help="A readable tree, our JSON (schemas/lineage.v1.json), or W3C PROV-JSON.",
)
@json_option
@pass_app
def lineage_command(app: AppContext, asset: str, output_format: str, as_json: bool) -> None:
    """Show the stages and inputs behind ASSET (an id or a recorded file), newest first.

    \b
    Examples:
      provenance lineage 5
      provenance lineage assets/harbor/C012/C012_revise_*.png --json
      provenance lineage 5 --format prov-json > C012.prov.json
    """
    if output_format == "prov-json":
        echo_json(lineage_prov(app.project, asset))
        return
    lineage = asset_lineage(app.project, asset)
    if as_json or output_format == "json":
        click.echo(lineage.model_dump_json(indent=2))
    else:
        _echo_tree(lineage.asset, prefix="", last=True, root=True)


def _echo_tree(node: LineageNode, *, prefix: str, last: bool, root: bool = False) -> None:
    branch = "" if root else ("└─ " if last else "├─ ")
    detail = node.model if node.model else (node.tool or "")
    if node.seed is not None:
        detail += f", seed {node.seed}"
    who = ", ".join(node.people)
    click.echo(f"{prefix}{branch}#{node.asset_id} {node.kind:<11} {who}  [{detail}]  {node.path}".rstrip())
    child_prefix = prefix + ("" if root else ("   " if last else "│  "))
    for decision in node.decisions:
        click.echo(f"{child_prefix}   ✓ {decision.kind} by {', '.join(decision.people)}")
    for index, parent in enumerate(node.inputs):
        _echo_tree(parent, prefix=child_prefix, last=index == len(node.inputs) - 1)
