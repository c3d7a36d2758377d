"""HTTP: site stall maps (import, export) and a fair's map as it is read (JSON, SVG, the board's
view, the printed map). Changing the board: allocation.api."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, get, put
from litestar.params import FromPath, FromQuery, JSONBody

from core.errors import AppError, request_language
from core.guards import current_principal, ensure_body, requires
from core.roles import Right
from events import fair_map, stallmap
from events.fair_rows import fair_acted_on
from events.tables import Site

MANAGE_FAIRS = [requires(Right.MANAGE_FAIRS)]


class MapImport(msgspec.Struct, forbid_unknown_fields=True):
    """Either the stalls as JSON objects, or the text of a CSV file with the same columns."""

    stalls: list[dict[str, Any]] | None = None
    csv: Annotated[str, msgspec.Meta(max_length=2_000_000)] | None = None


async def _site(slug: str) -> dict[str, Any]:
    row = await Site.select(Site.id, Site.organizer).where(Site.slug == slug).first().run()
    if not row:
        raise AppError(404, f"Không tìm thấy địa điểm “{slug}”.", f"No site “{slug}”.")
    return row


class SiteMapController(Controller):
    tags = ["stall maps"]

    @get(
        "/api/sites/{slug:str}/stalls", summary="A site's stall map (JSON, or CSV with ?format=csv)"
    )
    async def export(self, slug: FromPath[str], format: FromQuery[str] = "json") -> Response[Any]:
        rows = await stallmap.site_stalls((await _site(slug))["id"])
        if format == "csv":
            return Response(
                stallmap.to_csv(rows),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": f'attachment; filename="so-do-{slug}.csv"'},
            )
        return Response([stallmap.stall_dict(r) for r in rows])

    @put(
        "/api/sites/{slug:str}/stalls",
        guards=[requires(Right.MANAGE_SITES)],
        summary="Replace a site's stall map",
    )
    async def replace(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: JSONBody[MapImport]
    ) -> dict[str, int]:
        site = await _site(slug)
        ensure_body(current_principal(request), site["organizer"])
        if (data.stalls is None) == (data.csv is None):
            raise AppError(
                422,
                "Gửi “stalls” (JSON) hoặc “csv”, một trong hai.",
                "Send either “stalls” (JSON) or “csv”.",
            )
        # Checking thousands of stalls takes a while: off the event loop, which serves others.
        stalls = await to_thread.run_sync(
            lambda: (
                stallmap.parse_rows(data.stalls)
                if data.stalls is not None
                else stallmap.parse_csv(data.csv or "")
            )
        )
        return {"stalls": await stallmap.replace_map(site["id"], stalls)}


class FairMapController(Controller):
    tags = ["stall maps"]

    @get(
        "/api/fairs/{fair_id:int}/stalls",
        summary="The fair's stall map, with who sells where once published",
    )
    async def stalls(self, fair_id: FromPath[int]) -> list[dict[str, Any]]:
        return await fair_map.fair_stalls(fair_id, public=True)

    @get(
        "/api/fairs/{fair_id:int}/map",
        summary="The fair's stall map as SVG",
        media_type="image/svg+xml",
    )
    async def map_svg(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> str:
        return stallmap.svg(
            await fair_map.fair_stalls(fair_id, public=True), request_language(request)
        )

    @get(
        "/api/fairs/{fair_id:int}/board",
        guards=MANAGE_FAIRS,
        summary="The allocation board: every stall and its state",
    )
    async def board_view(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> list[dict[str, Any]]:
        await fair_acted_on(current_principal(request), fair_id)
        return await fair_map.fair_stalls(fair_id, public=False)

    @get(
        "/api/fairs/{fair_id:int}/map.pdf",
        guards=MANAGE_FAIRS,
        summary="The map printed for the day (A3 PDF)",
        media_type="application/pdf",
    )
    async def map_print(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[bytes]:
        from events.map_pdf import map_pdf

        fair = await fair_acted_on(current_principal(request), fair_id)
        pdf = map_pdf(fair, await fair_map.fair_stalls(fair_id, public=False))
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="so-do-phien-cho-{fair_id}.pdf"'},
        )
