"""Plain text in, plain text out: what people type must be one line of visible text; what we show cannot hide.

Names, titles, prompts and tool names end up in records, signed manifests, credit rolls and on terminals.
One stray character there is an attack: a newline fakes a credit row, ``ESC [`` repaints a terminal, a
right-to-left override makes "gpj.exe" read "exe.jpg". :func:`checked_text` refuses such characters where a
person types a value, before anything is written; :func:`printable` shows them as escapes wherever text that
came from elsewhere (a foreign file's metadata, an old database) is displayed.

>>> checked_text("  Tanaka Aiko ", "person name")
'Tanaka Aiko'
>>> print(printable("red\\x1b[31m alert"))
red\\x1b[31m alert
"""

from __future__ import annotations

import unicodedata

from .errors import InvalidValueError

# Zero-width non-joiner and joiner are spelling in Persian, Urdu, the Indic scripts and Sinhala, and they
# glue emoji sequences; refusing them would refuse real names. Those scripts are all outside ASCII, so a
# joiner is accepted only between two such characters: next to a Latin letter, a space or the end of the
# text it shapes nothing and only makes two identical-looking names differ.
_JOINERS = frozenset("\u200c\u200d")

# Letters and symbols that draw nothing: a name made of them is as blank as one made of spaces.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

_KINDS = {
    "Cc": "a control character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Cs": "a byte sequence that is not UTF-8",
}
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def checked_text(value: str, field: str) -> str:
    """``value`` without surrounding whitespace, refused unless it is one line of visible text.

    Refused, with one line naming ``field`` and the character's code point: control characters (newline,
    tab, ESC, DEL, C1), line and paragraph separators, bidirectional controls, other invisible format
    characters (zero-width space, word joiner, soft hyphen, tags), and values that are empty or blank.

    >>> checked_text("田中 愛子", "native name")
    '田中 愛子'
    >>> checked_text("Tanaka\\nAiko", "person name")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    provenance.errors.InvalidValueError: person name: U+000A (a control character) at character 7 is not ...
    """
    for index, char in enumerate(value):
        if (kind := _hidden_kind(char)) is None:
            continue
        if char in _JOINERS:
            if _joins_letters(value, index):
                continue
            kind = f"{unicodedata.name(char).lower()}, allowed only inside words of the scripts that use it"
        raise InvalidValueError(
            f"{field}: U+{ord(char):04X} ({kind}) at character {index + 1} is not allowed; "
            "type it as one line of visible text"
        )
    stripped = value.strip()
    if not stripped:
        raise InvalidValueError(f"{field} is {'blank' if value else 'empty'}; give visible text")
    if all(char.isspace() or char in _FILLERS for char in stripped):
        raise InvalidValueError(f"{field} has only invisible filler characters; give visible text")
    return stripped


def checked_optional_text(value: str | None, field: str) -> str | None:
    """:func:`checked_text` for an option that may be left out: ``None`` stays ``None``."""
    return None if value is None else checked_text(value, field)


def printable(text: str) -> str:
    """``text`` with every control, bidirectional and invisible format character shown as an escape.

    For showing text we did not check on the way in (a foreign file's metadata, an old database) on a
    terminal or in one line of a credit sheet: nothing in it can move the cursor, recolour the screen,
    reorder what follows or start a new line.

    >>> print(printable("Mallory\\u202eann\\nX"))
    Mallory\\u202eann\\nX
    """
    if text.isprintable():  # the common case, and it has none of them
        return text
    # ascii() writes the escape Python itself would: \n, \x1b, \u202e, \U000e0041.
    return "".join(ascii(char)[1:-1] if _hidden_kind(char) and char not in _JOINERS else char for char in text)


def encodable(text: str) -> str:
    """``text`` with what UTF-8 cannot encode written as escapes: for a file name in a JSON report.

    A name whose bytes are not UTF-8 reaches Python with each such byte as a lone surrogate, which no
    encoder takes; here the byte is written as ``\\xNN``, as Python writes it.

    >>> print(encodable(b"C012_\\xe9t\\xe9.png".decode("utf-8", "surrogateescape")))
    C012_\\xe9t\\xe9.png
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that did not come from a byte: write it as its code point
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _hidden_kind(char: str) -> str | None:
    """Why ``char`` may not appear in a one-line value, or None when it may."""
    category = unicodedata.category(char)
    if category in _KINDS:
        return _KINDS[category]
    if char in _BIDI:
        return "a bidirectional control"
    if category == "Cf":
        return "an invisible format character"
    return None


def _joins_letters(value: str, index: int) -> bool:
    if index == 0 or index == len(value) - 1:
        return False
    before, after = value[index - 1], value[index + 1]
    return all(not char.isascii() and not char.isspace() and char not in _JOINERS for char in (before, after))
