"""/console/fairs/{id}/passes: the fair's passes, and the batch PDF to print them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from console.common import fair_for, render
from core.guards import requires
from core.roles import Right
from tickets.codes import KIND_LABELS, Kind
from tickets.services import pass_order
from tickets.tables import Pass

PASS_STATUS_LABELS = {"active": ("còn hiệu lực", "active"), "revoked": ("đã thu hồi", "revoked")}


class ConsolePassesController(Controller):
    include_in_schema = False
    guards = [requires(Right.MANAGE_FAIRS)]

    @get("/console/fairs/{fair_id:int}/passes")
    async def passes(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        fair = await fair_for(request, fair_id)
        rows = (
            await Pass.select(
                Pass.id, Pass.stalls, Pass.holder, Pass.kind, Pass.status, Pass.short_code
            )
            .where(Pass.fair == fair_id)
            .run()
        )
        rows.sort(key=pass_order)
        return render(
            request,
            "passes.html",
            fair=fair,
            passes=[{**r, "kind_label": KIND_LABELS.get(Kind(r["kind"]))} for r in rows],
            active=sum(1 for r in rows if r["status"] == "active"),
            status_labels=PASS_STATUS_LABELS,
        )
