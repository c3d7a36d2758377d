"""HTTP: a fair's allocation board, changed: runs, publishing, closed stalls, moves, swaps,
removals and pins (organizers of the fair's ward)."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from allocation import board, runs
from allocation.solver.model import Weights
from core.errors import AppError
from core.guards import current_principal, requires
from core.roles import Right
from events.fair_rows import fair_acted_on

MANAGE_FAIRS = [requires(Right.MANAGE_FAIRS)]


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


class FairAllocationController(Controller):
    tags = ["stall maps"]

    @get(
        "/api/fairs/{fair_id:int}/allocation",
        guards=MANAGE_FAIRS,
        summary="The board's assignments and omissions, each with its reasons",
    )
    async def allocation(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> dict[str, Any]:
        await fair_acted_on(current_principal(request), fair_id)
        return await runs.board_summary(fair_id)

    @post(
        "/api/fairs/{fair_id:int}/allocation/run",
        status_code=200,
        guards=MANAGE_FAIRS,
        summary="Propose an allocation (pins kept), scored against first-come-first-served",
    )
    async def run(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[RunIn]
    ) -> dict[str, Any]:
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
        return await runs.run_allocation(current_principal(request), fair_id, weights)

    @post(
        "/api/fairs/{fair_id:int}/allocation/publish",
        status_code=200,
        guards=MANAGE_FAIRS,
        summary="Publish the board: businesses are told their stalls",
    )
    async def publish(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int]
    ) -> dict[str, Any]:
        return await runs.publish(current_principal(request), fair_id)

    @put(
        "/api/fairs/{fair_id:int}/closed-stalls",
        guards=MANAGE_FAIRS,
        summary="Close stalls of the map for this fair",
    )
    async def closed(
        self, request: Request[Any, Any, Any], fair_id: FromPath[int], data: JSONBody[ClosedIn]
    ) -> dict[str, list[str]]:
        codes = await board.set_closed(current_principal(request), fair_id, data.codes)
        return {"closed": codes}

    @post(
        "/api/fairs/{fair_id:int}/assignments",
        guards=MANAGE_FAIRS,
        summary="Give stalls to an application (a move)",
    )
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
        "/api/fairs/{fair_id:int}/assignments/swap",
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
        "/api/fairs/{fair_id:int}/assignments/{application_id:int}/unassign",
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
        "/api/fairs/{fair_id:int}/assignments/{application_id:int}/pin",
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
