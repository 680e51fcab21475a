"""`provenance person|production|background add|list`."""

from __future__ import annotations

import click

from .. import catalog
from .app import AppContext, echo_json, echo_table, json_option, pass_app


@click.group("person")
def person_group() -> None:
    """People who work on backgrounds (named by handle everywhere else)."""


@person_group.command("add")
@click.argument("name")
@click.option("--handle", help="Short name used in commands (default: made from NAME).")
@click.option("--native", "native_name", help="Name in native script, family name first (e.g. 田中 愛子).")
@click.option("--family", "family_name", help="Family name, romanized.")
@click.option("--given", "given_name", help="Given name, romanized.")
@click.option("--org", "organization", help="Studio or company, shown in brackets in credits.")
@click.option("--uncredited", is_flag=True, help="The person asked not to be named in credits.")
@json_option
@pass_app
def person_add(
    app: AppContext,
    name: str,
    handle: str | None,
    native_name: str | None,
    family_name: str | None,
    given_name: str | None,
    organization: str | None,
    uncredited: bool,
    as_json: bool,
) -> None:
    """Add a person; NAME is the credited name as they write it (Japanese: family name first).

    \b
    Example:
      provenance person add "Tanaka Aiko" --native "田中 愛子" --org "Harbor Studio"
    """
    person = catalog.add_person(
        app.project,
        name,
        handle=handle,
        native_name=native_name,
        family_name=family_name,
        given_name=given_name,
        organization=organization,
        credited=not uncredited,
    )
    if as_json:
        echo_json({"id": person.id, "handle": person.handle, "name": person.name})
    else:
        click.echo(f"Added {person.name} as {person.handle}")


@person_group.command("list")
@json_option
@pass_app
def person_list(app: AppContext, as_json: bool) -> None:
    """List people."""
    people = catalog.list_people(app.project)
    if as_json:
        echo_json([person.model_dump() for person in people])
        return
    echo_table(
        ["handle", "name", "native", "credited"],
        [[p.handle, p.name, p.native_name, "yes" if p.consents_to_credit else "no"] for p in people],
    )


@click.group("production")
def production_group() -> None:
    """Films, episodes or series."""


@production_group.command("add")
@click.argument("title")
@click.option("--handle", help="Short name used in commands (default: made from TITLE).")
@click.option("--native-title", help="Title in native script (e.g. 港の灯り).")
@click.option("--studio", help="Producing studio.")
@json_option
@pass_app
def production_add(
    app: AppContext,
    title: str,
    handle: str | None,
    native_title: str | None,
    studio: str | None,
    as_json: bool,
) -> None:
    """Add a production.

    \b
    Example:
      provenance production add "Harbor Lights" --handle harbor --native-title 港の灯り
    """
    production = catalog.add_production(app.project, title, handle=handle, native_title=native_title, studio=studio)
    if as_json:
        echo_json({"id": production.id, "handle": production.handle, "title": production.title})
    else:
        click.echo(f"Added {production.title} as {production.handle}")


@production_group.command("list")
@json_option
@pass_app
def production_list(app: AppContext, as_json: bool) -> None:
    """List productions."""
    productions = catalog.list_productions(app.project)
    if as_json:
        echo_json([production.model_dump() for production in productions])
        return
    echo_table(
        ["handle", "title", "native title", "studio"],
        [[p.handle, p.title, p.native_title, p.studio] for p in productions],
    )


@click.group("background")
def background_group() -> None:
    """Backgrounds, one per cut, named PRODUCTION/CUT."""


@background_group.command("add")
@click.argument("production")
@click.argument("cut")
@click.option("--scene", help="Scene number.")
@click.option("--episode", help="Episode number.")
@json_option
@pass_app
def background_add(
    app: AppContext, production: str, cut: str, scene: str | None, episode: str | None, as_json: bool
) -> None:
    """Add the background of one cut.

    \b
    Example:
      provenance background add harbor C012 --scene S03
    """
    background = catalog.add_background(app.project, production, cut, scene=scene, episode=episode)
    name = f"{production}/{background.cut}"
    if as_json:
        echo_json({"id": background.id, "name": name})
    else:
        click.echo(f"Added background {name}")


@background_group.command("list")
@click.argument("production")
@json_option
@pass_app
def background_list(app: AppContext, production: str, as_json: bool) -> None:
    """List the backgrounds of a production."""
    backgrounds = catalog.list_backgrounds(app.project, production)
    if as_json:
        echo_json([{"id": b.id, "name": f"{production}/{b.cut}", "scene": b.scene} for b in backgrounds])
        return
    echo_table(
        ["background", "scene", "episode"],
        [[f"{production}/{b.cut}", b.scene, b.episode] for b in backgrounds],
    )
