"""Vietnamese text: NFC on the way in, a folded key for search and duplicate checks."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """NFC-normalize and collapse runs of whitespace; what every stored text goes through."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Lower-case ASCII key: "Nguyễn Du" and "nguyen du" match; "Hòa" and "Hoà" too; Đ → d."""
    return _SPACES.sub(" ", anyascii(clean(text)).lower()).strip()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


# Vietnamese alphabet order (with f, j, w, z placed as in the Latin alphabet).
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
# Tones rank none < huyền < hỏi < ngã < sắc < nặng, as Vietnamese dictionaries order them.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vi_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key in Vietnamese dictionary order: An, Anh, Ăn, Ân; Dũng, Duy, Đào."""
    letters: list[int] = []
    tones: list[int] = []
    for base in unicodedata.normalize("NFC", text).lower():
        decomposed = unicodedata.normalize("NFD", base)
        letter = decomposed[0] + "".join(c for c in decomposed[1:] if c in _MODIFIERS)
        letter = unicodedata.normalize("NFC", letter)
        tone = next((_TONE_RANK[c] for c in decomposed[1:] if c in _TONE_RANK), 0)
        # Letters outside the alphabet (digits, spaces) sort before it, by code point.
        letters.append(_LETTER_RANK[letter] + 1000 if letter in _LETTER_RANK else ord(letter[0]))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def name_key(text: str) -> str:
    """Key for duplicate names: case-blind and blind to where the tone mark sits ("Hòa"/"Hoà",
    "Thủy"/"Thuỷ"), yet "Hoa" and "Hòa" stay different names."""
    words = []
    for word in re.findall(r"\w+", clean(text).lower()):
        decomposed = unicodedata.normalize("NFD", word)
        tones = "".join(sorted(str(_TONE_RANK[c]) for c in decomposed if c in _TONE_RANK))
        base = "".join(c for c in decomposed if c not in _TONE_RANK)
        words.append(unicodedata.normalize("NFC", base) + tones)
    return " ".join(words)
