"""`provenance audit FILE`: who made this background, how much is AI, and is it intact."""

from __future__ import annotations

from pathlib import Path

import click

from ..audit import EXIT_CODES, AuditReport, AuditStage, audit_file
from .app import AppContext, echo_table, json_option, pass_app

_VERDICT_TEXT = {
    "trusted": "signed by a trusted studio certificate, intact",
    "valid-untrusted": "intact, but signed by a certificate this project does not trust",
    "tampered": "the file or its manifest was changed after signing",
    "no-manifest": "no C2PA manifest: the file proves nothing about who made it",
}


@click.command(
    "audit",
    epilog="\b\nExit codes:\n"
    + "\n".join(f"  {code}  {name}" for name, code in EXIT_CODES.items())
    + "\n  1  the file could not be read (missing, not an image)",
)
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@pass_app
def audit_command(app: AppContext, file: Path, as_json: bool) -> None:
    """Verify FILE's signed chain and report every stage: kind, AI or human, people, tool or model.

    \b
    Examples:
      provenance audit assets/harbor/C012/C012_revise_1a2b3c4d.png
      provenance audit final.png --json | jq .verdict
    """
    report = audit_file(app.project, file)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        _echo_report(report)
    click.get_current_context().exit(report.exit_code)


def _echo_report(report: AuditReport) -> None:
    click.echo(f"File:       {report.file}")
    click.echo(f"Verdict:    {report.verdict.upper()}  ({_VERDICT_TEXT[report.verdict]})")
    if report.background:
        recorded = f" (asset #{report.asset_id})" if report.asset_id else ""
        click.echo(f"Background: {report.background}{recorded}")
    if report.stages:
        click.echo("")
        echo_table(
            ["#", "stage", "AI", "people", "tool / model"],
            [
                [index, stage.kind, "yes" if stage.ai else "no", _people(stage), _tool(stage)]
                for index, stage in enumerate(report.stages, start=1)
            ],
        )
        summary = report.summary
        click.echo("")
        click.echo(f"AI stages: {summary.ai_stages} of {summary.stages}; people: {', '.join(summary.people)}")
    for failure in report.failures:
        click.echo(f"Failure:  {failure}")
    for problem in report.problems:
        click.echo(f"Problem:  {problem}")


def _people(stage: AuditStage) -> str:
    return ", ".join(
        f"{p.name}{' ' + p.native_name if p.native_name else ''}{f' ({p.role})' if p.role else ''}"
        for p in stage.people
    )


def _tool(stage: AuditStage) -> str:
    if stage.model:
        settings = stage.settings
        test = " [test model]" if stage.test_model else ""
        steps = f"{settings.get('steps_run')}/{settings.get('steps')} steps"
        return f"{stage.model}{test} seed {settings.get('seed')}, {steps}, strength {settings.get('strength')}"
    if stage.kind == "select":
        return f"picked over {stage.settings.get('alternatives', 0)} other candidates"
    return stage.tool or ""
