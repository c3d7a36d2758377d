"""GET /console: what needs the officer's action now, in their wards."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from console.common import fairs_for, render
from core.guards import current_principal, requires, scoped_by_ward
from core.roles import Right
from core.timezone import start_of_local_day, today_local
from events.tables import Application, ApplicationStatus, FairStatus
from vendors.tables import Business, BusinessStatus


async def _waiting_businesses(principal: Any) -> int:
    waiting = [BusinessStatus.PENDING.value, BusinessStatus.CHANGES_REQUESTED.value]
    query = Business.count().where(Business.status.is_in(waiting))
    return await scoped_by_ward(query, principal, Business.ward).run()


async def _applications_by_fair(fair_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = (
        await Application.select(Application.fair, Application.status)
        .where(Application.fair.is_in(fair_ids or [0]))
        .run()
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        per = counts.setdefault(row["fair"], {})
        per[row["status"]] = per.get(row["status"], 0) + 1
    return counts


class DashboardController(Controller):
    include_in_schema = False
    guards = [requires(Right.MANAGE_FAIRS)]

    @get("/console")
    async def dashboard(self, request: Request[Any, Any, Any]) -> Template:
        principal = current_principal(request)
        fairs = [
            f
            # From this morning: a fair that ended earlier today is still today's.
            for f in await fairs_for(principal, since=start_of_local_day(today_local()))
            if f["status"] in (FairStatus.DRAFT.value, FairStatus.PUBLISHED.value)
        ]
        counts = await _applications_by_fair([f["id"] for f in fairs])
        today = today_local().strftime("%d/%m/%Y")
        for fair in fairs:
            per = counts.get(fair["id"], {})
            fair["to_decide"] = per.get(ApplicationStatus.SUBMITTED.value, 0)
            fair["approved"] = per.get(ApplicationStatus.APPROVED.value, 0)
            fair["today"] = fair["day_vi"].endswith(today)
        return render(
            request,
            "dashboard.html",
            waiting_businesses=await _waiting_businesses(principal),
            today=[f for f in fairs if f["today"] and f["status"] == "published"],
            drafts=[f for f in fairs if f["status"] == FairStatus.DRAFT.value],
            to_decide=[f for f in fairs if f["to_decide"]],
            to_allocate=[
                f
                for f in fairs
                if f["approved"]
                and f["allocation_published_at"] is None
                and f["status"] == FairStatus.PUBLISHED.value
            ],
        )
