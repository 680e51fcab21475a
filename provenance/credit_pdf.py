"""The credit sheet as a PDF whose Japanese text is embedded: searchable, copyable, printable anywhere.

fpdf2 embeds a subset of a TrueType font and writes a ToUnicode map, so a viewer can search and copy
the names. No Japanese font ships with Python, so one is taken from ``$PROVENANCE_CJK_FONT`` or from the
usual system places (Debian's ``fonts-ipaexfont-gothic``, macOS's Hiragino is not TrueType and is not used).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from .credit_formats import english_names, gap_line, japanese_line, title_lines, uncredited_lines
from .credits import CreditSheet
from .errors import ProvenanceError

FONT_VARIABLE = "PROVENANCE_CJK_FONT"
SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)


class MissingFontError(ProvenanceError):
    """No TrueType font with Japanese glyphs to embed."""


def find_japanese_font() -> Path:
    """The font to embed: ``$PROVENANCE_CJK_FONT``, else the first system font found."""
    if explicit := os.environ.get(FONT_VARIABLE):
        path = Path(explicit)
        if not path.is_file():
            raise MissingFontError(f"{FONT_VARIABLE}={explicit} is not a file; point it at a Japanese .ttf font")
        return path
    for candidate in SYSTEM_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise MissingFontError(
        "the pdf format needs a Japanese TrueType font: install fonts-ipaexfont-gothic (Debian/Ubuntu) "
        f"or set {FONT_VARIABLE} to a .ttf file"
    )


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
