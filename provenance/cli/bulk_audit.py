"""`provenance audit FILE|DIR ...`: many files in one process, a line or a row each, the worst code at exit."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click
from click.termui import progressbar

from ..audit import AuditReport
from ..audit.bulk import AuditFailure, Target, audit_files, audit_targets
from ..audit.contributions import percent
from ..errors import InputFileError, ProvenanceError
from ..plain_text import encodable, printable
from ..project import Project
from . import flag_for
from .app import echo_table
from .exit_codes import audit_code, error_code, worst_code

# Fewer files than this finish before a bar would tell a person anything.
BAR_FROM = 20


def bulk_audit(project: Project, paths: tuple[Path, ...], *, as_json: bool, strict: bool, deep: bool) -> None:
    """Audit every file under ``paths`` and exit with the worst code (:func:`.exit_codes.worst_code`).

    ``as_json``: one document a line as each file is done (an audit report, or an audit failure for a file
    that could not be read). Otherwise a table at the end, then each failure and a count per verdict.
    """
    targets = list(audit_targets(paths))
    if not targets:
        raise InputFileError(
            f"no image files to audit in {', '.join(map(str, paths))}; give files or folders of images"
        )
    codes: list[int] = []
    rows: list[list[object]] = []
    failures: list[str] = []
    counts: Counter[str] = Counter()
    for path, result in _with_bar(project, targets, deep=deep, streaming=as_json):
        if isinstance(result, AuditReport):
            codes.append(audit_code(result, strict=strict))
            counts[result.verdict] += 1
            if as_json:
                click.echo(result.model_dump_json())
            else:
                rows.append(_row(result))
            continue
        codes.append(error_code(result))
        counts["unreadable"] += 1
        # A name that is not UTF-8 is written with \xNN escapes, as its report would write it.
        name, error = encodable(str(path)), encodable(result.render(flag_for))
        if as_json:
            click.echo(AuditFailure(file=name, error=error).model_dump_json())
        else:
            rows.append([name, "unreadable", "", "", ""])
            failures.append(error if name in error else f"{name}: {error}")
    code = worst_code(codes)
    if not as_json:
        echo_table(["file", "verdict", "background", "AI share", "people"], rows)
        click.echo("")
        for failure in failures:
            click.echo(f"Unreadable: {printable(failure)}")
        tally = ", ".join(f"{count} {verdict}" for verdict, count in counts.most_common())
        click.echo(f"{len(codes)} files: {tally}; exit code {code}, the worst")
    click.get_current_context().exit(code)


def _with_bar(
    project: Project, targets: list[Target], *, deep: bool, streaming: bool
) -> Iterator[tuple[Path, AuditReport | ProvenanceError]]:
    """The results, with a bar on stderr for a person at a terminal on a long run. Not when the JSON lines
    go to the same terminal: the bar would break them up."""
    shown = sys.stderr.isatty() and len(targets) >= BAR_FROM and not (streaming and sys.stdout.isatty())
    with progressbar(length=len(targets), label="Auditing", file=sys.stderr, hidden=not shown, show_pos=True) as bar:
        for result in audit_files(project, targets, deep=deep):
            yield result
            bar.update(1)


def _row(report: AuditReport) -> list[object]:
    ai = percent(report.shares.ai) if report.shares else ("?" if report.stages else "")
    return [report.file, report.verdict, report.background or "", ai, ", ".join(report.summary.people)]
