"""The ``provenance`` command line: thin commands over the library, one error boundary at the root.

Every command parses its flags, makes one library call and renders the result. Library errors
(:class:`~provenance.errors.ProvenanceError`) become one line on stderr and the error's exit code; a
mistyped command line is one line with exit 2, Ctrl-C one line with exit 130; any other exception is a
bug and prints one line too, with the traceback only under ``--debug``.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from .._version import __version__
from ..errors import ProvenanceError
from ..plain_text import printable
from .app import AppContext
from .exit_codes import INTERNAL_ERROR, INTERRUPTED, SIGPIPE, error_code

# Each command and the module that defines it, imported only when that command runs (or --help lists
# it), so `provenance --help` does not pay for SQLAlchemy, c2pa or numpy. In the order --help shows them.
# The first sentence of each command's help is kept here too, so listing the commands imports none of
# them (a test checks each against the command's own help).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "provenance.cli.project:init_command",
        "Set up a project in the current folder (or --project): database and studio keys.",
    ),
    "person": (
        "provenance.cli.catalog:person_group",
        "People who work on backgrounds (named by handle everywhere else).",
    ),
    "production": (
        "provenance.cli.catalog:production_group",
        "Films, episodes or series.",
    ),
    "background": (
        "provenance.cli.catalog:background_group",
        "Backgrounds, one per cut, named PRODUCTION/CUT.",
    ),
    "model": (
        "provenance.cli.models:model_group",
        "Local models, by name: `--model NAME` in `generate` then finds them.",
    ),
    "sketch": (
        "provenance.cli.record:sketch_command",
        "Record a hand-drawn layout sketch FILE for BACKGROUND (PRODUCTION/CUT).",
    ),
    "generate": (
        "provenance.cli.generate:generate_command",
        "Make AI candidates from ASSET (id or file) with img2img, each signed and recorded.",
    ),
    "select": (
        "provenance.cli.record:select_command",
        "Record that a person picked AI candidate ASSET (id or file) to go on.",
    ),
    "revise": (
        "provenance.cli.record:revise_command",
        "Record FILE, a person's paint-over of ASSET (id or file), as a signed PNG.",
    ),
    "replay": (
        "provenance.cli.replay:replay_command",
        "Regenerate AI candidate ASSET (id or file) from its record: same weights, input, seed and settings.",
    ),
    "audit": (
        "provenance.cli.audit:audit_command",
        "Verify FILE's signed chain and report every stage: kind, AI or human, people, tool or model, and the "
        "share of the final picture each stage made.",
    ),
    "asset": (
        "provenance.cli.asset:asset_group",
        "Recorded assets (the image files of every stage), by the id other commands take.",
    ),
    "lineage": (
        "provenance.cli.lineage:lineage_command",
        "Show the stages and inputs behind ASSET (an id or a recorded file), newest first.",
    ),
    "check": (
        "provenance.cli.check:check_command",
        "Check that the project's files and rows agree, after a crash or a power cut.",
    ),
    "credits": (
        "provenance.cli.credits:credits_group",
        "Credit sheets: every human named by role, AI use disclosed apart.",
    ),
    "trust": (
        "provenance.cli.project:trust_group",
        "Trust anchors: export ours for partners, add theirs to validate their files.",
    ),
    "db": (
        "provenance.cli.db:db_group",
        "The database's schema: its version, and upgrading it to this release's.",
    ),
    "keys": (
        "provenance.cli.keys:keys_group",
        "Signing identities: one per workstation, issued under the studio CA, revocable.",
    ),
    "serve": (
        "provenance.cli.serve:serve_command",
        "Open the project in the browser: productions, backgrounds, audits, the credit roll, and /verify for any "
        "image.",
    ),
    "demo": (
        "provenance.cli.demo:demo_command",
        "Play the short film's case, done right, in a new project at FOLDER: layout, 3 AI candidates, "
        "selection, paint-over, audit, credits.",
    ),
}
# Options of the root command that people also type after the subcommand (`provenance audit X --project P`).
GLOBAL_OPTIONS = {"--project": True, "--db": True, "--identity": True, "--debug": False}  # name -> takes a value
# Library messages name parameters ({option:NAME}); these are the flags for the ones not spelled alike.
_FLAGS = {"loras": "--lora", "family_name": "--family", "given_name": "--given"}


def flag_for(parameter: str) -> str:
    """The command-line flag for a library parameter named in an error message."""
    return _FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


class _ProvenanceGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name][0].split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
            rows = [(name, _shortened(text, limit)) for name, (_, text) in COMMANDS.items()]
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, hoist_global_options(args))
        except click.UsageError as exc:
            _refuse_usage(exc)

    def invoke(self, ctx: click.Context) -> object:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except ProvenanceError as exc:
            if debug:
                raise
            # A message may quote what a user or a file gave (a path, a name): keep it one harmless line.
            click.echo(f"Error: {printable(exc.render(flag_for))}", err=True)
            ctx.exit(error_code(exc))
        except click.UsageError as exc:
            _refuse_usage(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            if debug:
                raise
            # Ctrl-C outside a generation: stages roll back their rows and files on the way out. Said in one line
            # with the shell's code for SIGINT, where click would print a blank line, "Aborted!" and exit 1.
            click.echo("Error: interrupted before the command finished; run it again to finish it", err=True)
            ctx.exit(INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`provenance audit F | head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(SIGPIPE)
        except Exception as exc:
            if debug:
                raise
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {printable(str(exc).splitlines()[0]) if str(exc) else ''} "
                "(run again with --debug for the traceback, and please report it)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)


def _shortened(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to fit ``limit`` characters, as click shortens help in listings."""
    if len(text) <= limit:
        return text
    return text[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def hoist_global_options(args: list[str]) -> list[str]:
    """Move the root's options from after the subcommand to before it, where click looks for them.

    >>> hoist_global_options(["audit", "final.png", "--project", "studio", "--json"])
    ['--project', 'studio', 'audit', 'final.png', '--json']
    """
    hoisted: list[str] = []
    rest: list[str] = []
    index = 0
    seen_command = False
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        name = arg.split("=", 1)[0]
        if seen_command and name in GLOBAL_OPTIONS:
            takes_value = GLOBAL_OPTIONS[name] and "=" not in arg
            hoisted += args[index : index + (2 if takes_value else 1)]
            index += 2 if takes_value else 1
            continue
        if not seen_command and not arg.startswith("-"):
            seen_command = True
        elif not seen_command and GLOBAL_OPTIONS.get(name) and "=" not in arg:
            rest += args[index : index + 2]  # a root option before the subcommand, with its value
            index += 2
            continue
        rest.append(arg)
        index += 1
    return hoisted + rest


def _refuse_usage(exc: click.UsageError) -> NoReturn:
    """A mistyped command line in one line, like every other error, instead of click's usage block."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError) or exc.ctx is None:
        raise exc  # the help text itself, or an error with no command to point at
    click.echo(f"Error: {printable(exc.format_message())} (see `{exc.ctx.command_path} --help`)", err=True)
    raise click.exceptions.Exit(exc.exit_code) from None


@click.group(cls=_ProvenanceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PROVENANCE_PROJECT",
    help="Project folder (default: the current folder or the nearest parent with a project).",
)
@click.option("--db", "db_url", envvar="PROVENANCE_DB", help="SQLAlchemy URL of the database to use instead.")
@click.option(
    "--identity",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PROVENANCE_IDENTITY",
    help="This workstation's signing identity folder (from `keys issue`; default: the project's own key).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(__version__, prog_name="provenance")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None, db_url: str | None, identity: Path | None, debug: bool) -> None:
    """Credits and provenance for AI-assisted background art.

    Record who drew, generated, selected and painted over each background; sign every file with a C2PA
    manifest; audit any file back to its people; export credit sheets that name them.

    \b
    Start here:
      provenance demo                       # the whole story in ./provenance-demo
      provenance init                       # a project in the current folder
      provenance audit FINAL.png            # who made this, and is it intact?
    """
    _open_closed_streams()
    ctx.obj = AppContext(project_dir=project_dir, db_url=db_url, debug=debug, identity=identity)
    ctx.call_on_close(ctx.obj.close)


def _open_closed_streams() -> None:
    """Started with stdout or stderr closed (``2>&-``), Python sets that stream to None, on which every progress
    bar's ``isatty()`` fails (exit 70): such a stream writes to the null device instead, as it would have."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # open until the end


def run() -> None:
    """Entry point for ``python -m provenance``."""
    main(prog_name="provenance")
