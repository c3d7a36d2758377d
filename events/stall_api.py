"""HTTP: site stall maps (import, export), a fair's map (JSON, SVG) and its allocation board."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from core.errors import AppError, request_language
from core.guards import current_principal, ensure_ward, requires
from core.roles import Right
from events import allocate, board, stallmap
from events.tables import Site

MANAGE_FAIRS = [requires(Right.MANAGE_FAIRS)]


class MapImport(msgspec.Struct, forbid_unknown_fields=True):
    """Either the stalls as JSON objects, or the text of a CSV file with the same columns."""

    stalls: list[dict[str, Any]] | None = None
    csv: Annotated[str, msgspec.Meta(max_length=2_000_000)] | None = None


class ClosedIn(msgspec.Struct, forbid_unknown_fields=True):
    codes: list[str]


class AssignIn(msgspec.Struct, forbid_unknown_fields=True):
    application_id: int
    stall_codes: Annotated[list[str], msgspec.Meta(min_length=1, max_length=2)]
    pinned: bool = True
    reason: str = ""


class SwapIn(msgspec.Struct, forbid_unknown_fields=True):
    application_ids: Annotated[list[int], msgspec.Meta(min_length=2, max_length=2)]
    reason: str = ""


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str = ""


class PinIn(msgspec.Struct, forbid_unknown_fields=True):
    pinned: bool


class RunIn(msgspec.Struct, forbid_unknown_fields=True):
    """Weights to change for this run; those left out keep their defaults."""

    weights: dict[str, float] = msgspec.field(default_factory=dict)


async def _site(slug: str) -> dict[str, Any]:
    row = await Site.select(Site.id, Site.ward).where(Site.slug == slug).first().run()
    if not row:
        raise AppError(404, f"Không tìm thấy địa điểm “{slug}”.", f"No site “{slug}”.")
    return row


class SiteMapController(Controller):
    path = "/api/sites/{slug:str}/stalls"
    tags = ["stall maps"]

    @get("/", summary="A site's stall map (JSON, or CSV with ?format=csv)")
    async def export(self, slug: FromPath[str], format: FromQuery[str] = "json") -> Response[Any]:
        rows = await stallmap.site_stalls((await _site(slug))["id"])
        if format == "csv":
            return Response(
                stallmap.to_csv(rows),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": f'attachment; filename="so-do-{slug}.csv"'},
            )
        return Response([stallmap.stall_dict(r) for r in rows])

    @put("/", guards=[requires(Right.MANAGE_SITES)], summary="Replace a site's stall map")
    async def replace(
        self, request: Request[Any, Any, Any], slug: FromPath[str], data: JSONBody[MapImport]
    ) -> dict[str, int]:
        site = await _site(slug)
        ensure_ward(current_principal(request), site["ward"])
        if (data.stalls is None) == (data.csv is None):
            raise AppError(
                422,
                "Gửi “stalls” (JSON) hoặc “csv”, một trong hai.",
                "Send either “stalls” (JSON) or “csv”.",
            )
        # Checking thousands of stalls takes a while: off the event loop, which serves others.
        stalls = await to_thread.run_sync(
            lambda: stallmap.parse_rows(data.stalls)
            if data.stalls is not None
            else stallmap.parse_csv(data.csv or "")
        )
        return {"stalls": await stallmap.replace_map(site["id"], stalls)}


class FairMapController(Controller):
    path = "/api/fairs/{fair_id:int}"
    tags = ["stall maps"]

    @get("/stalls", summary="The fair's stall map, with who sells where once published")
    async def stalls(self, fair_id: FromPath[int]) -> list[dict[str, Any]]:
        return await board.fair_stalls(fair_id, public=True)

    @get("/map", summary="The fair's stall map as SVG", media_type="image/svg+xml")
    async def map_svg(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> str:
        return stallmap.svg(
            await board.fair_stalls(fair_id, public=True), request_language(request)
        )

    @get("/board", guards=MANAGE_FAIRS, summary="The allocation board: every stall and its state")
    async def board_view(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> list[dict[str, Any]]:
        fair = await board.fair_row(fair_id)
        ensure_ward(current_principal(request), fair["site.ward"])
        return await board.fair_stalls(fair_id, public=False)

    @get(
        "/map.pdf",
        guards=MANAGE_FAIRS,
        summary="The map printed for the day (A3 PDF)",
        media_type="application/pdf",
    )
    async def map_print(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[bytes]:
        from events.map_pdf import map_pdf

        fair = await board.fair_row(fair_id)
        ensure_ward(current_principal(request), fair["site.ward"])
        pdf = map_pdf(fair, await board.fair_stalls(fair_id, public=False))
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="so-do-phien-cho-{fair_id}.pdf"'},
        )

    @get(
        "/allocation",
        guards=MANAGE_FAIRS,
        summary="The board's assignments and omissions, each with its reasons",
    )
    async def allocation(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> dict[str, Any]:
        fair = await board.fair_row(fair_id)
        ensure_ward(current_principal(request), fair["site.ward"])
        return await allocate.board_summary(fair_id)

    @post(
        "/allocation/run",
        status_code=200,
        guards=MANAGE_FAIRS,
        summary="Propose an allocation (pins kept), scored against first-come-first-served",
    )
    async def run(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[RunIn]
    ) -> dict[str, Any]:
        from dataclasses import fields

        from events.allocation.model import Weights

        known = {f.name for f in fields(Weights)}
        unknown = sorted(set(data.weights) - known)
        if unknown:
            raise AppError(
                422,
                f"Không có trọng số: {', '.join(unknown)}.",
                f"No such weights: {', '.join(unknown)}.",
                extra={"allowed": sorted(known)},
            )
        try:
            weights = Weights(**data.weights)
        except ValueError as exc:
            raise AppError(422, f"Trọng số không hợp lệ: {exc}", f"Invalid weights: {exc}") from exc
        return await allocate.run_allocation(current_principal(request), fair_id, weights)

    @post(
        "/allocation/publish",
        status_code=200,
        guards=MANAGE_FAIRS,
        summary="Publish the board: businesses are told their stalls",
    )
    async def publish(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> dict[str, Any]:
        return await allocate.publish(current_principal(request), fair_id)

    @put("/closed-stalls", guards=MANAGE_FAIRS, summary="Close stalls of the map for this fair")
    async def closed(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[ClosedIn]
    ) -> dict[str, list[str]]:
        codes = await board.set_closed(current_principal(request), fair_id, data.codes)
        return {"closed": codes}

    @post("/assignments", guards=MANAGE_FAIRS, summary="Give stalls to an application (a move)")
    async def assign(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[AssignIn]
    ) -> dict[str, Any]:
        await board.assign(
            current_principal(request),
            fair_id,
            data.application_id,
            data.stall_codes,
            pinned=data.pinned,
            reason=data.reason,
        )
        return {"application_id": data.application_id, "stall_codes": sorted(data.stall_codes)}

    @post(
        "/assignments/swap",
        status_code=200,
        guards=MANAGE_FAIRS,
        summary="Two applications trade their stalls",
    )
    async def swap(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[SwapIn]
    ) -> dict[str, Any]:
        first, second = data.application_ids
        await board.swap(current_principal(request), fair_id, first, second, data.reason)
        return {"swapped": [first, second]}

    @post(
        "/assignments/{application_id:int}/unassign",
        status_code=200,
        guards=MANAGE_FAIRS,
        summary="Take an application's stalls back",
    )
    async def unassign(
        self,
        request: Request[Any, Any, Any],
        fair_id: FromPath[int],
        application_id: FromPath[int],
        data: JSONBody[ReasonIn],
    ) -> dict[str, Any]:
        await board.unassign(current_principal(request), fair_id, application_id, data.reason)
        return {"application_id": application_id, "stall_codes": []}

    @post(
        "/assignments/{application_id:int}/pin",
        status_code=200,
        guards=MANAGE_FAIRS,
        summary="Pin or unpin an assignment (pins survive re-runs)",
    )
    async def pin(
        self,
        request: Request[Any, Any, Any],
        fair_id: FromPath[int],
        application_id: FromPath[int],
        data: JSONBody[PinIn],
    ) -> dict[str, Any]:
        await board.set_pinned(current_principal(request), fair_id, application_id, data.pinned)
        return {"application_id": application_id, "pinned": data.pinned}
