"""The administrative units of the province the system serves, as the law has them today.

Since 1 July 2025 a province has two levels: the province and its wards, communes and special
zones (168 in Ho Chi Minh City). The official names and 5-digit codes come from the
`vietnam-provinces` package, kept up to date with the General Statistics Office's list, so
the system never carries a hand-written copy. `PROVINCE_CODE` picks the province (79: Ho Chi
Minh City).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, ProvinceCode
from vietnam_provinces import Ward as LibraryWard

from core.text import clean, slugify

DEFAULT_PROVINCE_CODE = 79
_KIND_PREFIX = re.compile(r"^(Phường|Xã|Đặc khu)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    code: str  # the official code, five digits ("26743")
    name: str  # as officially written: "Phường Bến Thành"
    kind: str  # "phường", "xã" or "đặc khu"
    slug: str  # "ben-thanh"; the code is appended where two units would share a slug


def province_code() -> int:
    return int(os.environ.get("PROVINCE_CODE", DEFAULT_PROVINCE_CODE))


@cache
def province_name(code: int | None = None) -> str:
    return clean(Province.from_code(ProvinceCode(code or province_code())).name)


def short_name(name: str) -> str:
    """ "Phường Bến Thành" → "Bến Thành": the name without its kind."""
    return _KIND_PREFIX.sub("", clean(name))


@cache
def units(code: int | None = None) -> tuple[Unit, ...]:
    """Every ward, commune and special zone of the province, by official code."""
    rows = [
        (f"{w.code.value:05d}", clean(w.name), clean(str(w.division_type.value)))
        for w in LibraryWard.iter_by_province(ProvinceCode(code or province_code()))
    ]
    slugs = [slugify(short_name(name)) for _, name, _ in rows]
    # Two communes may share a name once diacritics are folded (Xã Thanh An, Xã Thạnh An).
    shared = {s for s in slugs if slugs.count(s) > 1}
    return tuple(
        Unit(code=c, name=name, kind=kind, slug=f"{slug}-{c}" if slug in shared else slug)
        for (c, name, kind), slug in sorted(zip(rows, slugs, strict=True))
    )


def unit_by_code(code: str) -> Unit | None:
    return next((u for u in units() if u.code == code), None)


_KIND_EN = {"phường": "ward", "xã": "commune", "đặc khu": "special zone", "thị trấn": "town"}


def ward_in_english(name: str) -> str:
    """ "Phường Bến Thành" → "Bến Thành ward"; "Xã Cần Giờ" → "Cần Giờ commune"."""
    title = ward_title(name)
    short = short_name(title) if not title.startswith("Thị trấn ") else title[9:]
    kind = title[: len(title) - len(short)].strip().lower()
    return f"{short} {_KIND_EN.get(kind, 'ward')}"


def ward_title(name: str) -> str:
    """A ward's name as a heading or an address writes it: "Phường Bến Thành". Today's units are
    stored so; a ward entered by hand as "Bến Nghé" is a ward (phường) by default."""
    name = clean(name)
    return name if _KIND_PREFIX.match(name) or name.startswith("Thị trấn ") else f"Phường {name}"


def position(unit: Unit) -> tuple[float, float] | None:
    """(lat, lon) of a unit's centre, from vietnamadminunits (it ships them; the name decides,
    since the two packages differ on a few codes). None where it does not know the unit."""
    from vietnamadminunits import parse_address

    parsed = parse_address(f"{unit.name}, {province_name()}", mode="FROM_2025", level=2)
    if parsed.latitude is None or clean(str(parsed.ward or "")) != unit.name:
        return None
    return float(parsed.latitude), float(parsed.longitude)
