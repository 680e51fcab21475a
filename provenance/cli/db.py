"""`provenance db`: the schema version of the project's database, and upgrading it."""

from __future__ import annotations

from pathlib import Path

import click

from ..project import Project
from ..store.schema import status, upgrade
from .app import AppContext, echo_json, json_option, pass_app


@click.group("db")
def db_group() -> None:
    """The database's schema: its version, and upgrading it to this release's."""


def _project(app: AppContext) -> Project:
    # Opened whatever its version: these are the commands that read and change it.
    return Project.find(app.project_dir or Path.cwd(), db_url=app.db_url, any_version=True)


@db_group.command("status")
@json_option
@pass_app
def db_status(app: AppContext, as_json: bool) -> None:
    """Show the database's schema version beside this release's; exit 0 when up to date, 1 when not.

    \b
    Example:
      provenance db status
    """
    project = _project(app)
    try:
        found = status(project.store)
        shown = project.store.shown_url
    finally:
        project.close()
    if as_json:
        echo_json({"database": shown, "version": found.version, "revision": found.revision,
                   "current": found.current, "head": found.head, "up_to_date": found.up_to_date})  # fmt: skip
    elif found.up_to_date:
        click.echo(f"{shown}: schema version {found.version} (revision {found.revision}), up to date")
    elif found.version > found.current:
        click.echo(f"{shown}: schema version {found.version}, newer than this provenance's {found.current}")
    else:
        click.echo(
            f"{shown}: schema version {found.version}, this provenance uses {found.current}; "
            "run `provenance db upgrade` (back the database up first)"
        )
    if not found.up_to_date:
        raise click.exceptions.Exit(1)


@db_group.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Upgrade the database to this release's schema, in one transaction; run twice, it does nothing.

    Back the database up first, and stop every workstation's commands while it runs.

    \b
    Example:
      provenance db upgrade
    """
    project = _project(app)
    try:
        before, after = upgrade(project.store)
        project.record_own_signer()
        shown = project.store.shown_url
    finally:
        project.close()
    if before == after:
        click.echo(f"{shown}: already at schema version {after.version}; nothing to do")
    else:
        click.echo(f"{shown}: upgraded from schema version {before.version} to {after.version}")
