"""Public web pages about fairs: the home page's list and one fair's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, route
from litestar.enums import HttpMethod
from litestar.params import FromPath
from litestar.response import Template

from core.errors import AppError
from core.timezone import now_utc
from core.web import day_label, page_context
from events.board import fair_stalls
from events.calendar_api import fair_feed, subscribe_links
from events.fairs import get_fair


@route("/fairs/{name:str}", http_method=[HttpMethod.GET, HttpMethod.HEAD], include_in_schema=False)
async def fair_page(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[Any]:
    """/fairs/12 is the fair's page; /fairs/12.ics adds it to a calendar."""
    if name.endswith(".ics") and name[:-4].isdigit():
        return await fair_feed(request, int(name[:-4]))
    if not name.isdigit():
        raise AppError(404, "Không tìm thấy phiên chợ.", "No such fair.")
    fair = await get_fair(int(name), request.scope.get("user"))
    stalls = await fair_stalls(fair.id, public=True)
    context = page_context(
        request,
        fair=fair,
        stalls=[s for s in stalls if s["business"]],
        start=dt.datetime.fromisoformat(fair.start),
        end=dt.datetime.fromisoformat(fair.end),
        day=day_label(dt.datetime.fromisoformat(fair.start), page_context(request)["lang"]),
        links=subscribe_links(f"/calendar/sites/{fair.site_slug}.ics"),
        ics=f"/fairs/{fair.id}.ics",
        past=dt.datetime.fromisoformat(fair.end) < now_utc(),
    )
    return Template("fair.html", context=context)
