"""A cancelled fair reads as cancelled in every feed that holds it, not only its own."""

from __future__ import annotations

import icalendar
import pytest

from core.roles import Role
from events.tables import Fair
from tests.factories import login, make_fair, seed_basics

pytestmark = pytest.mark.anyio

FEEDS = ("/calendar.ics", "/calendar/sites/site-ben-nghe.ics", "/calendar/wards/ben-nghe.ics")


def uid(fair: int) -> str:
    return f"fair-{fair}@phien-cho-hang-viet.quan1"


async def events_in(client, path: str) -> dict[str, icalendar.Event]:
    response = await client.get(path)
    assert response.status_code == 200, (path, response.text)
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
async def fairs(db):
    await seed_basics()
    cancelled = await make_fair(days_ahead=8)
    kept = await make_fair(days_ahead=9)
    titles = {
        f["id"]: f["title"] for f in await Fair.select(Fair.id, Fair.title).where(Fair.id > 0)
    }
    return {"cancelled": cancelled, "kept": kept, "titles": titles}


async def test_a_cancelled_fair_is_cancelled_in_the_city_site_and_ward_feeds(fairs, client):
    cancelled, kept, titles = fairs["cancelled"], fairs["kept"], fairs["titles"]
    # Fetched once before, so a feed served from a cache would still say CONFIRMED.
    for path in FEEDS:
        before = await events_in(client, path)
        assert str(before[uid(cancelled)]["STATUS"]) == "CONFIRMED", path
    await login(client, Role.ORGANIZER)
    answer = await client.post(f"/api/fairs/{cancelled}/cancel", json={"reason": "Mưa bão lớn."})
    assert answer.status_code == 200, answer.text
    await client.post("/api/auth/logout")
    for path in FEEDS:
        events = await events_in(client, path)
        gone = events[uid(cancelled)]
        assert str(gone["STATUS"]) == "CANCELLED", path
        assert str(gone["SUMMARY"]) == "ĐÃ HỦY – " + titles[cancelled], path
        assert "Mưa bão lớn." in str(gone["DESCRIPTION"]), path
        still = events[uid(kept)]
        assert str(still["STATUS"]) == "CONFIRMED", path
        assert str(still["SUMMARY"]) == titles[kept], path
