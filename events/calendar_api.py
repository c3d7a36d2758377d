"""HTTP for the iCalendar feeds: caching, strong ETags, Last-Modified and 304s, HEAD."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Request, Response, route
from litestar.enums import HttpMethod
from litestar.params import FromPath

from core.changes import CHANGE_TTL, data_version
from core.errors import AppError
from core.tables import Organizer, Ward
from core.timezone import now_utc
from core.units import ward_in_english, ward_title
from events.calendar import Feed, FeedState, feed_rows, feed_state, render
from events.tables import Fair, FairStatus, Site

CACHE_SECONDS = 3600
FEED_METHODS = [HttpMethod.GET, HttpMethod.HEAD]


def _not_modified(request: Request[Any, Any, Any], etag: str, modified: dt.datetime) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:  # RFC 9110: when present, If-Modified-Since is ignored
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


async def serve_feed(
    request: Request[Any, Any, Any],
    feed: Feed,
    *,
    private: bool = False,
    download_name: str | None = None,
) -> Response[bytes]:
    now = now_utc()
    store = request.app.stores.get("response_cache")
    state = await _cached_state(store, request.app, feed, now)
    key = f"ics:{state.fingerprint}"
    body, etag_bytes = await store.get(key), await store.get(f"{key}:etag")
    if body is None or etag_bytes is None:
        body = render(feed, await feed_rows(feed), now, state.last_modified)
        etag_bytes = f'"{hashlib.sha256(body).hexdigest()[:32]}"'.encode()
        await store.set(key, body, expires_in=CACHE_SECONDS)
        await store.set(f"{key}:etag", etag_bytes, expires_in=CACHE_SECONDS)
    etag = etag_bytes.decode()
    modified = state.last_modified
    headers = {
        "etag": etag,
        "last-modified": format_datetime(modified, usegmt=True),
        "cache-control": f"{'private' if private else 'public'}, max-age=900",
    }
    if download_name:
        headers["content-disposition"] = f'attachment; filename="{download_name}"'
    if _not_modified(request, etag, modified):
        return Response(b"", status_code=304, headers=headers)
    if request.method == HttpMethod.HEAD:
        headers["content-length"] = str(len(body))
        return Response(b"", media_type="text/calendar", headers=headers)
    return Response(body, media_type="text/calendar", headers=headers)


async def _cached_state(store: Any, app: Any, feed: Feed, now: dt.datetime) -> FeedState:
    """The feed's state from the shared cache while no write happened and it is fresh."""
    business = hashlib.sha256(repr(sorted(feed.business.items())).encode()).hexdigest()[:16]
    key = f"ics-state:{feed.key}:{business}:{await data_version(app)}"
    cached = await store.get(key)
    if cached:
        fingerprint, modified = cached.decode().split("|")
        return FeedState(fingerprint, dt.datetime.fromisoformat(modified))
    state = await feed_state(feed, now)
    value = f"{state.fingerprint}|{state.last_modified.isoformat()}".encode()
    await store.set(key, value, expires_in=CHANGE_TTL)
    return state


def strip_ics(filename: str) -> str:
    if not filename.endswith(".ics") or len(filename) <= 4:
        raise AppError(404, "Không tìm thấy lịch.", "No such calendar.")
    return filename[:-4]


ALL_FEED = Feed(
    key="all",
    name="Phiên chợ hàng Việt TP. Hồ Chí Minh",
    description="Lịch các Phiên chợ hàng Việt ở các phường, xã của TP. Hồ Chí Minh. / "
    "Vietnamese-goods fairs in the wards and communes of Ho Chi Minh City.",
)


@route(
    "/calendar.ics",
    http_method=FEED_METHODS,
    media_type="text/calendar",
    tags=["calendars"],
    summary="Every published fair (iCalendar)",
)
async def all_fairs_feed(request: Request[Any, Any, Any]) -> Response[bytes]:
    return await serve_feed(request, ALL_FEED)


@dataclass(frozen=True)
class PlaceFeed:
    """A feed of the fairs at one place (a site, a ward): how it is found and named."""

    table: Any
    where: Callable[[int], Any]
    missing: tuple[str, str]
    title: str  # what follows "Phiên chợ hàng Việt — "
    vi_where: str
    en_where: str


PLACE_FEEDS = {
    "site": PlaceFeed(
        Site,
        lambda row_id: Fair.site == row_id,
        ("Không tìm thấy địa điểm.", "No such site."),
        "{name}",
        "tại {name}",
        "at {name}",
    ),
    "ward": PlaceFeed(
        Ward,
        lambda row_id: Fair.site.ward == row_id,
        ("Không tìm thấy phường.", "No such ward."),
        "{ward}",
        "ở {ward}",
        "in {ward_en}",
    ),
    "organizer": PlaceFeed(
        Organizer,
        lambda row_id: Fair.site.organizer == row_id,
        ("Không tìm thấy ban tổ chức.", "No such organizing body."),
        "{name}",
        "do {name} tổ chức",
        "organized by {name}",
    ),
}


async def place_feed(request: Request[Any, Any, Any], kind: str, filename: str) -> Response[bytes]:
    """/calendar/{sites|wards|organizers}/{slug}.ics: one handler, so the feeds cannot drift
    apart."""
    place = PLACE_FEEDS[kind]
    slug = strip_ics(filename)
    table = place.table
    row = await table.select(table.id, table.name).where(table.slug == slug).first().run()
    if not row:
        raise AppError(404, *place.missing)
    names = {
        "name": row["name"],
        "ward": ward_title(row["name"]),
        "ward_en": ward_in_english(row["name"]),
    }
    feed = Feed(
        key=f"{kind}-{slug}",
        name=f"Phiên chợ hàng Việt — {place.title.format(**names)}",
        description=f"Các phiên chợ hàng Việt {place.vi_where.format(**names)}. / "
        f"Vietnamese-goods fairs {place.en_where.format(**names)}.",
        where=place.where(row["id"]),
    )
    return await serve_feed(request, feed)


@route(
    "/calendar/sites/{filename:str}",
    http_method=FEED_METHODS,
    media_type="text/calendar",
    tags=["calendars"],
    summary="One site's fairs: /calendar/sites/{slug}.ics",
)
async def site_feed(request: Request[Any, Any, Any], filename: FromPath[str]) -> Response[bytes]:
    return await place_feed(request, "site", filename)


@route(
    "/calendar/wards/{filename:str}",
    http_method=FEED_METHODS,
    media_type="text/calendar",
    tags=["calendars"],
    summary="One ward's fairs: /calendar/wards/{slug}.ics",
)
async def ward_feed(request: Request[Any, Any, Any], filename: FromPath[str]) -> Response[bytes]:
    return await place_feed(request, "ward", filename)


@route(
    "/calendar/organizers/{filename:str}",
    http_method=FEED_METHODS,
    media_type="text/calendar",
    tags=["calendars"],
    summary="One organizing body's fairs: /calendar/organizers/{slug}.ics",
)
async def organizer_feed(
    request: Request[Any, Any, Any], filename: FromPath[str]
) -> Response[bytes]:
    return await place_feed(request, "organizer", filename)


# The fairs where a business of the category holds a stall on a published board: registered in
# the category, or applying with a product of it.
_CATEGORY_FAIRS = """
SELECT DISTINCT a.fair AS id
FROM assignment a
JOIN fair f ON f.id = a.fair
JOIN application ap ON ap.id = a.application
WHERE f.allocation_published_at IS NOT NULL
  AND (EXISTS (SELECT 1 FROM application_product p JOIN product pr ON pr.id = p.product
               WHERE p.application = ap.id AND pr.category = {})
       OR EXISTS (SELECT 1 FROM business_category bc
                  WHERE bc.business = ap.business AND bc.category = {}))
"""


@route(
    "/calendar/categories/{filename:str}",
    http_method=FEED_METHODS,
    media_type="text/calendar",
    tags=["calendars"],
    summary="Fairs with stalls of one goods category: /calendar/categories/{slug}.ics",
)
async def category_feed(
    request: Request[Any, Any, Any], filename: FromPath[str]
) -> Response[bytes]:
    from vendors.tables import Category

    slug = strip_ics(filename)
    category = (
        await Category.select(Category.id, Category.name_vi, Category.name_en)
        .where(Category.slug == slug)
        .first()
        .run()
    )
    if not category:
        raise AppError(404, "Không có ngành hàng này.", "No such goods category.")
    rows = await Fair.raw(_CATEGORY_FAIRS, category["id"], category["id"]).run()
    feed = Feed(
        key=f"category-{slug}",
        name=f"Phiên chợ hàng Việt — {category['name_vi']}",
        description=f"Các phiên chợ hàng Việt có gian hàng {category['name_vi'].lower()}. / "
        f"Vietnamese-goods fairs with stalls of {category['name_en'].lower()}.",
        where=Fair.id.is_in(sorted(r["id"] for r in rows) or [0]),
    )
    return await serve_feed(request, feed)


async def fair_feed(request: Request[Any, Any, Any], fair_id: int) -> Response[bytes]:
    """One fair, to add to a calendar: served at /fairs/{fair_id}.ics by the fair page route."""
    fair = (
        await Fair.select(Fair.id, Fair.title, Fair.status).where(Fair.id == fair_id).first().run()
    )
    if not fair or fair["status"] == FairStatus.DRAFT.value:
        raise AppError(404, "Không tìm thấy phiên chợ.", "No such fair.")
    feed = Feed(
        key=f"fair-{fair['id']}",
        name=fair["title"],
        description=f"{fair['title']} — Phiên chợ hàng Việt Quận 1",
        where=Fair.id == fair["id"],
    )
    return await serve_feed(request, feed, download_name=f"phien-cho-{fair['id']}.ics")


CALENDAR_ROUTES = [all_fairs_feed, site_feed, ward_feed, organizer_feed, category_feed]
