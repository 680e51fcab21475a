"""The TrueType font with Japanese glyphs for the PDF credit sheet and the audit's pictures.

IPAex Gothic ships inside the package (``provenance/assets/fonts/``, IPA Font License v1.0), so Japanese names
are drawn on any machine; ``$PROVENANCE_CJK_FONT`` names another ``.ttf`` to use instead.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from .errors import MissingFontError

FONT_VARIABLE = "PROVENANCE_CJK_FONT"
# Anchored on the top package rather than this module's folder, so moving this module keeps the path.
SHIPPED_FONT = Path(str(files("provenance").joinpath("assets", "fonts", "ipaexg.ttf")))


def find_japanese_font() -> Path:
    """The font to use: ``$PROVENANCE_CJK_FONT`` if set, else the shipped IPAex Gothic.

    >>> find_japanese_font().name  # with PROVENANCE_CJK_FONT unset
    'ipaexg.ttf'
    """
    if explicit := os.environ.get(FONT_VARIABLE):
        path = Path(explicit)
        if not path.is_file():
            raise MissingFontError(f"{FONT_VARIABLE}={explicit} is not a file; point it at a Japanese .ttf font")
        _check_japanese(path)
        return path
    return SHIPPED_FONT


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
        ) from exc
    if ord(_PROBE) not in characters:
        raise MissingFontError(f"{FONT_VARIABLE}={path} has no Japanese characters; point it at a Japanese .ttf font")
