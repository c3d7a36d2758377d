"""The stall map printed for the day: A3 landscape, business names and categories."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from core.pdf import fit, nfc, register_fonts
from core.timezone import local

FILL = {
    "open": (0.91, 0.96, 0.91),
    "assigned": (1.0, 0.88, 0.70),
    "pinned": (1.0, 0.80, 0.50),
    "closed": (0.81, 0.85, 0.86),
}


def map_pdf(fair: dict[str, Any], stalls: list[dict[str, Any]]) -> bytes:
    regular, bold = register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A3)
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(nfc(f"Sơ đồ gian hàng — {fair['title']}"))
    start, end = local(fair["starts_at"]), local(fair["ends_at"])
    canvas.setFont(bold, 18)
    canvas.drawString(15 * mm, height - 18 * mm, fit(fair["title"], bold, 18, width - 30 * mm))
    canvas.setFont(regular, 11)
    canvas.drawString(
        15 * mm,
        height - 25 * mm,
        nfc(
            f"{start:%d/%m/%Y}, {start:%H:%M}–{end:%H:%M} · {fair['site.name']} · "
            f"{fair['site.address']}"
        ),
    )
    if stalls:
        margin_top, margin = 32 * mm, 15 * mm
        span_x = max(s["x"] + s["width"] for s in stalls)
        span_y = max(s["y"] + s["depth"] for s in stalls)
        scale = min((width - 2 * margin) / span_x, (height - margin_top - margin) / span_y)
        for stall in stalls:
            x = margin + stall["x"] * scale
            w, h = stall["width"] * scale, stall["depth"] * scale
            y = height - margin_top - (stall["y"] + stall["depth"]) * scale
            canvas.setFillColorRGB(*FILL.get(stall["state"], (1, 1, 1)))
            canvas.setStrokeColorRGB(0.2, 0.25, 0.28)
            canvas.rect(x, y, w, h, fill=1, stroke=1)
            canvas.setFillColorRGB(0, 0, 0)
            size = max(5.0, min(10.0, h / 5))
            canvas.setFont(bold, size + 1)
            canvas.drawString(x + 2, y + h - size - 3, stall["code"])
            business = stall.get("business")
            if business:
                canvas.setFont(regular, size)
                canvas.drawString(
                    x + 2, y + h - 2 * size - 6, fit(business["name"], regular, size, w - 4)
                )
                categories = ", ".join(business["categories"])
                canvas.setFont(regular, size - 1)
                canvas.drawString(
                    x + 2, y + h - 3 * size - 8, fit(categories, regular, size - 1, w - 4)
                )
            elif stall["state"] == "closed":
                canvas.setFont(regular, size)
                canvas.drawString(x + 2, y + h - 2 * size - 6, nfc("Đóng"))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
