"""What makes fair pages travel: schema.org Event data for search engines, OpenGraph tags for
chat apps' link previews, and the sitemap and robots.txt that lead crawlers to public pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.sax.saxutils import escape

from litestar import Response, get

from core.settings import get_settings
from core.timezone import today_local
from core.units import ward_title
from events.schemas import FairOut, SiteOut

ORGANIZER = "Ban Chỉ đạo Cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam”"
EVENT_STATUS = {
    "cancelled": "https://schema.org/EventCancelled",
}
# Pages only people signed in use: no crawler needs them.
PRIVATE_PREFIXES = (
    "/account",
    "/admin",
    "/api/",
    "/business",
    "/console",
    "/gate",
    "/inspections",
    "/login",
    "/password-reset",
    "/calendar/private/",
)


def event_data(fair: FairOut, site: SiteOut) -> dict[str, Any]:
    """The fair as a schema.org Event (https://schema.org/Event)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": fair.title,
        "startDate": fair.start,
        "endDate": fair.end,
        "eventStatus": EVENT_STATUS.get(fair.status, "https://schema.org/EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": True,
        "inLanguage": "vi",
        "url": fair.url,
        "location": {
            "@type": "Place",
            "name": site.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": site.address,
                "addressLocality": ward_title(site.ward_name),
                "addressRegion": "Thành phố Hồ Chí Minh",
                "addressCountry": "VN",
            },
            "geo": {"@type": "GeoCoordinates", "latitude": site.lat, "longitude": site.lon},
        },
        "organizer": {"@type": "Organization", "name": ORGANIZER, "url": get_settings().public_url},
    }
    if fair.description:
        data["description"] = fair.description
    return data


def json_ld(data: dict[str, Any]) -> str:
    """For a <script type="application/ld+json"> block: "</" written so that no text of a
    fair can close the element."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def open_graph(fair: FairOut, site: SiteOut, day: str, hours: str) -> dict[str, str]:
    """og: properties of the fair page: title, what a preview says, where it links."""
    return {
        "og:type": "website",
        "og:locale": "vi_VN",
        "og:site_name": "Phiên chợ hàng Việt",
        "og:title": fair.title,
        "og:description": (
            f"{day}, {hours} — {site.name}, {site.address}, {ward_title(site.ward_name)}"
        ),
        "og:url": fair.url,
    }


@get("/robots.txt", media_type="text/plain", include_in_schema=False)
async def robots_txt() -> str:
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in PRIVATE_PREFIXES)]
    return "\n".join([*lines, f"Sitemap: {get_settings().public_url}/sitemap.xml", ""])


@get("/sitemap.xml", include_in_schema=False)
async def sitemap_xml() -> Response[bytes]:
    """The home page, every site and ward page, and the fair pages of the coming half year."""
    from core.wards import list_wards
    from events.fairs import list_fairs
    from events.places import list_sites

    base = get_settings().public_url
    today = today_local()
    urls = [f"{base}/"]
    urls += [f"{base}/wards/{w.slug}" for w in await list_wards()]
    urls += [f"{base}/sites/{s.slug}" for s in await list_sites()]
    fairs = await list_fairs(today - dt.timedelta(days=30), today + dt.timedelta(days=180))
    urls += [f"{base}/fairs/{f.id}" for f in fairs]
    body = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    )
    return Response(xml.encode(), media_type="application/xml")


SHARING_ROUTES = [robots_txt, sitemap_xml]
