"""`provenance init` and `provenance trust`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from ..keys import CA_CERT, load_studio_ca_pem
from ..project import Project
from ..trust import add_anchor, damaged_anchors, list_anchors, remove_anchor
from .app import AppContext, echo_json, echo_table, json_option, pass_app, write_output


@click.command("init")
@click.option("--db", "db_url", help="SQLAlchemy URL to keep the records in (default: SQLite in the project).")
@click.option("--studio", help="Studio name for the signing certificate (default: the folder's name).")
@click.option(
    "--ca-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="For a studio: write the CA's private key here, off the shared folder, and make no shared signing key "
    "(each workstation gets one from `keys issue`).",
)
@pass_app
def init_command(app: AppContext, db_url: str | None, studio: str | None, ca_key: Path | None) -> None:
    """Set up a project in the current folder (or --project): database and studio keys.

    \b
    Examples:
      provenance init --studio "Harbor Studio"
      provenance init --studio "Harbor Studio" --db postgresql+psycopg://provenance@db.studio.lan/harbor \\
          --ca-key ~/studio-ca/studio-ca.key        # a studio's shared project
    """
    project = Project.init(app.project_dir or Path.cwd(), db_url=db_url or app.db_url, studio=studio, ca_key=ca_key)
    project.close()
    click.echo(f"Initialised a provenance project in {project.root}")
    click.echo(f"Studio CA (share with partners): {project.keys_folder / CA_CERT}")
    if ca_key is not None:
        click.echo(f"Studio CA private key (keep it here, 0600): {ca_key.expanduser().resolve()}")
        click.echo("Give each workstation its signing identity: provenance keys issue NAME --ca-key ...")


@click.group("trust")
def trust_group() -> None:
    """Trust anchors: export ours for partners, add theirs to validate their files."""


@trust_group.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@pass_app
def trust_export(app: AppContext, output: Path | None) -> None:
    """Print the studio CA certificate (PEM), which partners add as a trust anchor.

    \b
    Example:
      provenance trust export -o harbor-studio-ca.pem
    """
    # Only our own CA: the partners' anchors are theirs to share, not ours.
    pem = load_studio_ca_pem(app.project.keys_folder)
    if output:
        write_output(output, pem.encode())
        click.echo(f"Wrote the studio CA certificate to {output}", err=True)
    else:
        click.echo(pem, nl=False)


@trust_group.command("add")
@click.argument("pem_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="Name for the anchor: letters, digits, '-', '_', '.' (default: from the file name).")
@pass_app
def trust_add(app: AppContext, pem_file: Path, name: str | None) -> None:
    """Trust a partner studio's CA certificate, or every CA of a PEM bundle, so their signed files audit as trusted.

    \b
    Example:
      provenance trust add kumo-ca.pem --name studio-kumo
    """
    for anchor in add_anchor(app.project, pem_file, name=name):
        click.echo(
            f"Trusting {anchor.subject} as {anchor.name} (sha256 {anchor.sha256[:16]}…, until {anchor.not_after})"
        )


@trust_group.command("list")
@json_option
@pass_app
def trust_list(app: AppContext, as_json: bool) -> None:
    """List partner anchors, one row per certificate (the studio's own CA is always trusted)."""
    anchors = list_anchors(app.project)
    for damaged in damaged_anchors(app.project):
        click.echo(
            f"Warning: {damaged.path}: {damaged.problem}; `provenance trust remove {damaged.name}` drops it", err=True
        )
    if as_json:
        echo_json([dataclasses.asdict(anchor) for anchor in anchors])
    else:
        echo_table(
            ["name", "subject", "valid until", "sha256"],
            [[a.name, a.subject, a.not_after, a.sha256[:16]] for a in anchors],
        )


@trust_group.command("remove")
@click.argument("name")
@pass_app
def trust_remove(app: AppContext, name: str) -> None:
    """Stop trusting a partner anchor (every certificate added under NAME)."""
    remove_anchor(app.project, name)
    click.echo(f"Removed the trust anchor {name}")
