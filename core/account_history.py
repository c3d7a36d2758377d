"""Who changed a staff account, when and what: one AccountChange row per change, written in the
transaction of the change itself, so the history never misses or invents one."""

from __future__ import annotations

import json
from typing import Any

from core.tables import Account, AccountChange
from core.timezone import local


async def record_change(
    account_id: int, actor_id: int | None, changes: dict[str, list[Any]]
) -> None:
    """Nothing is written when nothing changed: a form sent again adds no empty entries."""
    if not changes:
        return
    await (
        AccountChange(
            account=account_id,
            actor=actor_id,
            changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
        )
        .save()
        .run()
    )


async def history_of(account_id: int) -> list[dict[str, Any]]:
    """Newest first: {at (Ho Chi Minh City time), actor_email, actor_name, changes}."""
    rows = (
        await AccountChange.select(
            AccountChange.id,
            AccountChange.created_at,
            AccountChange.changes,
            AccountChange.actor.full_name,
            AccountChange.actor.user.email,
        )
        .where(AccountChange.account == account_id)
        .order_by(AccountChange.created_at, ascending=False)
        .order_by(AccountChange.id, ascending=False)
        .run()
    )
    return [
        {
            "at": local(r["created_at"]),
            "actor_email": r["actor.user.email"],
            "actor_name": r["actor.full_name"],
            "changes": json.loads(r["changes"] or "{}"),
        }
        for r in rows
    ]


async def account_exists(account_id: int) -> bool:
    return await Account.exists().where(Account.id == account_id).run()
