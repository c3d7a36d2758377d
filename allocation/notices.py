"""What a change of the board tells: the businesses whose stalls changed (a mail), and the
domains that follow the board (core.signals.board_changed)."""

from __future__ import annotations

from typing import Any

from core.signals import announce, board_changed
from core.text import clean
from events.fair_rows import fair_mail_context
from events.tables import Application
from vendors.notifications import notify_business


async def tell_moved(
    fair: dict[str, Any], moves: dict[int, tuple[list[str], list[str]]], reason: str = ""
) -> None:
    """On a published board, each business whose stalls changed is told which it has now (or
    that it has none): called inside the change's transaction, so the notice and the change
    are kept or lost together. Before publishing, businesses are told nothing until publish."""
    if fair["allocation_published_at"] is None:
        return
    changed = {
        application: (sorted(old), sorted(new))
        for application, (old, new) in moves.items()
        if sorted(old) != sorted(new)
    }
    if not changed:
        return
    owners = (
        await Application.select(Application.id, Application.business)
        .where(Application.id.is_in(list(changed)))
        .order_by(Application.id)
        .run()
    )
    for row in owners:
        old, new = changed[row["id"]]
        await notify_business(
            row["business"],
            "stall_changed" if new else "stall_withdrawn",
            {
                **fair_mail_context(fair),
                "stalls": ", ".join(new),
                "old_stalls": ", ".join(old),
                "reason": clean(reason),
            },
        )


async def announce_if_published(fair: dict[str, Any]) -> None:
    """On a published board a change reaches the passes (tickets subscribes): a move revokes
    the old pass and issues the new one."""
    if fair["allocation_published_at"] is not None:
        await announce(board_changed, fair_id=fair["id"])
