"""HTTP: the report to the steering committee, as PDF, CSV or an Excel workbook."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery, QueryParameter

from core.guards import current_principal, requires
from core.roles import Right
from reports.documents import render_report
from reports.period import MEDIA_TYPES, parse_format, parse_period
from reports.scope import scope_for


class ReportController(Controller):
    tags = ["reports"]

    @get(
        "/api/reports",
        guards=[requires(Right.VIEW_REPORTS)],
        summary="The report for a period (from/to or period=2026-H1) as pdf, csv or xlsx",
        description=(
            "Dates are local (Asia/Ho_Chi_Minh), both included. Scope: the district by default, "
            "or one of ward, site, setting. Ward officers: their own wards only."
        ),
        media_type=MEDIA_TYPES["pdf"],
    )
    async def report(
        self,
        request: Request[Any, Any, Any],
        # Text, not dates: a bad date gets the report's own message in both languages.
        start: Annotated[str | None, QueryParameter(name="from")] = None,
        end: Annotated[str | None, QueryParameter(name="to")] = None,
        period: FromQuery[str | None] = None,
        format: FromQuery[str | None] = None,
        ward: FromQuery[str | None] = None,
        site: FromQuery[str | None] = None,
        setting: FromQuery[str | None] = None,
        organizer: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        chosen = parse_format(format)
        span = parse_period(start, end, period)
        scope = await scope_for(current_principal(request), ward, site, setting, organizer)
        body, filename = await render_report(span, scope, chosen)
        return Response(
            body,
            media_type=MEDIA_TYPES[chosen],
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )
