"""The wards and communes, and the bodies that organize fairs, as every part of the app lists
them."""

from __future__ import annotations

import msgspec

from core.tables import Organizer, Ward
from core.text import fold, vi_sort_key
from core.units import short_name


class WardOut(msgspec.Struct):
    slug: str
    name: str
    code: str  # the official 5-digit code; empty for a ward entered by hand


class OrganizerOut(msgspec.Struct):
    slug: str
    name: str
    ward_code: str | None  # null for the city's steering committee
    ward_slug: str | None


async def list_wards(q: str = "") -> list[WardOut]:
    """The units in force (the abolished ones are kept for history only), by name; `q` keeps
    those whose name holds it, with or without diacritics ("ben thanh", "Bến Thành")."""
    rows = (
        await Ward.select(Ward.slug, Ward.name, Ward.code).where(Ward.active == True).run()  # noqa: E712
    )
    wanted = fold(q)
    if wanted:
        rows = [r for r in rows if wanted in fold(r["name"]) or wanted in r["code"]]
    rows.sort(key=lambda r: vi_sort_key(r["name"]))
    return [WardOut(slug=r["slug"], name=r["name"], code=r["code"]) for r in rows]


def ward_choices(wards: list[WardOut]) -> list[tuple[str, str]]:
    """(slug, label) for a form's list: the name first, so that typing its first letters in
    the list finds it ("Bến Thành (phường)"), in Vietnamese alphabetical order."""
    labelled = [(w.slug, _choice_label(w.name)) for w in wards]
    return sorted(labelled, key=lambda choice: vi_sort_key(choice[1]))


def _choice_label(name: str) -> str:
    short = short_name(name)
    kind = name[: len(name) - len(short)].strip().lower()
    return f"{short} ({kind})" if kind else short


async def list_organizers() -> list[OrganizerOut]:
    """The city's committee first, then the wards' committees by name."""
    rows = (
        await Organizer.select(
            Organizer.slug, Organizer.name, Organizer.ward.code, Organizer.ward.slug
        )
        .where(Organizer.active == True)  # noqa: E712
        .run()
    )
    rows.sort(key=lambda r: (r["ward.slug"] is not None, vi_sort_key(r["name"])))
    return [
        OrganizerOut(
            slug=r["slug"],
            name=r["name"],
            ward_code=r["ward.code"] if r["ward.slug"] is not None else None,
            ward_slug=r["ward.slug"],
        )
        for r in rows
    ]
