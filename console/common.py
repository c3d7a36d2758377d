"""What every console page shares: its template, the fair it is about (ward-checked), the
fairs and sites an officer may act on, and the labels of the data in the page's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request
from litestar.response import Template

from core.accounts import Principal
from core.errors import AppError
from core.guards import current_principal, scoped
from core.templating import day_label, page_context
from core.timezone import local
from events.fair_rows import fair_acted_on
from events.tables import Fair, FairStatus, Site

FAIR_STATUS_LABELS = {
    FairStatus.DRAFT.value: ("bản nháp", "draft"),
    FairStatus.PUBLISHED.value: ("đã công bố", "published"),
    FairStatus.COMPLETED.value: ("đã kết thúc", "completed"),
    FairStatus.CANCELLED.value: ("đã hủy", "cancelled"),
}


def render(request: Request[Any, Any, Any], name: str, status: int = 200, **extra: Any) -> Template:
    context = page_context(request, **extra)
    return Template(f"console/{name}", context=context, status_code=status)


def message_of(exc: AppError, lang: str) -> str:
    return exc.en if lang == "en" else exc.vi


async def fair_for(request: Request[Any, Any, Any], fair_id: int) -> dict[str, Any]:
    """The fair's row (site, ward) once the officer is known to act for its ward."""
    fair = await fair_acted_on(current_principal(request), fair_id)
    return {**fair, "site_name": fair["site.name"], "site_slug": fair["site.slug"], **_when(fair)}


def _when(fair: dict[str, Any]) -> dict[str, str]:
    return {
        "day_vi": day_label(fair["starts_at"], "vi"),
        "day_en": day_label(fair["starts_at"], "en"),
        "hours": f"{local(fair['starts_at']):%H:%M}–{local(fair['ends_at']):%H:%M}",
    }


async def fairs_for(principal: Principal, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The fairs the staff member manages (a body's staff: those at its sites), by date."""
    query = Fair.select(
        Fair.id,
        Fair.title,
        Fair.status,
        Fair.starts_at,
        Fair.ends_at,
        Fair.allocation_published_at,
        Fair.site.name,
        Fair.site.ward,
        Fair.site.ward.name,
    )
    if since is not None:
        query = query.where(Fair.ends_at >= since)
    query = scoped(query, principal, Fair.site.organizer)
    rows = await query.order_by(Fair.starts_at).order_by(Fair.id).run()
    return [{**r, **_when(r)} for r in rows]


async def sites_for(principal: Principal) -> list[dict[str, Any]]:
    query = Site.select(Site.slug, Site.name, Site.ward, Site.ward.name).where(
        Site.active == True  # noqa: E712
    )
    return await scoped(query, principal, Site.organizer).order_by(Site.name).run()


def local_input(moment: dt.datetime | None) -> str:
    """A stored time as the value of an <input type="datetime-local">."""
    return f"{local(moment):%Y-%m-%dT%H:%M}" if moment else ""
