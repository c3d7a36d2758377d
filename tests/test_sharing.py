"""Fair pages that travel: the schema.org Event and OpenGraph data as a crawler's extractor
(extruct) reads them from the page, and the sitemap and robots.txt that lead to public pages."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import extruct
import pytest

from core.settings import get_settings
from events.tables import Fair
from tests.factories import make_fair, seed_basics

pytestmark = pytest.mark.anyio

TITLE = "Phiên chợ hàng Việt </script><script>alert(1)</script> Bến Nghé"
# What a search engine needs of an Event to show its day and place.
REQUIRED = {"@type", "name", "startDate", "endDate", "eventStatus", "location", "url"}
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
async def fairs(db):
    await seed_basics()
    fair = await make_fair(days_ahead=9)
    await Fair.update({Fair.title: TITLE}).where(Fair.id == fair)
    cancelled = await make_fair(days_ahead=10, status="cancelled")
    draft = await make_fair(days_ahead=11, status="draft")
    return {"fair": fair, "cancelled": cancelled, "draft": draft}


async def extracted(client, fair_id: int) -> dict:
    page = await client.get(f"/fairs/{fair_id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    base = get_settings().public_url
    return extruct.extract(page.text, base_url=base, syntaxes=["json-ld", "opengraph"])


async def test_a_fair_page_carries_its_event_for_search_engines(fairs, client):
    data = await extracted(client, fairs["fair"])
    (event,) = data["json-ld"]
    assert set(event) >= REQUIRED and event["@type"] == "Event"
    assert event["@context"] == "https://schema.org"
    # A title cannot close the script element: it comes back whole.
    assert event["name"] == TITLE
    start = dt.datetime.fromisoformat(event["startDate"])
    assert start.utcoffset() == dt.timedelta(hours=7)
    assert dt.datetime.fromisoformat(event["endDate"]) > start
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    place = event["location"]
    assert place["@type"] == "Place" and place["name"] == "Địa điểm site-ben-nghe"
    assert place["address"]["@type"] == "PostalAddress"
    assert place["address"]["addressLocality"] == "Phường Bến Nghé"
    assert place["address"]["addressCountry"] == "VN"
    assert event["organizer"]["@type"] == "Organization"
    assert event["url"].endswith(f"/fairs/{fairs['fair']}")


async def test_a_cancelled_fair_says_so(fairs, client):
    (event,) = (await extracted(client, fairs["cancelled"]))["json-ld"]
    assert event["eventStatus"] == "https://schema.org/EventCancelled"


async def test_link_previews_get_the_title_day_and_place(fairs, client):
    (graph,) = (await extracted(client, fairs["fair"]))["opengraph"]
    properties = dict(graph["properties"])
    assert properties["og:title"] == TITLE
    assert properties["og:url"].endswith(f"/fairs/{fairs['fair']}")
    assert "Địa điểm site-ben-nghe" in properties["og:description"]
    assert "Phường Bến Nghé" in properties["og:description"]


async def test_the_sitemap_lists_public_pages_and_robots_keep_to_them(fairs, client):
    sitemap = await client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert sitemap.headers["content-type"].startswith("application/xml")
    base = get_settings().public_url
    root = ET.fromstring(sitemap.content)  # noqa: S314 (the app's own answer)
    urls = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    assert f"{base}/fairs/{fairs['fair']}" in urls
    assert f"{base}/fairs/{fairs['draft']}" not in urls
    assert {f"{base}/wards/ben-nghe", f"{base}/sites/site-ben-nghe", f"{base}/"} <= urls
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert "Disallow: /console" in lines and "Disallow: /business" in lines
    assert f"Sitemap: {base}/sitemap.xml" in lines
    assert not any(line == "Disallow: /fairs" for line in lines)
