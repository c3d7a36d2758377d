"""Reading the PDFs the app makes: what is always there (page objects and their sizes, read
from the file itself), and poppler's tools for text, fonts and images where installed."""

from __future__ import annotations

import re
import shutil

import pytest

POPPLER_MISSING = [t for t in ("pdftoppm", "pdftotext", "pdffonts") if not shutil.which(t)]
needs_poppler = pytest.mark.skipif(
    bool(POPPLER_MISSING),
    reason=f"{', '.join(POPPLER_MISSING)} not installed (poppler-utils; .ci/run installs it)",
)


def pdf_pages(pdf: bytes) -> list[list[float]]:
    """The MediaBox of every page object: what a PDF reader counts and sizes pages by."""
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    pages = []
    for body in re.findall(rb"\d+ 0 obj(.*?)endobj", pdf, re.S):
        if re.search(rb"/Type\s*/Page(?![a-zA-Z])", body):
            box = re.search(rb"/MediaBox\s*\[([^\]]*)\]", body)
            assert box, body
            pages.append([float(v) for v in box.group(1).split()])
    return pages
