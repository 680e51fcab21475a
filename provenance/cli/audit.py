"""`provenance audit FILE`: who made this background, how much is AI, and is it intact."""

from __future__ import annotations

from pathlib import Path

import click

from ..audit import AuditReport, AuditStage, audit_file
from ..imaging import load_image
from ..plain_text import printable
from .app import AppContext, echo_table, image_bytes, json_option, pass_app, write_output
from .exit_codes import audit_code, verdict_epilog


@click.command("audit", epilog=verdict_epilog())
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@click.option("--heatmap", type=click.Path(dir_okay=False, path_type=Path), help="Draw who made which pixels (PNG).")
@click.option("--sheet", type=click.Path(dir_okay=False, path_type=Path), help="Draw the stages side by side (PNG).")
@click.option("--strict", is_flag=True, help="Also fail (exit 9) on notes that limit a trusted verdict.")
@click.option("--deep", is_flag=True, help="Re-hash every recorded file, not only those whose size or time changed.")
@pass_app
def audit_command(
    app: AppContext,
    file: Path,
    as_json: bool,
    heatmap: Path | None,
    sheet: Path | None,
    strict: bool,
    deep: bool,
) -> None:
    """Verify FILE's signed chain and report every stage: kind, AI or human, people, tool or model, and the
    share of the final picture each stage made. A file without a manifest is matched to the records by its
    pixels, or recognised by another generator's metadata.

    \b
    Examples:
      provenance audit assets/harbor/C012/C012_revise_1a2b3c4d.png
      provenance audit posted.jpg --sheet process.png --heatmap who.png
      provenance audit final.png --json --strict | jq .verdict
    """
    report = audit_file(app.project, file, deep=deep, thumbnails=sheet is not None)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        _echo_report(report)
    if heatmap or sheet:
        from ..audit.visuals import render_heatmap, render_process_sheet, stage_thumbnails

        if sheet:
            write_output(sheet, image_bytes(render_process_sheet(report, stage_thumbnails(app.project, report)), sheet))
            click.echo(f"Wrote the process sheet to {sheet}", err=True)
        if heatmap:
            write_output(heatmap, image_bytes(render_heatmap(report, load_image(file)), heatmap))
            click.echo(f"Wrote the heatmap to {heatmap}", err=True)
    click.get_current_context().exit(audit_code(report, strict=strict))


def _echo_report(report: AuditReport) -> None:
    # Most of a report is what a file says about itself: a foreign manifest's names and claim generator,
    # another front end's prompt and model, c2pa's explanations. Every line is shown through printable(),
    # so none of it can drive the terminal (echo_table does the same for the stage table).
    _say(f"File:       {report.file}")
    _say(f"Verdict:    {report.verdict.upper()}")
    _say(f"            {report.statement}")
    if report.background:
        recorded = f" (asset #{report.asset_id})" if report.asset_id else ""
        _say(f"Background: {report.background}{recorded}")
    if report.foreign:
        settings = ", ".join(f"{key}: {value}" for key, value in report.foreign.parameters.items() if key != "prompt")
        _say(f"Generator:  {report.foreign.generator}  {printable(settings)[:200]}")
    if report.stages:
        click.echo("")
        echo_table(
            ["#", "stage", "AI", "share", "people", "tool / model", "signed by"],
            [
                [index, stage.kind, _ORIGIN_SHOWN[stage.origin], _share(stage), _people(stage), _tool(stage),
                 stage.signer]  # fmt: skip
                for index, stage in enumerate(report.stages, start=1)
            ],
        )
    if report.shares:
        people = ", ".join(f"{p.name} {p.share:.0%}" for p in report.shares.people)
        click.echo("")
        undeclared = f", undeclared {report.shares.undeclared:.0%}" if report.shares.undeclared else ""
        _say(f"Human {report.shares.human:.0%}, AI {report.shares.ai:.0%}{undeclared}; by person: {people}")
    for failure in report.failures:
        _say(f"Failure:  {failure}")
    for problem in report.problems:
        _say(f"Problem:  {problem}")
    for note in report.notes:
        _say(f"Note:     {note}")


def _say(line: str) -> None:
    click.echo(printable(line))


_ORIGIN_SHOWN = {"ai": "yes", "human": "no", "undeclared": "undeclared"}


def _share(stage: AuditStage) -> str:
    return "?" if stage.share is None else f"{stage.share:.0%}"


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
