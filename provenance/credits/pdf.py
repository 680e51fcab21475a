"""The credit sheet as a PDF whose Japanese text is embedded: searchable, copyable, printable anywhere.

fpdf2 embeds a subset of a TrueType font and writes a ToUnicode map, so a viewer can search and copy
the names. The font comes from :func:`provenance.fonts.find_japanese_font`. A printed sheet travels
without the database, so it says what it is under its titles: the studio, the date of the export, and
whether it is the signed-off sheet ("Locked by NAME on DATE") or a draft.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..fonts import find_japanese_font
from .formats import english_names, gap_line, japanese_line, title_lines, uncredited_lines
from .lock import SheetStatus
from .sheet import CreditSheet

_DRAFT_RED = (176, 0, 32)


def render_pdf(sheet: CreditSheet, status: SheetStatus | None = None) -> bytes:
    """An A4 credit sheet: title, status (studio, export date, locked or draft), English block, Japanese block,
    notes, AI disclosure. Without ``status`` it is a draft exported now by the production's studio.

    >>> render_pdf(sheet, sheet_status(project, sheet, locked_changes(project, sheet)))  # doctest: +SKIP
    """
    from fpdf import FPDF

    status = status or SheetStatus(exported_at=datetime.now(UTC), studio=sheet.production.studio)
    font = find_japanese_font()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(status.exported_at)
    english_title, japanese_title = title_lines(sheet)
    pdf.set_title(english_title)
    pdf.set_subject(status.state_en)
    pdf.set_creator("provenance")
    pdf.add_font("credits", fname=str(font))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("credits", size=18)
    pdf.multi_cell(width, 9, english_title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("credits", size=13)
    pdf.multi_cell(width, 8, japanese_title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _status_lines(pdf, width, status)
    pdf.ln(4)

    pdf.set_font("credits", size=11)
    label_width = 62
    for role in sheet.roles:
        for index, name in enumerate(english_names(role)):
            pdf.cell(label_width, 6.5, role.label_en if index == 0 else "")
            pdf.multi_cell(width - label_width, 6.5, name, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    for role in sheet.roles:
        pdf.multi_cell(width, 6.5, japanese_line(role), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)

    pdf.set_font("credits", size=9.5)
    if note := uncredited_lines(sheet):
        pdf.multi_cell(width, 5.5, f"{note[0]} {note[1]}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for gap in sheet.gaps:
        pdf.set_text_color(*_DRAFT_RED)
        pdf.multi_cell(width, 5.5, gap_line(gap), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.multi_cell(width, 5.5, sheet.ai_disclosure.text_en, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    # Japanese wraps between any two characters; a plain space would make fpdf break at "tiny v1" instead.
    pdf.multi_cell(
        width, 5.5, sheet.ai_disclosure.text_ja.replace(" ", "\u00a0"), align="L", new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())


def _status_lines(pdf: Any, width: float, status: SheetStatus) -> None:
    """Studio and export date, then the lock state: a draft in red, so it is never taken for the final sheet."""
    exported = f"{status.exported_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    studio = status.studio or "—"
    pdf.set_font("credits", size=9.5)
    pdf.multi_cell(width, 5.5, f"Studio: {studio}    Exported: {exported}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 5.5, f"制作：{studio}　出力：{exported}", new_x="LMARGIN", new_y="NEXT")
    if not status.locked:
        pdf.set_text_color(*_DRAFT_RED)
    pdf.multi_cell(width, 5.5, status.state_en, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 5.5, status.state_ja, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
