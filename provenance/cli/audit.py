"""`provenance audit FILE`: who made this background, how much is AI, and is it intact."""

from __future__ import annotations

from pathlib import Path

import click

from ..audit import AuditReport, AuditStage, audit_file
from ..audit.contributions import percent
from ..imaging import load_image
from ..plain_text import printable
from ..vocabulary import role_name
from .app import AppContext, echo_table, image_bytes, json_option, pass_app, write_output
from .exit_codes import audit_code, verdict_epilog


def _paths(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[Path, ...]:
    # Path("") is ".": an empty argument (an unset shell variable, "$FILE") would audit the whole folder.
    if "" in values:
        raise click.BadParameter("an empty name is no file or folder; give the path of an image or a folder")
    return tuple(map(Path, values))


@click.command("audit", epilog=verdict_epilog())
@click.argument("files", metavar="FILE|DIR...", nargs=-1, required=True, type=click.Path(), callback=_paths)
@json_option
@click.option("--heatmap", type=click.Path(dir_okay=False, path_type=Path), help="Draw who made which pixels (PNG).")
@click.option("--sheet", type=click.Path(dir_okay=False, path_type=Path), help="Draw the stages side by side (PNG).")
@click.option("--strict", is_flag=True, help="Also fail (exit 9) on notes that limit a trusted verdict.")
@click.option("--deep", is_flag=True, help="Re-hash every recorded file, not only those whose size or time changed.")
@pass_app
def audit_command(
    app: AppContext,
    files: tuple[Path, ...],
    as_json: bool,
    heatmap: Path | None,
    sheet: Path | None,
    strict: bool,
    deep: bool,
) -> None:
    """Verify FILE's signed chain and report every stage: kind, AI or human, people, tool or model, and the
    share of the final picture each stage made. A file without a manifest is matched to the records by its
    pixels, or recognised by another generator's metadata.

    With several files, or a folder (its image files, recursively; hidden ones skipped), every file is
    audited in one process: --json prints one report per line (JSON Lines; a file that cannot be read gets
    a line of schema audit-failure instead), otherwise a table with a row per file. The exit code is then
    the worst file's (see below).

    \b
    Examples:
      provenance audit assets/harbor/C012/C012_revise_1a2b3c4d.png
      provenance audit posted.jpg --sheet process.png --heatmap who.png
      provenance audit final.png --json --strict | jq .verdict
      provenance audit assets/ --json | jq -c '{file, verdict}'
      provenance audit final.png posted.jpg          # a row each; exits 7, the worst
    """
    if len(files) > 1 or files[0].is_dir():
        if heatmap or sheet:
            raise click.UsageError("--sheet and --heatmap draw one file's audit; give a single FILE for them")
        from .bulk_audit import bulk_audit

        bulk_audit(app.project, files, as_json=as_json, strict=strict, deep=deep)
        return
    file = files[0]
    report = audit_file(app.project, file, deep=deep, thumbnails=sheet is not None)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        _echo_report(report)
    if heatmap or sheet:
        from ..audit.visuals import render_heatmap, render_process_sheet, stage_thumbnails

        # Both pictures are made before either is written: a failure leaves neither behind.
        pictures = []
        if sheet:
            process = render_process_sheet(report, stage_thumbnails(app.project, report))
            pictures.append(("process sheet", sheet, image_bytes(process, sheet)))
        if heatmap:
            pictures.append(("heatmap", heatmap, image_bytes(render_heatmap(report, load_image(file)), heatmap)))
        for name, path, data in pictures:
            write_output(path, data)
            click.echo(f"Wrote the {name} to {path}", err=True)
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
            ["#", "stage", "AI", "contribution", "people", "tool / model", "signed by"],
            [
                [
                    index,
                    stage.kind,
                    _ORIGIN_SHOWN[stage.origin],
                    _contribution(stage),
                    _people(stage),
                    _tool(stage),
                    stage.signer,
                ]
                for index, stage in enumerate(report.stages, start=1)
            ],
        )
    if report.shares:
        people = ", ".join(f"{p.name} {percent(p.share)}" for p in report.shares.people)
        click.echo("")
        undeclared = f", undeclared {percent(report.shares.undeclared)}" if report.shares.undeclared else ""
        _say(
            f"Pixels changed last: human {percent(report.shares.human)}, AI {percent(report.shares.ai)}"
            f"{undeclared}; by person: {people or 'none'}"
        )
    for stage in report.stages:
        _echo_gave(stage)
    for failure in report.failures:
        _say(f"Failure:  {failure}")
    for problem in report.problems:
        _say(f"Problem:  {problem}")
    for note in report.notes:
        _say(f"Note:     {note}")


def _say(line: str) -> None:
    click.echo(printable(line))


_ORIGIN_SHOWN = {"ai": "yes", "human": "no", "undeclared": "undeclared"}


def _contribution(stage: AuditStage) -> str:
    if stage.contribution is not None:
        return stage.contribution.text
    return "?" if stage.share is None else f"pixels {percent(stage.share)}"


def _echo_gave(stage: AuditStage) -> None:
    """A line for a person whose work is not pixels: the layout's composition, the selection's decision."""
    contribution = stage.contribution
    if contribution is None or contribution.kind == "pixels" or not stage.people:
        return
    names = ", ".join(f"{p.name}{' ' + p.native_name if p.native_name else ''}" for p in stage.people)
    if contribution.kind == "composition":
        gave = (
            f"{contribution.measure:.2f}, how closely the final's lines and edges follow the {stage.kind}'s "
            "(0: no closer than chance, 1: the same)"
            if contribution.measure is not None
            else f"unmeasured ({contribution.unmeasured})"
        )
        _say(f"Composition: {names}: {gave}")
    elif contribution.decision is not None:
        passed = contribution.decision.alternatives
        over = f"; passed over {', '.join(f'#{asset_id}' for asset_id in passed)}" if passed else ""
        _say(f"Decision:    {names}: {contribution.text}{over}")


def _people(stage: AuditStage) -> str:
    # The role's English title ("Art Director"): the code (BG_AD) is in --json, the Japanese title on the sheet.
    return ", ".join(
        f"{p.name}{' ' + p.native_name if p.native_name else ''}{f' ({role_name(p.role)})' if p.role else ''}"
        for p in stage.people
    )


def _tool(stage: AuditStage) -> str:
    if stage.model:
        settings = stage.settings
        test = " [test model]" if stage.test_model else ""
        steps = f"{settings.get('steps_run')}/{settings.get('steps')} steps"
        return f"{stage.model}{test} seed {settings.get('seed')}, {steps}, strength {settings.get('strength')}"
    return stage.tool or ""
