"""The credit sheet as a PDF whose Japanese text is embedded: searchable, copyable, printable anywhere.

fpdf2 embeds a subset of a TrueType font and writes a ToUnicode map, so a viewer can search and copy
the names. The font comes from :func:`provenance.fonts.find_japanese_font`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..fonts import find_japanese_font
from .formats import english_names, gap_line, japanese_line, title_lines, uncredited_lines
from .sheet import CreditSheet


def render_pdf(sheet: CreditSheet, *, created: datetime | None = None) -> bytes:
    """An A4 credit sheet: title, English block, Japanese block, notes, AI disclosure."""
    from fpdf import FPDF

    font = find_japanese_font()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(created or datetime.now(UTC))
    english_title, japanese_title = title_lines(sheet)
    pdf.set_title(english_title)
    pdf.set_creator("provenance")
    pdf.add_font("credits", fname=str(font))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("credits", size=18)
    pdf.multi_cell(width, 9, english_title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("credits", size=13)
    pdf.multi_cell(width, 8, japanese_title, new_x="LMARGIN", new_y="NEXT")
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
        pdf.set_text_color(176, 0, 32)
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
