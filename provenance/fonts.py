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
        return path
    return SHIPPED_FONT
