"""A business's own calendar: the fairs it applied to, with its stalls once published and a link
to its pass (/calendar/private/{token}.ics; the URL is its secret)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, route
from litestar.params import FromPath

from core.errors import AppError
from core.settings import get_settings
from events.calendar import Feed
from events.calendar_api import FEED_METHODS, serve_feed, strip_ics
from events.tables import Application, ApplicationStatus, Assignment, Fair
from tickets.tables import Pass, PassStatus
from vendors.tables import Business

IN_BUSINESS_FEED = (
    ApplicationStatus.APPROVED.value,
    ApplicationStatus.SUBMITTED.value,
    ApplicationStatus.WAITLISTED.value,
)


@route(
    "/calendar/private/{filename:str}",
    http_method=FEED_METHODS,
    media_type="text/calendar",
    tags=["calendars"],
    summary="A business's own fairs and stalls (the URL is its secret)",
)
async def business_feed(
    request: Request[Any, Any, Any], filename: FromPath[str]
) -> Response[bytes]:
    token = strip_ics(filename)
    business = (
        await Business.select(Business.id, Business.legal_name)
        .where(Business.calendar_token == token)
        .first()
        .run()
        if len(token) >= 20
        else None
    )
    if not business:
        raise AppError(404, "Không tìm thấy lịch.", "No such calendar.")
    applications = (
        await Application.select(Application.fair, Application.status)
        .where(
            (Application.business == business["id"])
            & Application.status.is_in(list(IN_BUSINESS_FEED))
        )
        .run()
    )
    mine = await _stalls_and_passes(business["id"], applications)
    feed = Feed(
        key=f"business-{business['id']}",
        name=f"Phiên chợ của {business['legal_name']}",
        description="Các phiên chợ doanh nghiệp tham gia. / The fairs your business takes part in.",
        where=Fair.id.is_in(list(mine) or [0]),
        business=mine,
        business_id=business["id"],
    )
    return await serve_feed(request, feed, private=True)


async def _stalls_and_passes(
    business_id: int, applications: list[dict[str, Any]]
) -> dict[int, tuple[str, str, str]]:
    """fair -> (application status, its stall codes once published, its pass's PDF link)."""
    given = (
        await Assignment.select(Assignment.fair, Assignment.stall.code)
        .where(
            (Assignment.application.business == business_id)
            & Assignment.fair.allocation_published_at.is_not_null()
        )
        .run()
    )
    stalls: dict[int, list[str]] = {}
    for row in given:
        stalls.setdefault(row["fair"], []).append(row["stall.code"])
    passes = {
        p["fair"]: p["id"]
        for p in await Pass.select(Pass.fair, Pass.id)
        .where(
            (Pass.application.business == business_id) & (Pass.status == PassStatus.ACTIVE.value)
        )
        .run()
    }
    base = get_settings().public_url
    return {
        a["fair"]: (
            a["status"],
            ", ".join(sorted(stalls.get(a["fair"], []))),
            f"{base}/api/passes/{passes[a['fair']]}/pdf" if a["fair"] in passes else "",
        )
        for a in applications
    }
