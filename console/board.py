"""/console/fairs/{id}/board: the allocation board. The stall map beside the approved and
waitlisted applications; run the allocation, move, swap, pin, unassign, publish. Every action is
a plain form (keyboard and no-script path); static/board.js adds click-to-place and drag and
drop, posting the same forms through htmx and swapping the board in with the answer, errors
included (a 409 says what happened and shows the board as it now is)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from allocation import board, runs
from console.common import fair_for, message_of, render
from core.errors import AppError, request_language
from core.guards import current_principal, requires
from core.i18n import gettext
from core.pages import form_values
from core.roles import Right
from core.timezone import local
from events import fair_map
from events.applications import STATUS_LABELS
from events.stallmap import ATTRIBUTE_LABELS, Box, adjacency
from events.tables import Application, ApplicationStatus

SCALE = 20  # pixels per metre, as events/stallmap.svg draws the public map
MARGIN = 10


def map_view(stalls: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The stalls placed in SVG coordinates. Drawn by the page rather than by stallmap.svg():
    on the board every stall is a focusable, clickable drop target."""
    placed = [
        {
            **s,
            "px": s["x"] * SCALE + MARGIN,
            "py": s["y"] * SCALE + MARGIN,
            "pw": s["width"] * SCALE,
            "ph": s["depth"] * SCALE,
            "features": ", ".join(
                ATTRIBUTE_LABELS[a][1 if lang == "en" else 0] for a in s["attributes"]
            ),
        }
        for s in stalls
    ]
    width = max((s["px"] + s["pw"] for s in placed), default=0) + MARGIN
    height = max((s["py"] + s["ph"] for s in placed), default=0) + MARGIN
    return {"stalls": placed, "width": round(width), "height": round(height)}


async def board_rows(fair_id: int) -> list[dict[str, Any]]:
    """Approved applications first (they get stalls), then the waitlist, in order of arrival."""
    rows = (
        await Application.select(
            Application.id,
            Application.status,
            Application.stalls_requested,
            Application.needs_power,
            Application.needs_water,
            Application.food_handling,
            Application.needs_accessible,
            Application.business.legal_name,
            Application.business.trade_name,
        )
        .where(
            (Application.fair == fair_id)
            & Application.status.is_in(
                [ApplicationStatus.APPROVED.value, ApplicationStatus.WAITLISTED.value]
            )
        )
        .order_by(Application.created_at)
        .order_by(Application.id)
        .run()
    )
    rows.sort(key=lambda r: r["status"] != ApplicationStatus.APPROVED.value)
    return rows


async def free_neighbour(code: str, stalls: list[dict[str, Any]]) -> str:
    """A double-stall application dropped on one stall takes a free joinable neighbour too."""
    boxes = [Box(s["code"], s["x"], s["y"], s["width"], s["depth"]) for s in stalls]
    joinable = {s["code"] for s in stalls if "joinable" in s["attributes"]}
    free = {s["code"] for s in stalls if s["state"] == "open"}
    for other in sorted(adjacency(boxes).get(code, set())):
        if other in free and other in joinable and code in joinable:
            return other
    raise AppError(
        422,
        f"Đơn này xin hai gian: gian {code} không có gian liền kề còn trống để ghép đôi.",
        f"This application asks for two stalls: {code} has no free joinable neighbour.",
    )


def reason_text(reason: dict[str, str] | str, lang: str) -> str:
    """The solver's reasons carry both languages; a move by hand is stored as "manual"."""
    if isinstance(reason, str):
        return gettext("Ban tổ chức xếp tay.") if reason == "manual" else reason
    return reason.get(lang) or reason.get("vi", "")


class ConsoleBoardController(Controller):
    include_in_schema = False
    guards = [requires(Right.MANAGE_FAIRS)]

    async def _board(
        self,
        request: Request[Any, Any, Any],
        fair_id: int,
        *,
        status: int = 200,
        notice: str = "",
        error: str = "",
        run: dict[str, Any] | None = None,
        confirm: dict[str, Any] | None = None,
        summary: dict[str, Any] | None = None,
    ) -> Response[Any]:
        """The board as it is now (`summary` when the caller has just read it)."""
        fair = await fair_for(request, fair_id)
        stalls = await fair_map.fair_stalls(fair_id, public=False)
        summary = summary or await runs.board_summary(fair_id)
        held = {a["application_id"]: a for a in summary["assignments"]}
        left = {a["application_id"]: a for a in summary["left_out"]}
        lang = request_language(request)
        rows = []
        for row in await board_rows(fair_id):
            given = held.get(row["id"])
            reasons = (given or left.get(row["id"]) or {}).get("reasons") or []
            rows.append(
                {
                    **row,
                    "name": row["business.trade_name"] or row["business.legal_name"],
                    "stalls": sorted(given["stall_codes"]) if given else [],
                    "pinned": bool(given and given["pinned"]),
                    "reasons": [reason_text(r, lang) for r in reasons],
                }
            )
        template = "board_panel.html" if request.headers.get("hx-request") else "board.html"
        return render(
            request,
            template,
            status=status,
            fair=fair,
            map=map_view(stalls, lang),
            rows=rows,
            stall_codes=[s["code"] for s in stalls if s["state"] != "closed"],
            published_at=summary["published_at"],
            status_labels=STATUS_LABELS,
            notice=notice,
            error=error,
            run=_run_view(run or summary["last_run"]),
            confirm=confirm,
        )

    async def _act(
        self, request: Request[Any, Any, Any], fair_id: int, action: Any
    ) -> Response[Any]:
        """Run one board action; a refusal is shown with the board as it is now."""
        try:
            notice = await action()
        except AppError as exc:
            if exc.status_code not in (404, 409, 422):
                raise
            return await self._board(
                request,
                fair_id,
                status=exc.status_code,
                error=message_of(exc, request_language(request)),
            )
        if isinstance(notice, dict):
            return await self._board(request, fair_id, run=notice)
        return await self._board(request, fair_id, notice=notice)

    @get("/console/fairs/{fair_id:int}/board")
    async def show(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> Response[Any]:
        return await self._board(request, fair_id)

    @post("/console/fairs/{fair_id:int}/board/run", status_code=200)
    async def run(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> Response[Any]:
        await fair_for(request, fair_id)
        values = await form_values(request)
        summary = await runs.board_summary(fair_id)
        redone = sum(not a["pinned"] for a in summary["assignments"])
        if redone and values.get("confirm") != "1":
            # A run redoes every stall not pinned: hand work and a published board are lost
            # to a stray click unless the organizer says so.
            return await self._board(
                request,
                fair_id,
                confirm={
                    "action": "run",
                    "redone": redone,
                    "pinned": len(summary["assignments"]) - redone,
                    "published": bool(summary["published_at"]),
                },
                summary=summary,
            )

        async def action() -> dict[str, Any]:
            return await runs.run_allocation(current_principal(request), fair_id)

        return await self._act(request, fair_id, action)

    @post("/console/fairs/{fair_id:int}/board/place", status_code=200)
    async def place(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> Response[Any]:
        """Put an application on a stall: a free stall is a move, a taken one a swap."""
        await fair_for(request, fair_id)
        values = await form_values(request)
        principal = current_principal(request)

        async def action() -> str:
            application_id = _int(values.get("application_id"), "application_id")
            code = str(values.get("stall_code", "")).strip().upper()
            stalls = await fair_map.fair_stalls(fair_id, public=False)
            target = next((s for s in stalls if s["code"] == code), None)
            if target is None:
                raise AppError(422, "Hãy chọn một gian trên sơ đồ.", "Choose a stall on the map.")
            holder = target.get("application_id")
            if holder == application_id:
                return gettext("Doanh nghiệp đã ở gian %(code)s.") % {"code": code}
            if holder is not None:
                await board.swap(principal, fair_id, application_id, holder, "")
                return gettext("Đã đổi gian giữa hai doanh nghiệp (gian %(code)s).") % {
                    "code": code
                }
            wanted = (
                await Application.select(Application.stalls_requested)
                .where((Application.id == application_id) & (Application.fair == fair_id))
                .first()
                .run()
            )
            codes = [code]
            if wanted and wanted["stalls_requested"] == 2:
                codes.append(await free_neighbour(code, stalls))
            await board.assign(principal, fair_id, application_id, codes, pinned=True, reason="")
            return gettext("Đã xếp vào gian %(codes)s và ghim lại.") % {"codes": ", ".join(codes)}

        return await self._act(request, fair_id, action)

    @post("/console/fairs/{fair_id:int}/board/pin", status_code=200)
    async def pin(self, request: Request[Any, Any, Any], fair_id: FromPath[int]) -> Response[Any]:
        await fair_for(request, fair_id)
        values = await form_values(request)

        async def action() -> str:
            pinned = values.get("pinned") == "1"
            await board.set_pinned(
                current_principal(request),
                fair_id,
                _int(values.get("application_id"), "application_id"),
                pinned,
            )
            return gettext("Đã ghim gian.") if pinned else gettext("Đã bỏ ghim gian.")

        return await self._act(request, fair_id, action)

    @post("/console/fairs/{fair_id:int}/board/unassign", status_code=200)
    async def unassign(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        await fair_for(request, fair_id)
        values = await form_values(request)

        async def action() -> str:
            await board.unassign(
                current_principal(request),
                fair_id,
                _int(values.get("application_id"), "application_id"),
                str(values.get("reason", "")),
            )
            return gettext("Đã thu hồi gian của doanh nghiệp.")

        return await self._act(request, fair_id, action)

    @post("/console/fairs/{fair_id:int}/board/publish", status_code=200)
    async def publish(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[Any]:
        await fair_for(request, fair_id)
        values = await form_values(request)
        summary = await runs.board_summary(fair_id)
        if summary["assignments"] and values.get("confirm") != "1":
            # Publishing e-mails every business and issues its pass: say so before doing it.
            return await self._board(
                request,
                fair_id,
                confirm={
                    "action": "publish",
                    "businesses": len(summary["assignments"]),
                    "left_out": len(summary["left_out"]),
                    "published": bool(summary["published_at"]),
                },
                summary=summary,
            )

        async def action() -> str:
            await runs.publish(current_principal(request), fair_id)
            return gettext("Đã công bố kết quả xếp gian; các doanh nghiệp đã được báo.")

        return await self._act(request, fair_id, action)


def _run_view(run: dict[str, Any] | None) -> dict[str, Any] | None:
    """The run's figures with its local time, as the board shows them."""
    if run is None:
        return None
    when = local(dt.datetime.fromisoformat(run["ran_at"]))
    return {**run, "ran_at_local": f"{when:%H:%M %d/%m/%Y}"}


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AppError(
            422,
            "Hãy chọn một doanh nghiệp trong danh sách.",
            "Choose a business from the list.",
            extra={"field": field},
        ) from None
