"""iCalendar feeds, checked with independent parsers and byte by byte."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
import vobject

from core.roles import Role
from core.timezone import now_utc
from events.tables import Fair
from tests.factories import (
    PASSWORD,
    login,
    make_business,
    make_fair,
    make_product,
    seed_basics,
)

pytestmark = pytest.mark.anyio

JS_DIR = Path(__file__).parent / "js"
TITLE = "Phiên chợ hàng Việt: Nguyễn Du, “Đặc sản” & quà Tết — ưu đãi"


def ical_js(body: bytes, tmp_path: Path) -> dict:
    if not shutil.which("node") or not (JS_DIR / "node_modules" / "ical.js").exists():
        pytest.skip("ical.js needs Node.js and `npm ci` in tests/js (make test does it)")
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    result = subprocess.run(
        ["node", str(JS_DIR / "parse-ical.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def check_bytes(body: bytes) -> None:
    assert b"\n" not in body.replace(b"\r\n", b""), "bare LF"
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold inside a UTF-8 sequence would fail here
    body.decode("utf-8")


@pytest.fixture
async def world(db):
    await seed_basics()
    fair = await make_fair(days_ahead=10)
    await Fair.update({Fair.title: TITLE}).where(Fair.id == fair)
    other_ward = await make_fair(site_slug="site-tan-dinh", days_ahead=12)
    return {"fair": fair, "other": other_ward}


async def feed(client, path, **headers):
    response = await client.get(path, headers=headers)
    return response


async def test_feed_reads_the_same_in_every_parser(world, client, tmp_path):
    response = await feed(client, "/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    body = response.content
    check_bytes(body)
    fair = await Fair.select().where(Fair.id == world["fair"]).first()
    start_utc = fair["starts_at"].astimezone(dt.UTC)
    uid = f"fair-{world['fair']}@phien-cho-hang-viet.quan1"

    parsed = icalendar.Calendar.from_ical(body)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    assert str(events[uid]["SUMMARY"]) == TITLE
    assert events[uid].decoded("DTSTART").astimezone(dt.UTC) == start_utc
    assert "METHOD" not in parsed
    assert parsed["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"

    card = vobject.readOne(body.decode())
    by_uid = {e.uid.value: e for e in card.vevent_list}
    assert by_uid[uid].summary.value == TITLE
    assert by_uid[uid].dtstart.value.astimezone(dt.UTC) == start_utc

    occurrences = recurring_ical_events.of(parsed).between(
        start_utc - dt.timedelta(hours=1), start_utc + dt.timedelta(hours=1)
    )
    assert [str(o["SUMMARY"]) for o in occurrences] == [TITLE]

    # What ical.js is asked below, read with the parser that is always there.
    zones = [str(z["TZID"]) for z in parsed.walk("VTIMEZONE")]
    assert zones == ["Asia/Ho_Chi_Minh"]
    assert events[uid]["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(events[uid]["STATUS"]) == "CONFIRMED"
    assert "Bến Nghé" in " ".join(str(c) for c in events[uid]["CATEGORIES"].cats)
    assert str(parsed["REFRESH-INTERVAL"].to_ical().decode()) == "PT12H"
    assert (
        str(parsed["X-WR-CALNAME"]) == str(parsed["NAME"]) == "Phiên chợ hàng Việt TP. Hồ Chí Minh"
    )


@pytest.mark.skipif(
    not shutil.which("node") or not (JS_DIR / "node_modules" / "ical.js").exists(),
    reason="ical.js needs Node.js and `npm ci` in tests/js (make test does it)",
)
async def test_feed_reads_the_same_in_mozillas_ical_js(world, client, tmp_path):
    body = (await feed(client, "/calendar.ics")).content
    fair = await Fair.select().where(Fair.id == world["fair"]).first()
    start_utc = fair["starts_at"].astimezone(dt.UTC)
    uid = f"fair-{world['fair']}@phien-cho-hang-viet.quan1"
    js = ical_js(body, tmp_path)
    mine = next(e for e in js["events"] if e["uid"] == uid)
    assert mine["summary"] == TITLE
    assert mine["tzid"] == "Asia/Ho_Chi_Minh"  # ical.js found the VTIMEZONE
    assert mine["start"] == start_utc.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert mine["status"] == "CONFIRMED"
    assert "Bến Nghé" in " ".join(mine["categories"])
    assert js["refresh"] == "PT12H"
    assert js["name"] == "Phiên chợ hàng Việt TP. Hồ Chí Minh"


async def test_bytes_are_stable_across_requests_and_restarts(world, client, db):
    first = (await feed(client, "/calendar.ics")).content
    second = (await feed(client, "/calendar.ics")).content
    assert first == second
    from app import create_app
    from tests.conftest import client_from

    restarted = create_app()
    async with restarted.lifespan(), client_from(restarted, "192.0.2.9") as other:
        assert (await other.get("/calendar.ics")).content == first


async def test_a_change_raises_sequence_and_a_cancellation_shows_everywhere(
    world, client, tmp_path
):
    await login(client, Role.ORGANIZER)
    fair = world["fair"]
    row = await Fair.select(Fair.starts_at).where(Fair.id == fair).first()
    later = (row["starts_at"] + dt.timedelta(hours=2)).isoformat()
    await client.patch(f"/api/fairs/{fair}", json={"start": later})
    await client.post(f"/api/fairs/{fair}/cancel", json={"reason": "Mưa bão."})
    body = (await feed(client, f"/fairs/{fair}.ics")).content
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "ĐÃ HỦY – " + TITLE
    assert vobject.readOne(body.decode()).vevent.status.value == "CANCELLED"
    # Last, as it is the one check that needs Node.js.
    js = ical_js(body, tmp_path)["events"][0]
    assert (js["status"], js["sequence"]) == ("CANCELLED", 2)
    assert js["summary"].startswith("ĐÃ HỦY")


async def test_304_for_both_validators_and_head(world, client):
    response = await feed(client, "/calendar.ics")
    etag, modified = response.headers["etag"], response.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = await feed(client, "/calendar.ics", **{"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = await feed(client, "/calendar.ics", **{"if-modified-since": modified})
    assert since.status_code == 304
    stale = await feed(client, "/calendar.ics", **{"if-none-match": '"other"'})
    assert stale.status_code == 200
    head = await client.head("/calendar.ics")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(response.content)
    assert head.headers["etag"] == etag
    assert "set-cookie" not in response.headers


async def test_an_edit_changes_the_etag_of_exactly_the_feeds_that_hold_the_fair(world, client):
    paths = [
        "/calendar.ics",
        "/calendar/sites/site-ben-nghe.ics",
        "/calendar/wards/ben-nghe.ics",
        f"/fairs/{world['fair']}.ics",
        "/calendar/sites/site-tan-dinh.ics",
        "/calendar/wards/tan-dinh.ics",
        f"/fairs/{world['other']}.ics",
    ]
    before = {p: (await feed(client, p)).headers["etag"] for p in paths}
    await login(client, Role.ORGANIZER)
    await client.patch(f"/api/fairs/{world['fair']}", json={"title": "Phiên chợ đổi tên"})
    after = {p: (await feed(client, p)).headers["etag"] for p in paths}
    changed = {p for p in paths if before[p] != after[p]}
    assert changed == set(paths[:4])


async def test_window_and_last_modified_never_goes_backwards(world, client, app):
    old = await make_fair(days_ahead=-120, window_open=False)
    cancelled_past = await make_fair(days_ahead=-1, window_open=False, status="cancelled")
    body = (await feed(client, "/calendar.ics")).content
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert f"fair-{old}@phien-cho-hang-viet.quan1" not in uids
    assert f"fair-{cancelled_past}@phien-cho-hang-viet.quan1" not in uids
    # Were every fair last edited long ago, the feed still changed when a fair left it:
    # Last-Modified is then that moment, the cancelled fair's end.
    await Fair.update({Fair.updated_at: now_utc() - dt.timedelta(days=400)}, force=True)
    await app.stores.get("response_cache").delete_all()  # as if CHANGE_TTL had passed
    modified = (await feed(client, "/calendar.ics")).headers["last-modified"]
    from email.utils import parsedate_to_datetime

    ended = await Fair.select(Fair.ends_at).where(Fair.id == cancelled_past).first()
    assert parsedate_to_datetime(modified) == ended["ends_at"].replace(microsecond=0)


async def test_unknown_and_draft_feeds_are_404(world, client):
    draft = await make_fair(days_ahead=50, status="draft")
    for path in (
        f"/fairs/{draft}.ics",
        "/fairs/999999.ics",
        "/calendar/sites/khong-co.ics",
        "/calendar/wards/khong-co.ics",
        "/calendar/sites/site-ben-nghe",
        "/calendar/private/short.ics",
    ):
        assert (await feed(client, path)).status_code == 404, path


async def test_business_private_feed_with_alarm_and_token_reset(world, client, tmp_path):
    from core.timezone import LOCAL_TZ

    day = (now_utc() + dt.timedelta(days=10)).astimezone(LOCAL_TZ).date()
    seven = dt.datetime.combine(day, dt.time(7), LOCAL_TZ)
    await Fair.update({Fair.starts_at: seven, Fair.ends_at: seven + dt.timedelta(hours=5)}).where(
        Fair.id == world["fair"]
    )
    business = await make_business("dn@dn.vn", "Công ty Gốm Đông Hòa", "0300588569", "ben-nghe")
    product = await make_product(business)
    await client.post("/api/auth/login", json={"email": "dn@dn.vn", "password": PASSWORD})
    applied = await client.post(
        f"/api/fairs/{world['fair']}/applications", json={"product_ids": [product]}
    )
    assert applied.status_code == 201
    links = (await client.get("/api/businesses/me/calendar")).json()
    assert links["webcal"].startswith("webcal://") and links["https"].endswith(".ics")
    assert "calendar.google.com" in links["google"]
    path = links["https"].split("testserver", 1)[-1].split("8000", 1)[-1]
    path = path[path.index("/calendar/") :]
    client.cookies.clear()
    private = await feed(client, path)
    assert private.status_code == 200
    assert private.headers["cache-control"].startswith("private")
    check_bytes(private.content)
    (event,) = icalendar.Calendar.from_ical(private.content).walk("VEVENT")
    assert str(event["STATUS"]) == "TENTATIVE"
    alarms = [a.decoded("TRIGGER") for a in event.walk("VALARM")]
    assert alarms == [-dt.timedelta(hours=12)]  # 19:00 the evening before a 07:00 start
    await client.post("/api/auth/login", json={"email": "dn@dn.vn", "password": PASSWORD})
    reset = (await client.post("/api/businesses/me/calendar/reset")).json()
    assert reset["https"] != links["https"]
    client.cookies.clear()
    assert (await feed(client, path)).status_code == 404
    new_path = reset["https"][reset["https"].index("/calendar/") :]
    assert (await feed(client, new_path)).status_code == 200
    # Last, as it is the one check that needs Node.js: Thunderbird's parser reads it alike.
    js = ical_js(private.content, tmp_path)["events"]
    assert len(js) == 1 and js[0]["status"] == "TENTATIVE"
    assert js[0]["alarms"] == ["-PT12H"]


async def test_business_feed_names_the_stall_and_links_the_pass(world, client):
    from events.tables import Application, ApplicationProduct
    from tests.factories import seed_stalls

    await seed_stalls(capacity=6)
    business = await make_business("gian@dn.vn", "Công ty Có Gian", "0300588569", "ben-nghe")
    application = Application(business=business, fair=world["fair"], status="approved")
    await application.save()
    await ApplicationProduct(
        application=application.id, product=await make_product(business)
    ).save()
    await login(client, Role.ORGANIZER)
    await client.post(
        f"/api/fairs/{world['fair']}/assignments",
        json={"application_id": application.id, "stall_codes": ["A04"]},
    )
    await client.post(f"/api/fairs/{world['fair']}/allocation/publish")
    await client.post("/api/auth/logout")
    await client.post("/api/auth/login", json={"email": "gian@dn.vn", "password": PASSWORD})
    link = (await client.get("/api/businesses/me/calendar")).json()["https"]
    passes = (await client.get("/api/me/passes")).json()
    client.cookies.clear()
    body = (await feed(client, link[link.index("/calendar/") :])).content
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).endswith("— gian hàng A04")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert f"/api/passes/{passes[0]['id']}/pdf" in str(event["DESCRIPTION"])


async def test_site_and_ward_feeds_name_their_place(world, client):
    site = icalendar.Calendar.from_ical(
        (await feed(client, "/calendar/sites/site-ben-nghe.ics")).content
    )
    ward = icalendar.Calendar.from_ical(
        (await feed(client, "/calendar/wards/ben-nghe.ics")).content
    )
    named = "Phiên chợ hàng Việt — Địa điểm site-ben-nghe"
    assert str(site["X-WR-CALNAME"]) == str(site["NAME"]) == named
    assert str(ward["X-WR-CALNAME"]) == "Phiên chợ hàng Việt — Phường Bến Nghé"
    assert "Vietnamese-goods fairs in Bến Nghé ward." in str(ward["X-WR-CALDESC"])
    assert "Vietnamese-goods fairs at Địa điểm site-ben-nghe." in str(site["X-WR-CALDESC"])
