"""A credit sheet in the format a delivery asks for: every renderer by name, as bytes."""

from __future__ import annotations

from .formats import render_csv, render_html, render_json, render_md, render_txt
from .lock import SheetStatus
from .sheet import CreditSheet

TEXT_RENDERERS = {
    "txt": render_txt,
    "md": render_md,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}
FORMATS = (*TEXT_RENDERERS, "pdf")


def render(sheet: CreditSheet, output_format: str, *, status: SheetStatus | None = None) -> bytes:
    """The sheet in one of :data:`FORMATS`, as bytes (UTF-8 for the text formats). The PDF, which travels
    alone, prints ``status`` (:func:`~provenance.credits.lock.sheet_status`): studio, export date, lock state.

    >>> render(sheet, "csv").decode().splitlines()[0]  # doctest: +SKIP
    'block,order,role_en,role_ja,name_en,name_ja,company'
    """
    if output_format == "pdf":
        # fpdf2 and the font load only when a PDF is asked for.
        from .pdf import render_pdf

        return render_pdf(sheet, status)
    return TEXT_RENDERERS[output_format](sheet).encode("utf-8")
