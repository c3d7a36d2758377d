"""Stall maps: geometry (adjacency from the plan), import and export (JSON, CSV), SVG."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from core.database import write_txn
from core.errors import AppError
from core.spreadsheet import safe_cell, unquote_cell
from core.text import clean
from events.tables import Assignment, Stall

ATTRIBUTES = (
    "power",
    "water",
    "food_allowed",
    "shade",
    "accessible",
    "corner",
    "prime",
    "joinable",
)
ATTRIBUTE_LABELS = {
    "power": ("Có điện", "Power"),
    "water": ("Có nước", "Water"),
    "food_allowed": ("Được bán thực phẩm", "Food allowed"),
    "shade": ("Có mái che", "Shade"),
    "accessible": ("Lối đi cho người khuyết tật", "Accessible"),
    "corner": ("Góc", "Corner"),
    "prime": ("Vị trí đẹp", "Prime spot"),
    "joinable": ("Ghép đôi được", "Joinable"),
}
# Edges closer than this (metres) touch: plans are drawn by hand.
TOUCH = 0.05
CSV_FIELDS = ("code", "zone", "x", "y", "width", "depth", "attributes")


@dataclass(frozen=True)
class Box:
    code: str
    x: float
    y: float
    width: float
    depth: float


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def touching(a: Box, b: Box) -> bool:
    """Side by side: one edge against the other along more than a sliver."""
    vertical_edge = (
        abs(a.x + a.width - b.x) <= TOUCH or abs(b.x + b.width - a.x) <= TOUCH
    ) and _overlap(a.y, a.y + a.depth, b.y, b.y + b.depth) > TOUCH
    horizontal_edge = (
        abs(a.y + a.depth - b.y) <= TOUCH or abs(b.y + b.depth - a.y) <= TOUCH
    ) and _overlap(a.x, a.x + a.width, b.x, b.x + b.width) > TOUCH
    return vertical_edge or horizontal_edge


def overlapping(a: Box, b: Box) -> bool:
    return (
        _overlap(a.x, a.x + a.width, b.x, b.x + b.width) > TOUCH
        and _overlap(a.y, a.y + a.depth, b.y, b.y + b.depth) > TOUCH
    )


def adjacency(boxes: list[Box]) -> dict[str, set[str]]:
    """Neighbours of each stall; a sweep on x keeps it near-linear for long rows."""
    neighbours: dict[str, set[str]] = {b.code: set() for b in boxes}
    ordered = sorted(boxes, key=lambda b: b.x)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.x > a.x + a.width + TOUCH:
                break
            if touching(a, b):
                neighbours[a.code].add(b.code)
                neighbours[b.code].add(a.code)
    return neighbours


def _number(value: Any, field: str, code: str, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise AppError(
            422,
            f"Gian {code}: “{field}” phải là số.",
            f"Stall {code}: “{field}” must be a number.",
            extra={"stall": code},
        ) from exc
    if number < minimum or number > 10_000:
        raise AppError(
            422,
            f"Gian {code}: “{field}” ngoài khoảng cho phép.",
            f"Stall {code}: “{field}” is out of range.",
            extra={"stall": code},
        )
    return number


def parse_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate an imported map; every problem names the stall it is in."""
    stalls: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        code = clean(str(row.get("code") or "")).upper()
        if not code or len(code) > 10:
            raise AppError(
                422,
                f"Dòng {index}: thiếu mã gian hàng (tối đa 10 ký tự).",
                f"Row {index}: the stall code is missing (10 characters at most).",
            )
        if code in seen:
            raise AppError(
                422,
                f"Mã gian {code} bị trùng.",
                f"Stall code {code} appears twice.",
                extra={"stall": code},
            )
        seen.add(code)
        attributes = row.get("attributes") or []
        if isinstance(attributes, str):
            attributes = [a.strip() for a in attributes.replace(",", ";").split(";") if a.strip()]
        unknown = set(attributes) - set(ATTRIBUTES)
        if unknown:
            raise AppError(
                422,
                f"Gian {code}: thuộc tính không rõ: {', '.join(sorted(unknown))}.",
                f"Stall {code}: unknown attributes: {', '.join(sorted(unknown))}.",
                extra={"stall": code, "allowed": list(ATTRIBUTES)},
            )
        stalls.append(
            {
                "code": code,
                "zone": clean(str(row.get("zone") or code.rstrip("0123456789"))),
                "x": _number(row.get("x"), "x", code, 0),
                "y": _number(row.get("y"), "y", code, 0),
                "width": _number(row.get("width", 3), "width", code, 0.5),
                "depth": _number(row.get("depth", 3), "depth", code, 0.5),
                **{a: a in attributes for a in ATTRIBUTES},
            }
        )
    boxes = [Box(s["code"], s["x"], s["y"], s["width"], s["depth"]) for s in stalls]
    # Sorted once: a sweep on x meets only the stalls that reach into each one's columns.
    ordered = sorted(boxes, key=lambda b: b.x)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.x > a.x + a.width:
                break
            if overlapping(a, b):
                raise AppError(
                    422,
                    f"Gian {a.code} và {b.code} chồng lên nhau trên sơ đồ.",
                    f"Stalls {a.code} and {b.code} overlap on the plan.",
                    extra={"stalls": [a.code, b.code]},
                )
    return stalls


def parse_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "x", "y"} - set(reader.fieldnames or [])
    if missing:
        raise AppError(
            422,
            f"Tệp CSV thiếu cột: {', '.join(sorted(missing))}.",
            f"The CSV lacks the columns: {', '.join(sorted(missing))}.",
        )
    # A file the app exported carries quoted codes (safe_cell): read back as they were typed.
    rows = [{k: unquote_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in reader]
    return parse_rows(rows)


def stall_dict(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "zone": row["zone"],
        "x": row["x"],
        "y": row["y"],
        "width": row["width"],
        "depth": row["depth"],
        "attributes": [a for a in ATTRIBUTES if row[a]],
    }


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        item = stall_dict(row)
        line = {**item, "attributes": ";".join(item["attributes"])}
        writer.writerow({key: safe_cell(value) for key, value in line.items()})
    return out.getvalue()


async def site_stalls(site_id: int) -> list[dict[str, Any]]:
    rows = await Stall.select().where((Stall.site == site_id) & (Stall.active == True)).run()  # noqa: E712
    return sorted(rows, key=lambda r: (r["zone"], len(r["code"]), r["code"]))


async def replace_map(site_id: int, stalls: list[dict[str, Any]]) -> int:
    """Make the site's map the imported one; stalls already given out are kept, inactive."""
    codes = {s["code"] for s in stalls}
    async with write_txn(Stall._meta.db):
        existing = {r["code"]: r for r in await Stall.select().where(Stall.site == site_id).run()}
        new = []
        for stall in stalls:
            if stall["code"] in existing:
                await (
                    Stall.update(
                        {getattr(Stall, k): v for k, v in stall.items()} | {Stall.active: True}
                    )
                    .where(Stall.id == existing[stall["code"]]["id"])
                    .run()
                )
            else:
                new.append(Stall(site=site_id, active=True, **stall))
        # New stalls in batches of one statement each, not one round trip per stall.
        for start in range(0, len(new), 500):
            await Stall.insert(*new[start : start + 500]).run()
        gone = [r["id"] for code, r in existing.items() if code not in codes]
        if gone:
            used = {
                r["stall"]
                for r in await Assignment.select(Assignment.stall)
                .where(Assignment.stall.is_in(gone))
                .run()
            }
            if used:
                await Stall.update({Stall.active: False}).where(Stall.id.is_in(list(used))).run()
            unused = [i for i in gone if i not in used]
            if unused:
                await Stall.delete().where(Stall.id.is_in(unused)).run()
    return len(stalls)


STATE_COLOURS = {
    "open": "#e8f5e9",
    "assigned": "#ffe0b2",
    "pinned": "#ffcc80",
    "closed": "#cfd8dc",
}


def svg(
    stalls: list[dict[str, Any]], language: str = "vi", mine: frozenset[str] = frozenset()
) -> str:
    """The map as SVG: stalls coloured by state; hovering shows the business (<title>); the
    stalls in `mine` carry the class "mine", so that a business finds its own at a glance."""
    if not stalls:
        return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>'
    scale = 20  # pixels per metre
    width = max(s["x"] + s["width"] for s in stalls) * scale + 20
    height = max(s["y"] + s["depth"] for s in stalls) * scale + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" font-family="Noto Sans, DejaVu Sans, sans-serif">',
        "<title>" + escape("Sơ đồ gian hàng" if language == "vi" else "Stall map") + "</title>",
    ]
    for stall in stalls:
        x, y = stall["x"] * scale + 10, stall["y"] * scale + 10
        w, h = stall["width"] * scale, stall["depth"] * scale
        business = stall.get("business")
        label = stall["code"] + (f" — {business['name']}" if business else "")
        parts.append(
            f'<g class="stall state-{stall["state"]}{" mine" if stall["code"] in mine else ""}" '
            f"data-code={quoteattr(stall['code'])}>"
            f"<title>{escape(label)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{STATE_COLOURS.get(stall["state"], "#fff")}" stroke="#37474f"/>'
            f'<text x="{x + w / 2:.1f}" y="{y + h / 2 + 4:.1f}" font-size="11" '
            f'text-anchor="middle">{escape(stall["code"])}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
