"""The city's wards and communes as every part of the app lists them."""

from __future__ import annotations

import msgspec

from core.tables import Ward
from core.text import vi_sort_key


class WardOut(msgspec.Struct):
    slug: str
    name: str


async def list_wards() -> list[WardOut]:
    rows = await Ward.select(Ward.slug, Ward.name).where(Ward.active == True).run()  # noqa: E712
    rows.sort(key=lambda r: vi_sort_key(r["name"]))
    return [WardOut(slug=r["slug"], name=r["name"]) for r in rows]
