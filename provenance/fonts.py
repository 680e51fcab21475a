"""Finding a TrueType font with Japanese glyphs, for the PDF credit sheet and the audit's pictures.

No Japanese font ships with Python, so one is taken from ``$PROVENANCE_CJK_FONT`` or from the usual
system places (Debian's ``fonts-ipaexfont-gothic`` first).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import MissingFontError

FONT_VARIABLE = "PROVENANCE_CJK_FONT"
SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)



def find_japanese_font() -> Path:
    """The font to use: ``$PROVENANCE_CJK_FONT``, else the first system font found."""
    if explicit := os.environ.get(FONT_VARIABLE):
        path = Path(explicit)
        if not path.is_file():
            raise MissingFontError(f"{FONT_VARIABLE}={explicit} is not a file; point it at a Japanese .ttf font")
        return path
    for candidate in SYSTEM_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise MissingFontError(
        "Japanese text needs a TrueType font: install fonts-ipaexfont-gothic (Debian/Ubuntu) "
        f"or set {FONT_VARIABLE} to a .ttf file"
    )
