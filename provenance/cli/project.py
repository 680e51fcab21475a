"""`provenance init` and `provenance trust`."""

from __future__ import annotations

from pathlib import Path

import click

from ..keys import CA_CERT
from ..project import Project
from .app import AppContext, pass_app


@click.command("init")
@click.option("--db", "db_url", help="SQLAlchemy URL to keep the records in (default: SQLite in the project).")
@click.option("--studio", help="Studio name for the signing certificate (default: the folder's name).")
@pass_app
def init_command(app: AppContext, db_url: str | None, studio: str | None) -> None:
    """Set up a project in the current folder (or --project): database and studio keys.

    \b
    Examples:
      provenance init --studio "Harbor Studio"
      provenance init --db postgresql://localhost/provenance
    """
    project = Project.init(app.project_dir or Path.cwd(), db_url=db_url or app.db_url, studio=studio)
    project.close()
    click.echo(f"Initialised a provenance project in {project.root}")
    click.echo(f"Studio CA (share with partners): {project.keys_folder / CA_CERT}")


@click.group("trust")
def trust_group() -> None:
    """The studio's trust anchor, for partners who validate our files."""


@trust_group.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@pass_app
def trust_export(app: AppContext, output: Path | None) -> None:
    """Print the studio CA certificate (PEM), which partners add as a trust anchor.

    \b
    Example:
      provenance trust export -o harbor-studio-ca.pem
    """
    pem = app.project.signing_identity.trust_anchors_pem
    if output:
        output.write_text(pem)
        click.echo(f"Wrote the studio CA certificate to {output}", err=True)
    else:
        click.echo(pem, nl=False)
