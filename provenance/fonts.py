"""Finding a TrueType font with Japanese glyphs, for the PDF credit sheet and the audit's pictures.

No Japanese font ships with Python, so one is taken from ``$PROVENANCE_CJK_FONT`` or from the usual
system places (Debian's ``fonts-ipaexfont-gothic`` first).
"""

from __future__ import annotations

import os
from pathlib import Path

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
    """No TrueType font with Japanese glyphs to draw or embed."""


def find_japanese_font() -> Path:
    """The font to use: ``$PROVENANCE_CJK_FONT``, else the first system font found."""
    if explicit := os.environ.get(FONT_VARIABLE):
        path = Path(explicit)
        if not path.is_file():
            raise MissingFontError(f"{FONT_VARIABLE}={explicit} is not a file; point it at a Japanese .ttf font")
        _check_japanese(path)
        return path
    for candidate in SYSTEM_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise MissingFontError(
        "Japanese text needs a TrueType font: install fonts-ipaexfont-gothic (Debian/Ubuntu) "
        f"or set {FONT_VARIABLE} to a .ttf file"
    )


# A character every Japanese font has (美, of 美術監督): a font without it draws every Japanese name as boxes.
_PROBE = "美"


def _check_japanese(path: Path) -> None:
    """Refuse a file that is no font, or a font without Japanese glyphs, before anything is drawn with it."""
    import struct

    from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]  # fpdf2's own font reader

    try:
        # Opened here, so the file is closed whatever fontTools makes of it.
        with path.open("rb") as handle, TTFont(handle, fontNumber=0, lazy=True) as font:
            characters = font.getBestCmap() or {}
    except (TTLibError, OSError, ValueError, KeyError, AssertionError, struct.error) as exc:
        raise MissingFontError(
            f"{FONT_VARIABLE}={path} is not a TrueType font ({exc}); point it at a Japanese .ttf font"
        ) from None
    if ord(_PROBE) not in characters:
        raise MissingFontError(f"{FONT_VARIABLE}={path} has no Japanese characters; point it at a Japanese .ttf font")
