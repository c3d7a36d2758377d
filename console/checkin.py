"""/console/fairs/{id}/checkin: arrivals at the gate as they happen (the counts poll by HTMX)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from console.common import fair_for, render
from core.guards import current_principal, requires
from core.roles import Right
from core.timezone import local
from tickets import checkin
from tickets.gate_scope import ensure_gate_scope
from tickets.tables import Arrival

POLL_SECONDS = 3


async def live_state(fair_id: int) -> dict[str, Any]:
    recent = (
        await Arrival.select(
            Arrival.scanned_at, Arrival.gate, Arrival.pass_.holder, Arrival.pass_.stalls
        )
        .where(Arrival.fair == fair_id)
        .order_by(Arrival.scanned_at, ascending=False)
        .limit(10)
        .run()
    )
    return {
        "counts": await checkin.counts(fair_id),
        "conflicts": await checkin.offline_conflicts(fair_id),
        "recent": [
            {
                "time": f"{local(r['scanned_at']):%H:%M}",
                "holder": r["pass_id.holder"],
                "stalls": r["pass_id.stalls"],
                "gate": r["gate"],
            }
            for r in recent
        ],
        "poll_seconds": POLL_SECONDS,
    }


class ConsoleCheckInController(Controller):
    include_in_schema = False
    guards = [requires(Right.MANAGE_FAIRS)]

    @get("/console/fairs/{fair_id:int}/checkin")
    async def page(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> Response[Any]:
        fair = await fair_for(request, fair_id)
        await ensure_gate_scope(current_principal(request), fair)
        return render(request, "checkin.html", fair=fair, **await live_state(fair_id))

    @get("/console/fairs/{fair_id:int}/checkin/counts")
    async def counts(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        fair = await fair_for(request, fair_id)
        await ensure_gate_scope(current_principal(request), fair)
        return render(request, "checkin_counts.html", fair=fair, **await live_state(fair_id))
