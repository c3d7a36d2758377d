"""/console/reports: choose the period, the scope and the format of the report to download
(the file itself comes from GET /api/reports, which checks the scope again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get

from console.common import render, sites_for
from core.guards import current_principal, requires, scoped_by_ward
from core.roles import Right
from core.tables import Ward
from core.timezone import today_local
from events.tables import SETTING_LABELS


class ConsoleReportsController(Controller):
    include_in_schema = False
    guards = [requires(Right.VIEW_REPORTS)]

    @get("/console/reports")
    async def page(self, request: Request[Any, Any, Any]) -> Response[Any]:
        principal = current_principal(request)
        today = today_local()
        half_start = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
        query = Ward.select(Ward.slug, Ward.name).where(Ward.active == True)  # noqa: E712
        wards = [
            (w["slug"], w["name"])
            for w in await scoped_by_ward(query, principal, Ward.id).order_by(Ward.name).run()
        ]
        district_wide = principal.city_wide
        return render(
            request,
            "reports.html",
            values={
                "from": half_start.isoformat(),
                "to": today.isoformat(),
                "ward": "" if district_wide else (wards[0][0] if wards else ""),
            },
            errors={},
            ward_options=wards,
            site_options=[(s["slug"], s["name"]) for s in await sites_for(principal)],
            setting_options=[(k.value, v) for k, v in SETTING_LABELS.items()],
            district_wide=district_wide,
        )
