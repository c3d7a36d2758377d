"""Addresses written before 1 July 2025 (ward, district, province) rewritten in today's units.

That day the districts went and the wards were merged: an old ward went whole into one new
ward, or was split between several. The `vietnamadminunits` package knows both. Its legacy
parser reads the old ward ("Phường Bến Nghé, Quận 1", "P. Ben Nghe, Q.1", "TP HCM"), and its
converter's data (`data/converter_2025.json`) lists for each new ward the old wards that went
into it whole (`DICT_PROVINCE_WARD_NO_DIVIDED`) and for each split old ward every new ward that
took a part of it (`DICT_PROVINCE_WARD_DIVIDED`). For a split ward with a street the library
would ask an online geocoder (geopy's ArcGIS) where the street is, to pick one new ward; this
system never calls another service, so a split ward answers with every new ward it went into,
and a person chooses.

Names and codes in the answer are `core.units`' (vietnam-provinces), the system's official list.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from core.text import clean, fold, vi_sort_key
from core.units import Unit, province_code, province_name, short_name, unit_by_code, units

logger = logging.getLogger(__name__)

MAX_LENGTH = 300

# A ward's kind left at the end of the street by the parser when only the ward's name matched:
# "12 Lê Lợi P. Bến Nghé" gives the street "12 Lê Lợi P". ("xa" alone is left: it is a word.)
_KIND_LEFT_IN_STREET = re.compile(
    r"(?:^|[\s,.])(?:p|x|tt|đk|dk|phường|phuong|xã|thị trấn|thi tran|đặc khu|dac khu)\.?$",
    re.IGNORECASE,
)
# How an address names today's ward by its kind, folded: "phuong ben thanh", "p.ben thanh".
_KIND_WORDS = {"phường": "phuong|p", "xã": "xa|x", "đặc khu": "dac khu|dk"}


@dataclass(frozen=True)
class Candidate:
    address: str  # "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"
    ward_code: str
    ward_name: str
    ward_slug: str


class OnlineLookupRefused(RuntimeError):
    """The library was about to ask a geocoder on the Internet; this system never does."""


def _refuse_lookup(address: str) -> Any:
    raise OnlineLookupRefused(f"vietnamadminunits tried to geocode {address!r}")


@dataclass(frozen=True)
class _Library:
    parse: Any  # parse_address
    convert: Any  # convert_address
    key: Any  # its key of a text: no diacritics, lower case, letters and digits only
    merged: dict[str, list[str]]  # new province key: the old provinces in it
    whole: dict[str, dict[str, list[str]]]  # new province: new ward: old wards gone whole
    split: dict[str, dict[str, list[dict[str, Any]]]]  # new province: old ward: its parts
    provinces: dict[str, dict[str, Any]]  # new province key: names and code


@cache
def _library() -> _Library:
    """The package, imported on first use: loading its data takes most of a second, which the
    app's start and the commands that never convert an address need not pay."""
    from vietnamadminunits import convert_address, parse_address
    from vietnamadminunits.converter import converter_2025
    from vietnamadminunits.parser import parser_from_2025, utils

    # Its only way out to the network; the converter holds its own reference to the function.
    # Never reached (split wards are answered from the data before the converter is called):
    # refusing makes a path that would reach it fail loudly rather than go online.
    utils.get_geo_location = _refuse_lookup
    converter_2025.get_geo_location = _refuse_lookup
    return _Library(
        parse=parse_address,
        convert=convert_address,
        key=utils.key_normalize,
        merged=converter_2025.DICT_PROVINCE,
        whole=converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED,
        split=converter_2025.DICT_PROVINCE_WARD_DIVIDED,
        provinces=parser_from_2025.DICT_PROVINCE,
    )


@cache
def _new_province_key() -> str | None:
    """The library's key of the province served ("thanhphohochiminh")."""
    code = str(province_code())
    return next((k for k, v in _library().provinces.items() if v["provinceCode"] == code), None)


@cache
def _old_keys() -> tuple[frozenset[str], frozenset[str]]:
    """The old provinces merged into the province served (Ho Chi Minh City took Bình Dương and
    Bà Rịa - Vũng Tàu), and every old "province_district_ward" key the converter knows there."""
    library, key = _library(), _new_province_key()
    if key is None:
        return frozenset(), frozenset()
    whole, split = library.whole.get(key, {}), library.split.get(key, {})
    wards = {old for olds in whole.values() for old in olds} | set(split)
    return frozenset(library.merged.get(key, ())), frozenset(wards)


def _old_key(unit: Any) -> str:
    # As the converter builds it; islands without wards (Côn Đảo) end in "_".
    return f"{unit.province_key}_{unit.district_key}_{unit.ward_key or ''}"


@cache
def _units_by_name() -> dict[str, Unit]:
    return {u.name: u for u in units()}


def _official(code: Any, name: Any) -> Unit | None:
    """The library's new ward as `core.units` has it. The two packages disagree on the codes of
    ten of the city's wards (Bàn Cờ is 27154 in one, 27160 in the other): where the code names
    another ward or none, the name, unique in the province, decides."""
    if not isinstance(name, str) or not name:
        return None
    unit = unit_by_code(str(code))
    if unit is not None and unit.name == clean(name):
        return unit
    unit = _units_by_name().get(clean(name))
    if unit is None:
        logger.warning("vietnamadminunits names a ward core.units lacks: %s %s", code, name)
    return unit


@cache
def _new_ward(key: str) -> Unit | None:
    """A new ward from the converter's key ("phuongsaigon"), read back by the library's parser
    as the converter does."""
    parsed = _library().parse(
        f"{key},{_new_province_key()}", mode="FROM_2025", keep_street=False, level=2
    )
    return _official(parsed.ward_code, parsed.ward)


def _street(text: str, parsed: str | None) -> str | None:
    """The street as the person wrote it: the parser title-cases it and spaces out hyphens
    ("12-14" becomes "12 - 14"), so the same stretch is taken from the text itself."""
    if not parsed:
        return None
    key = _library().key
    target = key(parsed)
    end = next((i for i in range(1, len(text) + 1) if key(text[:i]) == target), None)
    street = text[:end] if end else parsed
    if end and not text[end:].lstrip(" .").startswith(","):
        street = _KIND_LEFT_IN_STREET.sub("", street)
    return clean(street.strip(" ,.-")) or None


def _candidate(street: str | None, unit: Unit) -> Candidate:
    address = ", ".join(part for part in (street, unit.name, province_name()) if part)
    return Candidate(clean(address), unit.code, unit.name, unit.slug)


def _sorted(found: list[Unit]) -> list[Unit]:
    return sorted(set(found), key=lambda u: (vi_sort_key(u.name), u.code))


def _parse_old(text: str) -> tuple[str, Any]:
    """The old ward (the text read, the library's unit). Without a province the parser may take
    one from a ward's name ("Phường Nguyễn Thái Bình, Quận 1" holds Thái Bình): when the
    province it found has no district named, the text is read again inside the province served.
    A district found elsewhere ("Huyện Tân Phú, Đồng Nai") keeps the address there."""
    library = _library()
    variant = text
    parsed = library.parse(variant, mode="LEGACY", keep_street=True, level=3)
    if not parsed.district_key:
        variant = f"{text}, {province_name()}"
        parsed = library.parse(variant, mode="LEGACY", keep_street=True, level=3)
    return variant, parsed


def _from_old(text: str, variant: str, parsed: Any) -> list[Candidate]:
    street = _street(text, parsed.street)
    split = _library().split.get(_new_province_key() or "", {})
    parts = split.get(_old_key(parsed))
    if parts:
        found = [_new_ward(part["newWardKey"]) for part in parts]
    else:
        new = _library().convert(variant)
        found = [_official(new.ward_code, new.ward)]
    return [_candidate(street, unit) for unit in _sorted([u for u in found if u])]


def _names_kind(text: str, unit: Unit) -> bool:
    """ "Phường Bình Thạnh" names today's ward; "Quận Bình Thạnh" named the old district."""
    kind = _KIND_WORDS.get(unit.kind, re.escape(fold(unit.kind)))
    name = re.escape(fold(short_name(unit.name)))
    return re.search(rf"\b(?:{kind})\.?\s*{name}\b", fold(text)) is not None


def _from_new(text: str, names_old_district: bool) -> list[Candidate]:
    """An address already in today's units, read by the library's parser of them."""
    library = _library()
    for variant in (text, f"{text}, {province_name()}"):
        parsed = library.parse(variant, mode="FROM_2025", keep_street=True, level=2)
        if parsed.ward_code:
            break
    if not parsed.ward_code or parsed.province_code != str(province_code()):
        return []
    unit = _official(parsed.ward_code, parsed.ward)
    if unit is None or (names_old_district and not _names_kind(text, unit)):
        return []
    return [_candidate(_street(text, parsed.street), unit)]


@lru_cache(maxsize=2048)
def _convert(text: str) -> tuple[Candidate, ...]:
    if not text:
        return ()
    provinces, known = _old_keys()
    variant, parsed = _parse_old(text)
    if parsed.province_key in provinces and _old_key(parsed) in known:
        return tuple(_from_old(text, variant, parsed))
    if parsed.ward_key:  # an old ward of another province
        return ()
    names_old_district = parsed.province_key in provinces and bool(parsed.district_key)
    return tuple(_from_new(text, names_old_district))


def convert(address: str) -> list[Candidate]:
    """The address in today's units: one candidate when its old ward went whole into a new one
    (or it names a ward of today), every new ward it went into when it was split (in Vietnamese
    alphabetical order), none when it names no ward the library knows in the province."""
    return list(_convert(clean(address)))
