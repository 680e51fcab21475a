"""`provenance person|production|background add|list`."""

from __future__ import annotations

import click

from .. import catalog
from ..plain_text import printable
from .app import AppContext, echo_json, echo_table, json_option, pass_app


@click.group("person")
def person_group() -> None:
    """People who work on backgrounds (named by handle everywhere else)."""


@person_group.command("add")
@click.argument("name", required=False)
@click.option("--handle", help="Short name used in commands (default: made from the name).")
@click.option("--native", "native_name", help="Name in native script, family name first (e.g. 田中 愛子).")
@click.option("--kana", help="Reading in kana; without NAME, the credited name is its Hepburn romanization.")
@click.option("--family", "family_name", help="Family name, romanized (with --given, instead of NAME).")
@click.option("--given", "given_name", help="Given name, romanized.")
@click.option("--pseudonym", help="Pen name to credit instead of the name.")
@click.option("--native-pseudonym", help="Pen name in native script.")
@click.option("--org", "organization", help="Studio or company, shown in brackets in credits.")
@click.option("--org-native", "organization_native", help="The company's name in native script.")
@click.option("--uncredited", is_flag=True, help="The person asked not to be named in credits.")
@json_option
@pass_app
def person_add(
    app: AppContext,
    name: str | None,
    handle: str | None,
    native_name: str | None,
    kana: str | None,
    family_name: str | None,
    given_name: str | None,
    pseudonym: str | None,
    native_pseudonym: str | None,
    organization: str | None,
    organization_native: str | None,
    uncredited: bool,
    as_json: bool,
) -> None:
    """Add a person; NAME is the credited name as they spell it (Japanese names: family name first).

    \b
    Examples:
      provenance person add "Tanaka Aiko" --native "田中 愛子" --org "Harbor Studio"
      provenance person add --kana "おおの しょうた" --native "大野 翔太"     # credited as Ono Shota
      provenance person add "Mori Sakura" --uncredited                     # counted, not named
    """
    person = catalog.add_person(
        app.project,
        name,
        handle=handle,
        native_name=native_name,
        kana=kana,
        family_name=family_name,
        given_name=given_name,
        pseudonym=pseudonym,
        native_pseudonym=native_pseudonym,
        organization=organization,
        organization_native=organization_native,
        credited=not uncredited,
    )
    if as_json:
        echo_json({"id": person.id, "handle": person.handle, "name": person.name})
    else:
        click.echo(f"Added {person.name} as {person.handle}")


@person_group.command("set")
@click.argument("handle")
@click.option("--name", help="Credited name as they spell it.")
@click.option("--native", "native_name", help="Name in native script ('' clears it).")
@click.option("--pseudonym", help="Pen name to credit instead ('' clears it).")
@click.option("--native-pseudonym", help="Pen name in native script ('' clears it).")
@click.option("--org", "organization", help="Studio or company ('' clears it).")
@click.option("--org-native", "organization_native", help="The company's name in native script.")
@click.option("--credited/--uncredited", default=None, help="Whether they agree to be named in credits.")
@pass_app
def person_set(
    app: AppContext,
    handle: str,
    name: str | None,
    native_name: str | None,
    pseudonym: str | None,
    native_pseudonym: str | None,
    organization: str | None,
    organization_native: str | None,
    credited: bool | None,
) -> None:
    """Change how a person is credited; options left out stay as they are.

    \b
    Examples:
      provenance person set suzuki-ren --uncredited
      provenance person set kimura-yu --pseudonym "KIMU" --native-pseudonym "キム"
    """
    changes = {
        key: value
        for key, value in {
            "native_name": native_name,
            "pseudonym": pseudonym,
            "native_pseudonym": native_pseudonym,
            "organization": organization,
        }.items()
        if value is not None
    }
    person = catalog.update_person(
        app.project, handle, name=name, organization_native=organization_native, credited=credited, **changes
    )
    status = "credited" if person.consents_to_credit else "uncredited at their request"
    # The name may predate the checks on what is typed: show it as printable() does everywhere else.
    click.echo(f"Updated {person.handle}: {printable(person.pseudonym or person.name)}, {status}")


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
