"""What events does when another domain announces something (core.signals)."""

from __future__ import annotations

from typing import Any

from core.errors import AppError
from core.signals import erasure_requested, personal_data_wanted
from core.timezone import now_utc
from events import applications
from events.tables import Application, ApplicationStatusChange, Fair


async def _applications_kept(_: object, *, business_id: int) -> dict[str, Any]:
    own = Application.select(Application.id).where(Application.business == business_id)
    history = (
        await ApplicationStatusChange.select()
        .where(ApplicationStatusChange.application.is_in(own))
        .order_by(ApplicationStatusChange.id)
    )
    return {
        "applications": await applications.list_for_business(business_id, "vi"),
        "application_history": history,
    }


async def _no_erasure_before_coming_fairs(_: object, *, business_id: int) -> None:
    upcoming = await Application.count().where(
        (Application.business == business_id)
        & Application.status.is_in([s.value for s in applications.WITHDRAWABLE])
        & Application.fair.id.is_in(Fair.select(Fair.id).where(Fair.ends_at > now_utc()))
    )
    if upcoming:
        raise AppError(
            409,
            "Doanh nghiệp còn đơn đăng ký ở phiên chợ sắp tới: hãy rút đơn trước khi xóa dữ liệu.",
            "The business still has applications to upcoming fairs: withdraw them before "
            "asking for erasure.",
            extra={"reason": "upcoming_applications"},
        )


def connect() -> None:
    personal_data_wanted.connect(_applications_kept, weak=False)
    erasure_requested.connect(_no_erasure_before_coming_fairs, weak=False)
