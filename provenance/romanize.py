"""Kana to Hepburn, as credits spell Japanese names: passport style, long vowels collapsed, no macrons.

A person who spells their name otherwise gives it themselves; this is only the default.

>>> hepburn("さとう けん")
'Sato Ken'
>>> hepburn("おおの しょうた")
'Ono Shota'
>>> hepburn("きっかわ じゅんいちろう")
'Kikkawa Junichiro'
>>> hepburn("おおうち きょうこ")
'Ouchi Kyoko'
"""

from __future__ import annotations

import unicodedata

from .errors import InvalidValueError

_BASE = {
    "あ": "a", "い": "i", "う": "u", "え": "e", "お": "o",
    "か": "ka", "き": "ki", "く": "ku", "け": "ke", "こ": "ko",
    "さ": "sa", "し": "shi", "す": "su", "せ": "se", "そ": "so",
    "た": "ta", "ち": "chi", "つ": "tsu", "て": "te", "と": "to",
    "な": "na", "に": "ni", "ぬ": "nu", "ね": "ne", "の": "no",
    "は": "ha", "ひ": "hi", "ふ": "fu", "へ": "he", "ほ": "ho",
    "ま": "ma", "み": "mi", "む": "mu", "め": "me", "も": "mo",
    "や": "ya", "ゆ": "yu", "よ": "yo",
    "ら": "ra", "り": "ri", "る": "ru", "れ": "re", "ろ": "ro",
    "わ": "wa", "ゐ": "i", "ゑ": "e", "を": "o",
    "が": "ga", "ぎ": "gi", "ぐ": "gu", "げ": "ge", "ご": "go",
    "ざ": "za", "じ": "ji", "ず": "zu", "ぜ": "ze", "ぞ": "zo",
    "だ": "da", "ぢ": "ji", "づ": "zu", "で": "de", "ど": "do",
    "ば": "ba", "び": "bi", "ぶ": "bu", "べ": "be", "ぼ": "bo",
    "ぱ": "pa", "ぴ": "pi", "ぷ": "pu", "ぺ": "pe", "ぽ": "po",
    "ゔ": "vu",
}  # fmt: skip
_SMALL_Y = {"ゃ": "a", "ゅ": "u", "ょ": "o"}
_SMALL_VOWELS = {"ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o"}
_KATAKANA_OFFSET = ord("ア") - ord("あ")


def hepburn(kana: str) -> str:
    """Romanize a kana reading, word by word, capitalizing each word."""
    words = [_word(word) for word in unicodedata.normalize("NFKC", kana).replace("　", " ").split()]
    if not words:
        raise InvalidValueError("the kana reading is empty; give it as e.g. 'たなか あいこ'")
    return " ".join(word.capitalize() for word in words)


def _word(word: str) -> str:
    # Passport style: no apostrophe after n (Junichiro), and a long vowel is written once. A vowel is
    # lengthened at most once, so おおうち is O-uchi (Ouchi), not Ochi.
    out: list[str] = []
    lengthened = False
    for mora in _morae(_to_hiragana(word), word):
        previous = out[-1] if out else ""
        long_o = mora in ("u", "o") and previous.endswith("o")
        long_u = mora == "u" and previous.endswith("u")
        if (long_o or long_u) and not lengthened:
            lengthened = True
            continue
        lengthened = False
        out.append(mora)
    return "".join(out)


def _morae(hiragana: str, original: str) -> list[str]:
    morae: list[str] = []
    double_next = False
    index = 0
    while index < len(hiragana):
        char = hiragana[index]
        if char == "っ":
            double_next = True
            index += 1
            continue
        if char == "ー":
            index += 1  # a long-vowel mark adds nothing without macrons
            continue
        if char == "ん":
            morae.append("n")
            index += 1
            continue
        if char not in _BASE:
            raise InvalidValueError(f"{original!r} is not a kana reading; write it in hiragana or katakana")
        mora = _BASE[char]
        following = hiragana[index + 1] if index + 1 < len(hiragana) else ""
        if following in _SMALL_Y and mora.endswith("i"):
            stem = mora[:-1] if mora in ("shi", "chi", "ji") else mora[:-1] + "y"
            mora = stem + _SMALL_Y[following]
            index += 1
        elif following in _SMALL_VOWELS:
            mora = mora.rstrip("aiueo") + _SMALL_VOWELS[following]
            index += 1
        if double_next:
            mora = ("t" if mora.startswith("ch") else mora[0]) + mora
            double_next = False
        morae.append(mora)
        index += 1
    return morae


def _to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - _KATAKANA_OFFSET) if "ァ" <= c <= "ヶ" else c for c in text)
