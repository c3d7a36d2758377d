"""The one PDF font setup: DejaVu Sans, embedded and subsetted, covers every Vietnamese letter
(reportlab's own fonts cannot draw Ă, Đ, Ơ, Ư or the tone marks)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    return REGULAR, BOLD


def nfc(text: str) -> str:
    """reportlab draws code points as they come, with no shaping: marks must be precomposed."""
    return unicodedata.normalize("NFC", text)


def fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten text with an ellipsis until it fits the width."""
    text = nfc(text)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
