"""What tickets does when another domain announces something (core.signals): passes follow the
board, the fair and the business; the gate's arrivals answer for no-shows."""

from __future__ import annotations

from typing import Any

from core.signals import (
    application_decided,
    board_changed,
    business_status_changed,
    fair_changed,
    no_shows_wanted,
    personal_data_wanted,
)
from events.tables import Application
from tickets import attendance
from tickets.services import sync_business, sync_passes
from tickets.tables import Pass


async def _passes_follow_the_fair(_: object, *, fair_id: int, **__: Any) -> None:
    await sync_passes(fair_id)


async def _passes_follow_the_business(_: object, *, business_id: int) -> None:
    await sync_business(business_id)


async def _no_shows(_: object, *, business_ids: list[int]) -> dict[int, int]:
    return await attendance.no_shows(business_ids)


async def _passes_kept(_: object, *, business_id: int) -> dict[str, Any]:
    passes = await Pass.select(
        Pass.id,
        Pass.fair,
        Pass.holder,
        Pass.stalls,
        Pass.first_day,
        Pass.days,
        Pass.short_code,
        Pass.status,
        Pass.issued_at,
    ).where(
        Pass.application.is_in(
            Application.select(Application.id).where(Application.business == business_id)
        )
    )
    return {"passes": passes}


def connect() -> None:
    for signal in (fair_changed, application_decided, board_changed):
        signal.connect(_passes_follow_the_fair, weak=False)
    business_status_changed.connect(_passes_follow_the_business, weak=False)
    no_shows_wanted.connect(_no_shows, weak=False)
    personal_data_wanted.connect(_passes_kept, weak=False)
