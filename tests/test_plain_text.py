"""One line of visible text in, nothing that can drive a terminal or hide text out."""

from __future__ import annotations

import doctest
import unicodedata

import pytest

from provenance import plain_text
from provenance.errors import InvalidValueError
from provenance.plain_text import checked_optional_text, checked_text, printable

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HOSTILE = [
    ("Tanaka\nAiko", "U+000A"),
    ("Tanaka Aiko\n", "U+000A"),  # trailing: refused, not silently stripped
    ("Tanaka\r\nFake Row", "U+000D"),
    ("Tanaka\tAiko", "U+0009"),
    ("\x1b[31mTanaka", "U+001B"),
    ("Tanaka\x00", "U+0000"),
    ("Tanaka\x7f", "U+007F"),
    ("Tanaka\x85Aiko", "U+0085"),  # C1 next line
    ("Tanaka\x9b31m", "U+009B"),  # C1 control sequence introducer
    ("Tanaka\u2028Aiko", "U+2028"),
    ("Tanaka\u2029Aiko", "U+2029"),
    *[(f"Tanaka{char}Aiko", f"U+{ord(char):04X}") for char in BIDI_CONTROLS],
    ("Tan\u200baka", "U+200B"),  # zero-width space
    ("Tan\u2060aka", "U+2060"),  # word joiner
    ("\ufeffTanaka", "U+FEFF"),
    ("Tana\u00adka", "U+00AD"),  # soft hyphen
    ("Tanaka\U000e0041", "U+E0041"),  # tag character
    ("Tanaka\u200dAiko", "U+200D"),  # a joiner between Latin letters joins nothing
    ("\u200dタナカ", "U+200D"),
    ("タナカ\u200c", "U+200C"),
    ("Tanaka\udc80", "U+DC80"),  # what Python makes of argv bytes that are not UTF-8
]


@pytest.mark.parametrize(("value", "code_point"), HOSTILE)
def test_hidden_characters_are_refused_with_the_field_and_code_point(value: str, code_point: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        checked_text(value, "person name")
    message = str(refused.value)
    assert message.startswith(f"person name: {code_point} (")
    assert len(message.splitlines()) == 1
    assert message.isprintable()  # the message never carries the character it refuses


@pytest.mark.parametrize("value", ["", " ", "  \u3000 ", "\u3164", "\u115f\u1160", "\u2800 \u2800"])
def test_empty_blank_and_filler_only_values_are_refused(value: str) -> None:
    with pytest.raises(InvalidValueError, match=r"^prompt (is (empty|blank)|has only invisible filler)"):
        checked_text(value, "prompt")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Tanaka Aiko  ", "Tanaka Aiko"),
        ("田中\u3000愛子", "田中\u3000愛子"),  # an ideographic space inside a name is the name
        ("葛\U000e0100飾", "葛\U000e0100飾"),  # an ideographic variation sequence picks the glyph of a family name
        ("O'Brien-Smith Jr.", "O'Brien-Smith Jr."),
        ("Zoë\u00a0Ångström", "Zoë\u00a0Ångström"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian: the non-joiner is spelling
        ("क्\u200dष", "क्\u200dष"),  # Devanagari: the joiner picks the half form
        ("👩\u200d🎨", "👩\u200d🎨"),  # an emoji sequence (an artist's pen name)
        ("עברית", "עברית"),  # right-to-left text itself is fine; only the controls are not
    ],
)
def test_real_names_in_any_script_pass_stripped(value: str, expected: str) -> None:
    assert checked_text(value, "person name") == expected


def test_an_option_left_out_stays_none() -> None:
    assert checked_optional_text(None, "scene") is None
    assert checked_optional_text(" S03 ", "scene") == "S03"
    with pytest.raises(InvalidValueError, match="^scene is empty"):
        checked_optional_text("", "scene")


def test_printable_shows_hidden_characters_as_escapes() -> None:
    assert printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert printable("Eve\nFAKE ROW\r") == "Eve\\nFAKE ROW\\r"
    assert printable("gpj\u202eexe.png") == "gpj\\u202eexe.png"
    assert printable("tag\U000e0041") == "tag\\U000e0041"
    assert printable("\x9b2J\x07") == "\\x9b2J\\x07"


def test_printable_leaves_ordinary_text_as_it_is() -> None:
    for text in ("Tanaka Aiko (Harbor Studio)", "田中\u3000愛子（ハーバースタジオ）", "क्\u200dष", "👩\u200d🎨", ""):
        assert printable(text) == text


def test_nothing_printable_returns_can_start_a_line_move_the_cursor_or_reorder_text() -> None:
    # Every character of the Basic Multilingual Plane and the tag plane, each between two letters.
    planes = [*range(0x10000), *range(0xE0000, 0xE0080)]
    shown = printable("".join(f"a{chr(code)}" for code in planes))
    left = {char for char in shown if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp", "Cs"}}
    assert left == {"\u200c", "\u200d"}  # the joiners stay: they shape scripts and hide nothing


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(plain_text).failed == 0
