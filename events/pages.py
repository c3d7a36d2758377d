"""Public web pages for residents: one fair (when, where, the stall map, who sells what), one
site and one ward with their coming fairs, each with its calendar to subscribe to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, route
from litestar.enums import HttpMethod
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.calendar_links import subscribe_links
from core.errors import AppError
from core.i18n import request_language
from core.templating import day_label, page_context
from core.timezone import now_utc, today_local
from core.wards import list_organizers, list_wards, ward_choices
from events import directory, stallmap
from events.calendar_api import fair_feed
from events.fair_map import fair_stalls
from events.fairs import get_fair, list_fairs
from events.places import get_site, list_sites, nearest_first
from events.schemas import FairOut, SiteOut
from events.sharing import event_data, json_ld, open_graph
from events.tables import SETTING_LABELS

UPCOMING_DAYS = 180
HOME_DAYS = 90  # the home page lists the next three months


def map_link(site: SiteOut) -> str:
    """OpenStreetMap at the site's point: no key, no tracking script on our pages."""
    return (
        f"https://www.openstreetmap.org/?mlat={site.lat:.5f}&mlon={site.lon:.5f}"
        f"#map=18/{site.lat:.5f}/{site.lon:.5f}"
    )


def fair_item(fair: FairOut, lang: str) -> dict[str, Any]:
    """A fair as the lists show it: its day written the Vietnamese way and its hours."""
    return {
        "fair": fair,
        "day": day_label(dt.datetime.fromisoformat(fair.start), lang),
        "hours": f"{fair.start[11:16]}–{fair.end[11:16]}",
    }


async def upcoming(lang: str, *, site: str | None = None, ward: str | None = None) -> list[dict]:
    today = today_local()
    fairs = await list_fairs(today, today + dt.timedelta(days=UPCOMING_DAYS), site, ward)
    return [fair_item(f, lang) for f in fairs if f.status != "completed"]


@route("/fairs/{name:str}", http_method=[HttpMethod.GET, HttpMethod.HEAD], include_in_schema=False)
async def fair_page(
    request: Request[Any, Any, Any], name: FromPath[str], q: FromQuery[str] = ""
) -> Response[Any]:
    """/fairs/12 is the fair's page; /fairs/12.ics adds it to a calendar. With ?q= the vendor
    directory is filtered; an htmx request gets the directory alone."""
    if name.endswith(".ics") and name[:-4].isdigit():
        return await fair_feed(request, int(name[:-4]))
    if not name.isdigit():
        raise AppError(404, "Không tìm thấy phiên chợ.", "No such fair.")
    fair = await get_fair(int(name), request.scope.get("user"))
    lang = page_context(request)["lang"]
    vendors = await directory.fair_vendors(fair.id)
    found = directory.matching(vendors, q) if q.strip() else vendors
    context = page_context(
        request,
        q=q,
        vendor_count=len(vendors),
        found_count=len(found),
        sections=directory.by_category(found),
        **fair_item(fair, lang),
    )
    if request.headers.get("hx-request") == "true":
        return Template("public/directory.html", context=context)
    stalls = await fair_stalls(fair.id, public=True)
    site = await get_site(fair.site_slug)
    context.update(
        site=site,
        map_url=map_link(site),
        stall_map=stallmap.svg(stalls, lang) if stalls else "",
        open_stalls=sum(1 for s in stalls if s["state"] == "open"),
        published=any(s["business"] for s in stalls),
        links=subscribe_links(f"/calendar/sites/{fair.site_slug}.ics"),
        ics=f"/fairs/{fair.id}.ics",
        past=dt.datetime.fromisoformat(fair.end) < now_utc(),
        setting_labels=SETTING_LABELS,
        event_json_ld=json_ld(event_data(fair, site)),
        open_graph=open_graph(fair, site, context["day"], context["hours"]),
    )
    return Template("public/fair.html", context=context)


@get("/sites/{slug:str}", include_in_schema=False)
async def site_page(request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
    site = await get_site(slug)
    lang = page_context(request)["lang"]
    return Template(
        "public/site.html",
        context=page_context(
            request,
            site=site,
            map_url=map_link(site),
            setting_labels=SETTING_LABELS,
            upcoming=await upcoming(lang, site=slug),
            links=subscribe_links(f"/calendar/sites/{slug}.ics"),
        ),
    )


@get("/wards/{slug:str}", include_in_schema=False)
async def ward_page(request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
    ward = next((w for w in await list_wards() if w.slug == slug), None)
    if ward is None:
        raise AppError(404, "Không tìm thấy phường.", "No such ward.")
    lang = page_context(request)["lang"]
    return Template(
        "public/ward.html",
        context=page_context(
            request,
            ward=ward,
            sites=await list_sites(ward_slug=slug),
            setting_labels=SETTING_LABELS,
            upcoming=await upcoming(lang, ward=slug),
            links=subscribe_links(f"/calendar/wards/{slug}.ics"),
        ),
    )


@get("/", include_in_schema=False)
async def home_page(
    request: Request[Any, Any, Any], ward: FromQuery[str] = "", organizer: FromQuery[str] = ""
) -> Template:
    """The city's coming fairs; with ?organizer= one body's, with ?ward= the nearest first."""
    lang = request_language(request)
    today = today_local()
    fairs = await list_fairs(
        today, today + dt.timedelta(days=HOME_DAYS), organizer=organizer or None
    )
    wards = await list_wards()
    chosen = next((w for w in wards if w.slug == ward), None)
    near = None
    if chosen is not None:
        fairs = await nearest_first(fairs, chosen.slug)
        near = chosen.name
    sites = await list_sites(organizer=organizer or None)
    feed = f"/calendar/organizers/{organizer}.ics" if organizer else "/calendar.ics"
    return Template(
        "home.html",
        context=page_context(
            request,
            sites=sites,
            ward_choices=ward_choices(wards),
            fair_wards=_wards_with_sites(wards, sites),
            organizers=await list_organizers(),
            chosen_ward=ward,
            chosen_organizer=organizer,
            near=near,
            setting_labels=SETTING_LABELS,
            upcoming=[fair_item(f, lang) for f in fairs],
            links=subscribe_links(feed),
        ),
    )


def _wards_with_sites(wards: list[Any], sites: list[SiteOut]) -> list[Any]:
    held = {s.ward_slug for s in sites}
    return [w for w in wards if w.slug in held]


PUBLIC_PAGES = [home_page, fair_page, site_page, ward_page]
