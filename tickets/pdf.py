"""Pass PDFs: one pass per A6 page, or four per A4 sheet, drawn with the one font setup.

The QR is drawn as vector rectangles straight from the module matrix (one per run of dark
modules in a row): sharp at any print size, and far faster than reportlab's QrCodeWidget.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import qrcode
import qrcode.exceptions
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from core.pdf import fit as fit_uncached
from core.pdf import nfc, register_fonts
from tickets.codes import KIND_TITLES, Kind

# The fair's title, date, site and the categories are the same on every pass of a batch, and fit
# measures a long line again for each character it cuts off: its answers are kept.
fit = lru_cache(maxsize=1024)(fit_uncached)

@dataclass(frozen=True)
class PassSheet:
    """Everything printed on one pass."""

    code: str
    short_code: str
    kind: int
    holder: str
    category: str
    stalls: str
    fair_title: str
    when: str
    site: str
    address: str
    map_stalls: tuple[tuple[str, float, float, float, float], ...]  # code, x, y, width, depth


_DARK_RUN = re.compile(b"\x01+")  # a run of dark modules in bytes(row)


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR's modules, row by row from the top, True for dark; no quiet zone."""
    # Every signed code is 120 characters, a version-5 QR: fixing the version and the mask
    # skips qrcode's trial of all eight masks, most of the cost of making the matrix.
    code = qrcode.QRCode(version=5, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    code.add_data(text)
    try:
        code.make(fit=False)
    except qrcode.exceptions.DataOverflowError:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
        code.add_data(text)
        code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(text)
    side = len(matrix)
    # Drawn in module units (a module is 1 × 1, the bottom row at 0) under one scaling transform:
    # every rectangle is then four small integers, which we format ourselves. reportlab's path
    # formats each coordinate as a float (~360 runs × 4 a code), which was a third of a pass's
    # time, and it makes the page stream smaller too.
    rects = []
    for row_index, row in enumerate(matrix):
        bottom = side - 1 - row_index
        for run in _DARK_RUN.finditer(bytes(row)):
            rects.append(f"{run.start()} {bottom} {run.end() - run.start()} 1 re")
    canvas.saveState()
    canvas.transform(size / side, 0, 0, size / side, x, y)
    canvas.setFillColorRGB(0, 0, 0)
    # One path of all the runs, filled once; addLiteral is reportlab's way to add PDF operators.
    canvas.addLiteral(" ".join(rects) + " f")
    canvas.restoreState()


def _draw_map(canvas: Canvas, sheet: PassSheet, x: float, y: float, w: float, h: float) -> None:
    if not sheet.map_stalls:
        return
    span_x = max(s[1] + s[3] for s in sheet.map_stalls)
    span_y = max(s[2] + s[4] for s in sheet.map_stalls)
    scale = min(w / span_x, h / span_y)
    mine = set(sheet.stalls.split(","))
    canvas.setLineWidth(0.3)
    canvas.setStrokeColorRGB(0.4, 0.4, 0.4)
    # The fill is set only when it changes: 40 stalls, nearly all grey, were 80 operators a pass.
    fill = None
    for code, sx, sy, sw, sd in sheet.map_stalls:
        wanted = (0.70, 0.15, 0.12) if code in mine else (0.93, 0.93, 0.93)
        if wanted != fill:
            canvas.setFillColorRGB(*wanted)
            fill = wanted
        canvas.rect(
            x + sx * scale, y + h - (sy + sd) * scale, sw * scale, sd * scale, fill=1, stroke=1
        )


def draw_pass(canvas: Canvas, sheet: PassSheet, x: float, y: float, w: float, h: float) -> None:
    # One face only: each embedded face adds some 20 KB, and a pass must stay small to send.
    regular, _ = register_fonts()
    bold = regular
    pad = 6 * mm
    inner = w - 2 * pad
    top = y + h - pad
    canvas.setStrokeColorRGB(0.7, 0.15, 0.12)
    canvas.setLineWidth(1.2)
    canvas.rect(x + 2 * mm, y + 2 * mm, w - 4 * mm, h - 4 * mm)
    label_vi, label_en = KIND_TITLES.get(sheet.kind, KIND_TITLES[Kind.BUSINESS])
    canvas.setFillColorRGB(0.7, 0.15, 0.12)
    canvas.setFont(bold, 9)
    canvas.drawString(x + pad, top - 9, nfc(f"{label_vi} · {label_en}"))
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(bold, 11)
    canvas.drawString(x + pad, top - 24, fit(sheet.fair_title, bold, 11, inner))
    canvas.setFont(regular, 8)
    canvas.drawString(x + pad, top - 36, fit(sheet.when, regular, 8, inner))
    canvas.drawString(x + pad, top - 46, fit(f"{sheet.site} — {sheet.address}", regular, 8, inner))
    if sheet.stalls:
        canvas.setFont(bold, 30)
        canvas.drawString(x + pad, top - 84, fit(sheet.stalls.replace(",", " + "), bold, 30, inner))
    canvas.setFont(bold, 10)
    canvas.drawString(x + pad, top - 100, fit(sheet.holder, bold, 10, inner))
    canvas.setFont(regular, 8)
    canvas.drawString(x + pad, top - 111, fit(sheet.category, regular, 8, inner))
    qr_size = min(inner * 0.55, h * 0.40)
    qr_y = y + pad + 14
    draw_qr(canvas, sheet.code, x + pad, qr_y, qr_size)
    canvas.setFont(bold, 11)
    canvas.drawString(x + pad, y + pad + 2, nfc(f"Mã / Code: {sheet.short_code}"))
    map_x = x + pad + qr_size + 4 * mm
    _draw_map(canvas, sheet, map_x, qr_y, x + w - pad - map_x, qr_size)


def passes_pdf(sheets: list[PassSheet], *, four_up: bool = False) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4 if four_up else A6, pageCompression=1)
    canvas.setTitle(nfc("Thẻ ra vào — Phiên chợ hàng Việt"))
    if four_up:
        width, height = A4
        slots = [(0, height / 2), (width / 2, height / 2), (0, 0), (width / 2, 0)]
        for index, sheet in enumerate(sheets):
            if index and index % 4 == 0:
                canvas.showPage()
            sx, sy = slots[index % 4]
            draw_pass(canvas, sheet, sx, sy, width / 2, height / 2)
    else:
        width, height = A6
        for sheet in sheets:
            draw_pass(canvas, sheet, 0, 0, width, height)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sheet_from(
    row: dict[str, Any],
    fair: dict[str, Any],
    category: str,
    map_stalls: tuple[tuple[str, float, float, float, float], ...],
) -> PassSheet:
    from core.timezone import local

    start, end = local(fair["starts_at"]), local(fair["ends_at"])
    return PassSheet(
        code=row["code"],
        short_code=row["short_code"],
        kind=row["kind"],
        holder=row["holder"],
        category=category,
        stalls=row["stalls"],
        fair_title=fair["title"],
        when=f"{start:%d/%m/%Y}, {start:%H:%M}–{end:%H:%M}",
        site=fair["site.name"],
        address=fair["site.address"],
        map_stalls=map_stalls,
    )
