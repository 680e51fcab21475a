"""The ``provenance`` command line: thin commands over the library, one error boundary at the root.

Every command parses its flags, makes one library call and renders the result. Library errors
(:class:`~provenance.errors.ProvenanceError`) become one line on stderr and the error's exit code; a
mistyped command line is one line with exit 2, Ctrl-C one line with exit 130; any other exception is a
bug and prints one line too, with the traceback only under ``--debug``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from .. import __version__
from ..errors import ProvenanceError
from ..plain_text import printable
from .app import AppContext
from .audit import audit_command
from .catalog import background_group, person_group, production_group
from .check import check_command
from .credits import credits_group
from .demo import demo_command
from .lineage import lineage_command
from .models import model_group
from .project import init_command, trust_group
from .replay import replay_command
from .stages import generate_command, revise_command, select_command, sketch_command

INTERNAL_ERROR = 70
INTERRUPTED = 130
SIGPIPE_EXIT = 141


class _ProvenanceGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
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
            click.echo(f"Error: {printable(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
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
            ctx.exit(SIGPIPE_EXIT)
        except Exception as exc:
            if debug:
                raise
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {printable(str(exc).splitlines()[0]) if str(exc) else ''} "
                "(run again with --debug for the traceback, and please report it)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)


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
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(__version__, prog_name="provenance")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None, db_url: str | None, debug: bool) -> None:
    """Credits and provenance for AI-assisted background art.

    Record who drew, generated, selected and painted over each background; sign every file with a C2PA
    manifest; audit any file back to its people; export credit sheets that name them.

    \b
    Start here:
      provenance demo                       # the whole story in ./provenance-demo
      provenance init                       # a project in the current folder
      provenance audit FINAL.png            # who made this, and is it intact?
    """
    ctx.obj = AppContext(project_dir=project_dir, db_url=db_url, debug=debug)
    ctx.call_on_close(ctx.obj.close)


for command in (
    init_command,
    trust_group,
    person_group,
    production_group,
    background_group,
    model_group,
    sketch_command,
    generate_command,
    select_command,
    revise_command,
    replay_command,
    audit_command,
    lineage_command,
    check_command,
    credits_group,
    demo_command,
):
    main.add_command(command)


def run() -> None:
    """Entry point for ``python -m provenance``."""
    main(prog_name="provenance")
