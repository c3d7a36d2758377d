"""A fair's stall map as it is read: the site's stalls, those closed for the fair, and who holds
which (for the public once the allocation is published). Every write is allocation's."""

from __future__ import annotations

from typing import Any

from core.errors import AppError
from events.fair_rows import fair_row
from events.stallmap import stall_dict
from events.tables import (
    Assignment,
    ClosedStall,
    FairStatus,
    Stall,
)
from vendors.tables import BusinessCategory


async def _business_categories(business_ids: list[int]) -> dict[int, list[str]]:
    rows = (
        await BusinessCategory.select(
            BusinessCategory.business,
            BusinessCategory.category.name_vi,
            BusinessCategory.category.position,
        )
        .where(BusinessCategory.business.is_in(business_ids or [0]))
        .run()
    )
    names: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        names.setdefault(row["business"], []).append(
            (row["category.position"], row["category.name_vi"])
        )
    return {b: [n for _, n in sorted(v)] for b, v in names.items()}


async def stalls_of(fair: dict[str, Any]) -> tuple[list[dict[str, Any]], set[int]]:
    """The site's active stalls, and the ids of those closed for this fair."""
    stalls = (
        await Stall.select()
        .where(
            (Stall.site == fair["site"]) & (Stall.active == True)  # noqa: E712
        )
        .run()
    )
    closed = {
        r["stall"]
        for r in await ClosedStall.select(ClosedStall.stall)
        .where(ClosedStall.fair == fair["id"])
        .run()
    }
    return stalls, closed


async def offered_stalls(fair: dict[str, Any]) -> int:
    """The stalls a fair offers: the active stalls of its site's map less those closed for it."""
    stalls, closed = await stalls_of(fair)
    return sum(s["id"] not in closed for s in stalls)


async def fair_stalls(fair_id: int, *, public: bool) -> list[dict[str, Any]]:
    """The fair's map as the outside contract spells it. The public sees who is where only
    once the allocation is published; organizers always see the board."""
    fair = await fair_row(fair_id)
    if public and fair["status"] == FairStatus.DRAFT.value:
        raise AppError(404, "Không tìm thấy phiên chợ.", "No such fair.")
    stalls, closed = await stalls_of(fair)
    show = not public or fair["allocation_published_at"] is not None
    assigned = (
        await Assignment.select(
            Assignment.stall,
            Assignment.pinned,
            Assignment.application,
            Assignment.application.business,
            Assignment.application.business.legal_name,
            Assignment.application.business.trade_name,
        )
        .where(Assignment.fair == fair_id)
        .run()
        if show
        else []
    )
    by_stall = {a["stall"]: a for a in assigned}
    categories = await _business_categories([a["application.business"] for a in assigned])
    out = []
    for stall in sorted(stalls, key=lambda r: (r["zone"], len(r["code"]), r["code"])):
        item = stall_dict(stall)
        taken = by_stall.get(stall["id"])
        if stall["id"] in closed:
            item["state"] = "closed"
        elif taken:
            item["state"] = "pinned" if taken["pinned"] and not public else "assigned"
        else:
            item["state"] = "open"
        item["business"] = (
            {
                "name": taken["application.business.trade_name"]
                or taken["application.business.legal_name"],
                "categories": categories.get(taken["application.business"], []),
            }
            if taken
            else None
        )
        if taken and not public:
            item["application_id"] = taken["application"]
        out.append(item)
    return out
