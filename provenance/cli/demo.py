"""`provenance demo [DIR]`: the whole story on the embedded defaults."""

from __future__ import annotations

import shlex
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from ..demo import DemoStep, run_demo
from .app import candidate_progress
from .serve import INSTALL_WEB_EXTRA, missing_web_library


@click.command("demo")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="provenance-demo")
@click.option("--steps", type=click.IntRange(2, 200), default=20, show_default=True, help="Denoising steps.")
def demo_command(folder: Path, steps: int) -> None:
    """Play the short film's case, done right, in a new project at FOLDER: layout, 3 AI candidates, selection,
    paint-over, audit, credits. Uses the built-in tiny model; nothing is downloaded.

    \b
    Example:
      provenance demo /tmp/harbor-demo
    """
    # Progress bars go to stderr and show only at a terminal; a log or a pipe gets a line per candidate instead.
    bars_shown = sys.stderr.isatty() and sys.stdout.isatty()
    with ExitStack() as bars:

        def report(step: DemoStep) -> None:
            if step.seconds is None:
                click.echo(f"  {step.name:<9} {'...':>8}  {step.detail}")
            elif step.name == "candidate":
                if not bars_shown:
                    click.echo(f"  {'':<9} {step.seconds:6.2f} s  candidate {step.detail}")
            else:
                if step.name == "generate":
                    bars.close()  # the last candidate's bar ends its line before the stage's line prints
                click.echo(f"  {step.name:<9} {step.seconds:6.2f} s  {step.detail}")

        click.echo(f"Playing the demo in {folder.resolve()}")
        advance = bars.enter_context(candidate_progress(3, "  candidate"))
        result = run_demo(folder, on_step=report, on_progress=advance, steps=steps)
    click.echo("")
    click.echo(f"Final background:  {result.root / result.final.path}")
    click.echo(f"Audit ({result.audit.verdict}):  {result.audit_path}")
    click.echo(f"Credit sheet:      {result.credits_path}")
    click.echo("")
    click.echo(result.credits_path.read_text(encoding="utf-8"), nl=False)
    click.echo("")
    # Full paths: the hints run as printed from wherever the user stands, venv activated or not.
    command = [*provenance_command(sys.argv[0]), "--project", str(result.root)]
    click.echo("Next (each runs as printed, from any folder):")
    click.echo(f"  {shlex.join([*command, 'audit', str(result.root / result.final.path)])}")
    click.echo(f"  {shlex.join([*command, 'asset', 'list'])}")
    pdf = result.root / "harbor_credits.pdf"
    click.echo(f"  {shlex.join([*command, 'credits', 'harbor', '--format', 'pdf', '-o', str(pdf)])}")
    serve = f"{shlex.join([*command, 'serve'])}, then http://127.0.0.1:8000/"
    if missing_web_library():
        serve = f"{INSTALL_WEB_EXTRA}, then {serve}"
    click.echo(f"Open it in the browser: {serve}")


def provenance_command(argv0: str) -> list[str]:
    """The command that runs this same provenance from any folder: the script that is running, by its full path;
    ``python -m provenance`` with this interpreter otherwise (as when run through ``python -m`` or a test).

    >>> provenance_command("/home/ai/.venv/bin/provenance")  # doctest: +SKIP
    ['/home/ai/.venv/bin/provenance']
    """
    script = Path(argv0)
    if script.name in ("provenance", "provenance.exe") and script.is_file():
        return [str(script.resolve())]
    # Not resolved: a virtual environment's python is a link, and its target does not see the venv's packages.
    return [sys.executable, "-m", "provenance"]
