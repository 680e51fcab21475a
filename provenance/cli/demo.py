"""`provenance demo [DIR]`: the whole story on the embedded defaults."""

from __future__ import annotations

from pathlib import Path

import click

from ..demo import DemoStep, run_demo
from .app import candidate_progress


@click.command("demo")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="provenance-demo")
@click.option("--steps", type=click.IntRange(1, 200), default=20, show_default=True, help="Denoising steps.")
def demo_command(folder: Path, steps: int) -> None:
    """Play the short film's case, done right, in a new project at FOLDER: layout, 3 AI candidates, selection,
    paint-over, audit, credits. Uses the built-in tiny model; nothing is downloaded.

    \b
    Example:
      provenance demo /tmp/harbor-demo
    """

    def report(step: DemoStep) -> None:
        click.echo(f"  {step.name:<9} {step.seconds:6.2f} s  {step.detail}")

    click.echo(f"Playing the demo in {folder.resolve()}")
    with candidate_progress(3, "  candidate") as advance:
        result = run_demo(folder, on_step=report, on_progress=advance, steps=steps)
    click.echo("")
    click.echo(f"Final background:  {result.root / result.final.path}")
    click.echo(f"Audit ({result.audit.verdict}):  {result.audit_path}")
    click.echo(f"Credit sheet:      {result.credits_path}")
    click.echo("")
    click.echo(result.credits_path.read_text(encoding="utf-8"), nl=False)
    click.echo("")
    click.echo(f"Next: cd {folder} && provenance audit {result.final.path}")
    click.echo(f"Open it in the browser: provenance serve --project {folder}, then http://127.0.0.1:8000/")
