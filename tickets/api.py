"""HTTP: a business's passes, organizers' passes and PDFs, gate check-in, keys, revocations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.errors import AppError, request_language
from core.guards import current_principal, ensure_body, requires, scoped
from core.roles import Right
from core.timezone import local, start_of_local_day, today_local
from events.fair_rows import fair_acted_on, fair_row
from events.tables import Fair, Stall
from tickets import checkin, services
from tickets.codes import Kind
from tickets.gate_scope import ensure_gate_scope, may_check_in
from tickets.keys import public_keys
from tickets.pdf import passes_pdf, sheet_from
from tickets.tables import Pass, Revocation
from vendors.tables import BusinessCategory

MANAGE = [requires(Right.MANAGE_FAIRS)]


class PassOut(msgspec.Struct):
    id: int
    fair_id: int
    stall: str
    short_code: str
    pdf_url: str
    status: str
    holder: str
    kind: str
    code: str


def pass_out(row: dict[str, Any]) -> PassOut:
    return PassOut(
        id=row["id"],
        fair_id=row["fair"],
        stall=row["stalls"],
        short_code=row["short_code"],
        pdf_url=f"/api/passes/{row['id']}/pdf",
        status=row["status"],
        holder=row["holder"],
        kind=Kind(row["kind"]).name.lower(),
        code=row["code"],
    )


class CheckInIn(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(max_length=400)]
    gate: Annotated[str, msgspec.Meta(max_length=60)] = ""
    device_id: Annotated[str, msgspec.Meta(max_length=80)] = ""
    scanned_at: dt.datetime | None = None
    fair_id: int | None = None


class StaffPassIn(msgspec.Struct, forbid_unknown_fields=True):
    holder: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    kind: Annotated[str, msgspec.Meta(pattern=r"^(staff|volunteer)$")] = "staff"


class RevokeIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


async def _sheets(rows: list[dict[str, Any]]) -> list:
    if not rows:
        return []
    fair = await fair_row(rows[0]["fair"])
    stalls = (
        await Stall.select(Stall.code, Stall.x, Stall.y, Stall.width, Stall.depth)
        .where(
            (Stall.site == fair["site"]) & (Stall.active == True)  # noqa: E712
        )
        .run()
    )
    plan = tuple((s["code"], s["x"], s["y"], s["width"], s["depth"]) for s in stalls)
    businesses = [r["application.business"] for r in rows if r.get("application.business")]
    categories: dict[int, str] = {}
    for link in (
        await BusinessCategory.select(BusinessCategory.business, BusinessCategory.category.name_vi)
        .where(BusinessCategory.business.is_in(businesses or [0]))
        .run()
    ):
        categories.setdefault(link["business"], link["category.name_vi"])
    return [
        sheet_from(r, fair, categories.get(r.get("application.business"), ""), plan) for r in rows
    ]


def _pdf(body: bytes, name: str) -> Response[bytes]:
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="{name}"',
            "cache-control": "private, no-store",
        },
    )


PASS_COLUMNS = (Pass.all_columns(), Pass.application.business, Pass.fair.site.organizer)


class MyPassesController(Controller):
    tags = ["passes"]

    @get(
        "/api/me/passes",
        guards=[requires(Right.ACT_AS_BUSINESS)],
        summary="The signed-in business's passes",
    )
    async def mine(self, request: Request[Any, Any, Any]) -> list[PassOut]:
        from vendors.businesses import business_id_for

        business_id = await business_id_for(current_principal(request))
        rows = (
            await Pass.select(*PASS_COLUMNS)
            .where(Pass.application.business == business_id)
            .order_by(Pass.id)
            .run()
        )
        return [pass_out(r) for r in rows]

    @get(
        "/api/passes/{pass_id:int}/pdf",
        summary="One pass as a PDF (A6)",
        media_type="application/pdf",
    )
    async def one_pdf(
        self, request: Request[Any, Any, Any], pass_id: FromPath[int]
    ) -> Response[bytes]:
        principal = current_principal(request)
        row = await Pass.select(*PASS_COLUMNS).where(Pass.id == pass_id).first().run()
        allowed = False
        if row and principal.can(Right.ACT_AS_BUSINESS):
            from vendors.businesses import business_id_for

            allowed = row["application.business"] == await business_id_for(principal)
        elif row and principal.can(Right.MANAGE_FAIRS):
            allowed = principal.acts_for_body(row["fair.site.organizer"])
        if not allowed:
            raise AppError(404, "Không tìm thấy thẻ.", "No such pass.")
        body = await to_thread.run_sync(passes_pdf, await _sheets([row]))
        return _pdf(body, f"the-{row['short_code']}.pdf")

    @post(
        "/api/passes/{pass_id:int}/revoke", status_code=200, guards=MANAGE, summary="Revoke a pass"
    )
    async def revoke(
        self, request: Request[Any, Any, Any], pass_id: FromPath[int], data: JSONBody[RevokeIn]
    ) -> PassOut:
        await services.revoke_pass(current_principal(request), pass_id, data.reason)
        return pass_out(await Pass.select().where(Pass.id == pass_id).first().run())


class FairPassesController(Controller):
    tags = ["passes"]
    guards = MANAGE

    async def _fair(self, request: Request[Any, Any, Any], fair_id: int) -> dict[str, Any]:
        fair = await fair_acted_on(current_principal(request), fair_id)
        return fair

    @get("/api/fairs/{fair_id:int}/passes", summary="A fair's passes")
    async def list_passes(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> list[PassOut]:
        await self._fair(request, fair_id)
        rows = await Pass.select().where(Pass.fair == fair_id).run()
        return [pass_out(r) for r in sorted(rows, key=services.pass_order)]

    @get(
        "/api/fairs/{fair_id:int}/passes/pdf",
        summary="Every active pass of the fair, four per A4 sheet, by stall",
        media_type="application/pdf",
    )
    async def batch_pdf(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> Response[bytes]:
        await self._fair(request, fair_id)
        rows = (
            await Pass.select(*PASS_COLUMNS)
            .where((Pass.fair == fair_id) & (Pass.status == "active"))
            .run()
        )
        rows.sort(key=services.pass_order)
        sheets = await _sheets(rows)
        # Drawing a fair's passes takes seconds: off the event loop, so the gate keeps going.
        body = await to_thread.run_sync(lambda: passes_pdf(sheets, four_up=True))
        return _pdf(body, f"the-phien-{fair_id}.pdf")

    @post("/api/fairs/{fair_id:int}/passes/staff", summary="Issue a staff or volunteer pass")
    async def staff(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[StaffPassIn]
    ) -> PassOut:
        kind = Kind.STAFF if data.kind == "staff" else Kind.VOLUNTEER
        pass_id = await services.issue_staff_pass(
            current_principal(request), fair_id, data.holder.strip(), kind
        )
        return pass_out(await Pass.select().where(Pass.id == pass_id).first().run())


class CheckInController(Controller):
    tags = ["check-in"]

    @post(
        "/api/checkin",
        status_code=200,
        guards=[requires(Right.CHECK_IN)],
        summary="Check a pass in at the gate (also for scans made offline)",
    )
    async def check(
        self, request: Request[Any, Any, Any], data: JSONBody[CheckInIn]
    ) -> dict[str, Any]:
        outcome = await checkin.check_in(
            current_principal(request),
            data.code,
            data.gate,
            data.device_id,
            data.scanned_at,
            data.fair_id,
        )
        english = request_language(request) == "en"
        body: dict[str, Any] = {
            "result": outcome.result,
            "pass": outcome.pass_info,
            "message": outcome.message_en if english else outcome.message_vi,
            "messages": {"vi": outcome.message_vi, "en": outcome.message_en},
        }
        if outcome.first_scan:
            body["first_scan"] = outcome.first_scan
        return body

    @get("/api/checkin/keys", summary="The public keys that verify passes offline")
    async def keys(self) -> list[dict[str, Any]]:
        return public_keys()

    @get(
        "/api/checkin/revocations",
        guards=[requires(Right.CHECK_IN)],
        summary="Passes revoked since a cursor: gate devices keep their list current",
    )
    async def revocations(
        self,
        request: Request[Any, Any, Any],
        since: FromQuery[int] = 0,
        fair_id: FromQuery[int | None] = None,
    ) -> dict[str, Any]:
        principal = current_principal(request)
        query = Revocation.select(
            Revocation.id,
            Revocation.pass_,
            Revocation.fair,
            Revocation.at,
        ).where(Revocation.id > since)
        if fair_id is not None:
            query = query.where(Revocation.fair == fair_id)
        rows = await query.order_by(Revocation.id).limit(5000).run()
        mine = (
            await scoped(
                Revocation.select(Revocation.id).where(
                    Revocation.id.is_in([r["id"] for r in rows])
                ),
                principal,
                Revocation.fair.site.organizer,
            ).run()
            if rows
            else []
        )
        shown = {r["id"] for r in mine}
        return {
            # The cursor passes other bodies' revocations too, so a device never asks for them
            # again.
            "cursor": rows[-1]["id"] if rows else since,
            "revoked": [
                {"pass_id": r["pass_id"], "fair_id": r["fair"], "at": r["at"].isoformat()}
                for r in rows
                if r["id"] in shown
            ],
        }

    @get(
        "/api/checkin/fairs",
        guards=[requires(Right.CHECK_IN)],
        summary="Today's published fairs the caller may check passes in at (the gate page's list)",
    )
    async def todays_fairs(self, request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
        principal = current_principal(request)
        today = start_of_local_day(today_local())
        rows = (
            await Fair.select(
                Fair.id,
                Fair.title,
                Fair.starts_at,
                Fair.ends_at,
                Fair.status,
                Fair.site,
                Fair.site.name,
                Fair.site.organizer,
            )
            .where(
                (Fair.status == "published")
                & (Fair.starts_at < today + dt.timedelta(days=1))
                & (Fair.ends_at >= today)
            )
            .order_by(Fair.starts_at)
            .run()
        )
        return [
            {
                "id": r["id"],
                "title": r["title"],
                "site_name": r["site.name"],
                "start": local(r["starts_at"]).isoformat(),
                "end": local(r["ends_at"]).isoformat(),
                "status": r["status"],
            }
            for r in rows
            if await may_check_in(principal, r["id"], r["site"], r["site.organizer"])
        ]

    @get(
        "/api/checkin/fairs/{fair_id:int}",
        guards=[requires(Right.CHECK_IN)],
        summary="Arrivals so far, and passes scanned on more than one device",
    )
    async def fair_state(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> dict[str, Any]:
        principal = current_principal(request)
        fair = (
            await Fair.select(Fair.id, Fair.site, Fair.site.organizer)
            .where(Fair.id == fair_id)
            .first()
            .run()
        )
        if fair is None:
            ensure_body(principal, None)  # as before: no fair is no body of one's own
            raise AppError(404, "Không tìm thấy phiên chợ.", "No such fair.")
        await ensure_gate_scope(principal, fair)
        return {
            **await checkin.counts(fair_id),
            "scanned_on_several_devices": await checkin.offline_conflicts(fair_id),
        }
