"""The one way to load a fair with its site: every page, API, PDF and mail that needs a fair
gets the same row (the fair's columns, and its site's ward, body, name, slug and address)."""

from __future__ import annotations

from typing import Any

from core.accounts import Principal
from core.errors import AppError
from core.guards import ensure_body
from core.timezone import local
from events.tables import Fair, FairStatus

NOT_FOUND = ("Không tìm thấy phiên chợ.", "No such fair.")


async def fair_row(fair_id: int, *, published_only: bool = False) -> dict[str, Any]:
    """The fair, or a 404; with `published_only`, a draft is a 404 too (what the public and
    businesses may not see yet)."""
    row = (
        await Fair.select(
            Fair.all_columns(),
            Fair.site.ward,
            Fair.site.organizer,
            Fair.site.organizer.name,
            Fair.site.name,
            Fair.site.slug,
            Fair.site.address,
        )
        .where(Fair.id == fair_id)
        .first()
        .run()
    )
    if not row or (published_only and row["status"] == FairStatus.DRAFT.value):
        raise AppError(404, *NOT_FOUND)
    return row


async def fair_acted_on(principal: Principal, fair_id: int) -> dict[str, Any]:
    """The fair a staff member acts on, once they are known to act for its body (a 404 for no
    fair, a 403 outside their scope): how every handler and service loads one."""
    fair = await fair_row(fair_id)
    ensure_body(principal, fair["site.organizer"])
    return fair


def fair_mail_context(fair: dict[str, Any]) -> dict[str, Any]:
    """What every mail about a fair says of it (the row of fair_row or its like): title, local
    start and end, site, address and the fair's page. Mails add what is their own."""
    return {
        "fair_title": fair["title"],
        "start": local(fair["starts_at"]),
        "end": local(fair["ends_at"]),
        "site_name": fair["site.name"],
        "address": fair["site.address"],
        "fair_url": f"/fairs/{fair['id']}",
    }
