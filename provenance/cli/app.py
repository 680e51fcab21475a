"""What every command shares: the options of the root command and the project they open."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.termui import progressbar

from ..errors import OutputFileError
from ..plain_text import printable

if TYPE_CHECKING:
    from PIL import Image

    from ..project import Project
    from ..record import RecordedFile


@dataclass
class AppContext:
    project_dir: Path | None
    db_url: str | None
    debug: bool
    identity: Path | None = None
    _project: Project | None = field(default=None, repr=False)

    @property
    def project(self) -> Project:
        """The project, opened on first use (so `--help` and `init` need none)."""
        if self._project is None:
            from ..project import Project  # commands that need no project (--help, init) never load the store

            self._project = Project.find(self.project_dir or Path.cwd(), db_url=self.db_url, identity=self.identity)
        return self._project

    def close(self) -> None:
        if self._project is not None:
            self._project.close()


pass_app = click.make_pass_decorator(AppContext)

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")

config_option = click.option(
    "--config",
    metavar="sd15|sdxl|FOLDER",
    help="For a single-file checkpoint: the shipped config to build it with, or a diffusers folder of json "
    "files (SD 2.x, custom UNets). Default: picked from the file's architecture.",
)


@contextmanager
def candidate_progress(count: int, label: str = "Candidate") -> Iterator[Callable[[int, int, int], None]]:
    """One progress bar per candidate on stderr (stdout stays clean for --json), each counting its steps.

    Yields the engine's step observer, ``observe(candidate_index, step, total_steps)``.
    """
    with ExitStack() as stack:
        yield _CandidateBars(stack, count, label)


class _CandidateBars:
    """Starts a titled bar when a new candidate's first step arrives, finishing the previous one."""

    def __init__(self, stack: ExitStack, count: int, label: str) -> None:
        self.stack, self.count, self.label = stack, count, label
        self.candidate: int | None = None
        self.bar: Any = None
        self.step = 0

    def __call__(self, candidate: int, step: int, total: int) -> None:
        if candidate != self.candidate:
            self.stack.close()  # the previous candidate's bar ends on its own line
            self.candidate, self.step = candidate, 0
            # Scripts and CI read stderr for the one-line error: draw bars only for a person at a terminal.
            bar = progressbar(
                length=total,
                label=f"{self.label} {candidate + 1}/{self.count}",
                file=sys.stderr,
                hidden=not sys.stderr.isatty(),
                show_pos=True,
            )
            self.bar = self.stack.enter_context(bar)
        self.bar.update(step - self.step)
        self.step = step


def write_output(path: Path, data: bytes) -> None:
    """Write a file the user asked for (``-o``, ``--sheet``...), whole or not at all, or fail in one line."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise OutputFileError(f"cannot write {path} ({exc.strerror or exc}); choose a writable place") from exc


def image_bytes(image: Image.Image, path: Path) -> bytes:
    """The picture encoded in the format the file name asks for (PNG when it names none we know)."""
    from PIL import Image

    image_format = Image.registered_extensions().get(path.suffix.lower(), "PNG")
    buffer = io.BytesIO()
    # Pillow reads formats it cannot write (.psd, .h5, .xbm for RGB): it says so with a KeyError or OSError.
    try:
        image.save(buffer, format=image_format)
    except KeyError:
        reason = "Pillow has no writer for it"
    except (OSError, ValueError) as exc:
        reason = str(exc)
    else:
        return buffer.getvalue()
    raise OutputFileError(f"cannot write {path} as {image_format} ({reason}); name it .png, .jpg, .webp or .tif")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def echo_recorded(kind: str, recorded: RecordedFile) -> None:
    click.echo(f"Recorded {kind}: asset #{recorded.asset_id}  {recorded.path}  (signed)")


def echo_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned table, wide characters counted as two columns.

    Cells often hold what a file or an old database says (names, tools, models), so control and bidi
    characters are shown as escapes: a cell can neither drive the terminal nor break the row.
    """
    cells = [[("" if value is None else printable(str(value))) for value in row] for row in rows]
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
