from __future__ import annotations

import doctest

import pytest

from provenance import romanize
from provenance.errors import InvalidValueError
from provenance.romanize import hepburn


@pytest.mark.parametrize(
    ("kana", "expected"),
    [
        ("さとう けん", "Sato Ken"),
        ("こうの ゆうこ", "Kono Yuko"),
        ("おおうち きょうこ", "Ouchi Kyoko"),
        ("いとう だいち", "Ito Daichi"),
        ("ほんま りゅうのすけ", "Honma Ryunosuke"),
        ("きっかわ まっちゃ", "Kikkawa Matcha"),
        ("シンイチ", "Shinichi"),
        ("すずき　れん", "Suzuki Ren"),
    ],
)
def test_hepburn(kana: str, expected: str) -> None:
    assert hepburn(kana) == expected


def test_non_kana_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="not a kana reading"):
        hepburn("田中")
    with pytest.raises(InvalidValueError, match="empty"):
        hepburn("  ")


def test_docstring_examples() -> None:
    assert doctest.testmod(romanize).failed == 0
