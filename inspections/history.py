"""The inspection log (who did what, when), and the names shown for the people in it."""

from __future__ import annotations

from collections.abc import Iterable

from core.tables import Account
from core.text import clean
from inspections.tables import InspectionLog


async def record(
    user_id: int | None,
    action: str,
    *,
    inspection_id: int | None = None,
    team_id: int | None = None,
    detail: str = "",
) -> None:
    await (
        InspectionLog(
            inspection=inspection_id,
            team=team_id,
            action=action,
            detail=clean(detail),
            by_user=user_id,
        )
        .save()
        .run()
    )


async def people(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names by user id: the account's full name, else its e-mail."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    rows = (
        await Account.select(Account.user, Account.full_name, Account.user.email)
        .where(Account.user.is_in(ids))
        .run()
    )
    return {r["user"]: r["full_name"] or r["user.email"] for r in rows}
