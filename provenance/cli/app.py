"""What every command shares: the options of the root command and the project they open."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.termui import progressbar

from ..project import Project


@dataclass
class AppContext:
    project_dir: Path | None
    db_url: str | None
    debug: bool
    _project: Project | None = field(default=None, repr=False)

    @property
    def project(self) -> Project:
        """The project, opened on first use (so `--help` and `init` need none)."""
        if self._project is None:
            self._project = Project.find(self.project_dir or Path.cwd(), db_url=self.db_url)
        return self._project

    def close(self) -> None:
        if self._project is not None:
            self._project.close()


pass_app = click.make_pass_decorator(AppContext)

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


@contextmanager
def candidate_progress(count: int, label: str = "Candidate") -> Iterator[Callable[[int, int, int], None]]:
    """One progress bar per candidate on stderr (stdout stays clean for --json), each counting its steps.

    Yields the engine's step observer, ``observe(candidate_index, step, total_steps)``.
    """
    # Scripts and CI read stderr for the one-line error: draw the bars only for a person at a terminal.
    hidden = not sys.stderr.isatty()
    with ExitStack() as bars:
        current: dict[str, Any] = {"candidate": None, "bar": None, "step": 0}

        def observe(candidate: int, step: int, total: int) -> None:
            if candidate != current["candidate"]:
                bars.close()  # finishes the previous candidate's bar on its own line
                title = f"{label} {candidate + 1}/{count}"
                current.update(candidate=candidate, step=0)
                current["bar"] = bars.enter_context(
                    progressbar(length=total, label=title, file=sys.stderr, hidden=hidden, show_pos=True)
                )
            current["bar"].update(step - current["step"])
            current["step"] = step

        yield observe


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def echo_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned table, wide characters counted as two columns."""
    cells = [[("" if value is None else str(value)) for value in row] for row in rows]
    widths = [
        max([_display_width(header)] + [_display_width(row[i]) for row in cells]) for i, header in enumerate(headers)
    ]
    for row in [headers, ["-" * width for width in widths], *cells]:
        click.echo(
            "  ".join(
                value + " " * (width - _display_width(value)) for value, width in zip(row, widths, strict=True)
            ).rstrip()
        )


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
