"""Who came to the fairs they held passes at: what the gate's arrivals tell the rest."""

from __future__ import annotations

from tickets.tables import Arrival, Pass


async def no_shows(business_ids: list[int]) -> dict[int, int]:
    """Completed fairs where the business held a pass and never came through the gate (the
    allocation's history weighs them)."""
    held = (
        await Pass.select(Pass.id, Pass.fair, Pass.application.business)
        .where(
            Pass.application.business.is_in(business_ids or [0])
            & (Pass.fair.status == "completed")
            & (Pass.status == "active")
        )
        .run()
    )
    came = {
        a["pass_id"]
        for a in await Arrival.select(Arrival.pass_)
        .where(Arrival.pass_.is_in([h["id"] for h in held] or [0]))
        .run()
    }
    missed: dict[int, set[int]] = {}
    for row in held:
        if row["id"] not in came:
            missed.setdefault(row["application.business"], set()).add(row["fair"])
    return {business: len(fairs) for business, fairs in missed.items()}
