"""`provenance check [--fix]`: files without rows, rows without their files, and leftover temporaries."""

from __future__ import annotations

import click

from ..audit.project_check import QUARANTINE_FOLDER, CheckReport, check_project
from .app import AppContext, echo_table, json_option, pass_app
from .exit_codes import CHECK_CODES, ERROR

_EXIT_HELP = {
    "clean": "every recorded file is in place; no orphans, no temporaries (after --fix: all tidied)",
    "records-differ": "a recorded file is missing or changed: restore it (--fix never touches rows)",
    "leftovers": "orphans or temporaries are left: run `provenance check --fix`",
}


@click.command(
    "check",
    epilog="\b\nExit codes:\n"
    + "\n".join(f"  {code:>2}  {name}: {_EXIT_HELP[name]}" for name, code in CHECK_CODES.items())
    + f"\n  {ERROR:>2}  the project could not be opened",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Move orphans into .provenance/quarantine/ (same relative paths) and delete temporaries; "
    "rows are never changed.",
)
@click.option("--deep", is_flag=True, help="Re-hash every recorded file, not only those whose size or time changed.")
@json_option
@pass_app
def check_command(app: AppContext, fix: bool, deep: bool, as_json: bool) -> None:
    """Check that the project's files and rows agree, after a crash or a power cut.

    \b
    Finds:
      orphans      signed PNGs outside .provenance/ that validate under this studio's CA but
                   whose bytes no row records, and change masks no stage refers to
      rows         recorded files (assets, masks) that are missing or changed
      temporaries  .NAME.png.RANDOM.part files a stage wrote and never published

    Run --fix while no stage is being recorded in this project: a write in progress looks like leftovers.

    \b
    Examples:
      provenance check
      provenance check --fix
      provenance check --json | jq '.orphans[].path'
    """
    report = check_project(app.project, fix=fix, deep=deep)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        _echo_report(report)
    click.get_current_context().exit(CHECK_CODES[report.status])


_ADVICE = {
    "clean": "",
    "records-differ": "Restore the missing or changed files from a backup; --fix never changes rows.",
    "leftovers": "Run `provenance check --fix` to quarantine the orphans and remove the temporaries.",
}


def _echo_report(report: CheckReport) -> None:
    rows: list[list[object]] = []
    for orphan in report.orphans:
        finding = "signed file without rows" if orphan.kind == "signed-file" else "mask without a stage"
        stage = f"stage {orphan.stage_id[:8]}" if orphan.stage_id else ""
        rows.append([finding, orphan.path, stage, "quarantined" if orphan.quarantined else (orphan.error or "")])
    for problem in report.rows:
        what = f"asset #{problem.asset_id}" if problem.kind == "asset" else f"mask of stage {problem.stage_id[:8]}"
        rows.append([f"recorded file {problem.state}", problem.path, what, ""])
    for temporary in report.temporaries:
        rows.append(["temporary", temporary.path, f"{temporary.size} bytes", "removed" if temporary.removed else ""])
    if rows:
        echo_table(["finding", "path", "detail", "--fix"], rows)
        click.echo("")
    moved = sum(orphan.quarantined is not None for orphan in report.orphans)
    if moved:
        click.echo(f"Moved {moved} orphans into {QUARANTINE_FOLDER}/, under the same relative paths.")
    click.echo(
        f"Checked {report.rows_checked} recorded files and {report.files_scanned} other PNGs: {report.status.upper()}"
    )
    if _ADVICE[report.status]:
        click.echo(_ADVICE[report.status])
