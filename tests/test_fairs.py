"""Fairs: times in Ho Chi Minh City, the lifecycle, sequence numbers, notices and series."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from core.mail import OutboxEmail
from core.roles import Role
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

FAIR = {
    "title": "Phiên chợ hàng Việt mùa Tết",
    "site_slug": "site-ben-nghe",
    "start": "2027-01-31T07:00:00",
    "end": "2027-01-31T12:00:00",
    "applications_open": "2026-12-01T00:00:00+07:00",
    "applications_close": "2027-01-27T23:59:00+07:00",
    "withdrawal_cutoff": "2027-01-28T23:59:00+07:00",
}


@pytest.fixture
async def world(db):
    await seed_basics()


async def test_times_without_offset_are_ho_chi_minh_city_times(world, client):
    await login(client, Role.ORGANIZER)
    created = await client.post("/api/fairs", json=FAIR)
    assert created.status_code == 201, created.text
    fair = created.json()
    assert fair["start"] == "2027-01-31T07:00:00+07:00"
    assert fair["end"] == "2027-01-31T12:00:00+07:00"
    stored = await Fair.select(Fair.starts_at).where(Fair.id == fair["id"]).first()
    assert stored["starts_at"].astimezone(dt.UTC) == dt.datetime(2027, 1, 31, 0, 0, tzinfo=dt.UTC)
    assert fair["status"] == "draft" and fair["setting"] == "residential"


async def test_drafts_stay_private_until_published(world, client):
    await login(client, Role.ORGANIZER)
    fair = (await client.post("/api/fairs", json=FAIR)).json()
    await client.post("/api/auth/logout")
    assert (await client.get(f"/api/fairs/{fair['id']}")).status_code == 404
    assert (await client.get("/api/fairs")).json() == []
    await login(client, Role.ORGANIZER)
    published = await client.post(f"/api/fairs/{fair['id']}/publish")
    assert published.json()["status"] == "published"
    await client.post("/api/auth/logout")
    listed = (await client.get("/api/fairs")).json()
    assert [f["id"] for f in listed] == [fair["id"]]
    for key in (
        "id",
        "title",
        "site_slug",
        "ward_slug",
        "setting",
        "start",
        "end",
        "status",
        "sequence",
        "url",
    ):
        assert key in listed[0]
    assert listed[0]["url"].endswith(f"/fairs/{fair['id']}")


async def test_public_list_filters_by_dates_site_and_ward(world, client):
    first = await make_fair(days_ahead=5)
    second = await make_fair(site_slug="site-tan-dinh", days_ahead=12)
    today = dt.date.today()
    by_ward = (await client.get("/api/fairs", params={"ward": "tan-dinh"})).json()
    assert [f["id"] for f in by_ward] == [second]
    by_site = (await client.get("/api/fairs", params={"site": "site-ben-nghe"})).json()
    assert [f["id"] for f in by_site] == [first]
    # The contract's names: from and to, local days, both included.
    window = {"from": str(today), "to": str(today + dt.timedelta(days=8))}
    assert [f["id"] for f in (await client.get("/api/fairs", params=window)).json()] == [first]


async def test_bad_times_are_refused_with_the_field(world, client):
    await login(client, Role.ORGANIZER)
    backwards = await client.post("/api/fairs", json={**FAIR, "end": "2027-01-31T06:00:00"})
    assert backwards.status_code == 422 and backwards.json()["field"] == "end"
    late_close = await client.post(
        "/api/fairs", json={**FAIR, "applications_close": "2027-02-01T00:00:00"}
    )
    assert late_close.status_code == 422
    assert late_close.json()["field"] == "applications_close"


async def test_ward_officer_creates_fairs_only_at_their_wards_sites(world, client):
    await login(client, Role.WARD_OFFICER)
    other = await client.post("/api/fairs", json={**FAIR, "site_slug": "site-tan-dinh"})
    assert other.status_code == 403
    assert (await client.post("/api/fairs", json=FAIR)).status_code == 201


@pytest.fixture
async def fair_with_applicants(world):
    fair = await make_fair()
    applicants = []
    for number, (code, language) in enumerate((("0300588569", "vi"), ("0100109106", "en"))):
        business = await make_business(
            f"dn{number}@dn.vn", f"Công ty Số {number}", code, "ben-nghe", language=language
        )
        product = await make_product(business)
        from events.applications import apply
        from events.schemas import ApplicationIn

        await apply(business, fair, ApplicationIn(product_ids=[product]))
        applicants.append(f"dn{number}@dn.vn")
    return fair, applicants


async def test_cancelling_raises_the_sequence_and_tells_each_business(fair_with_applicants, client):
    fair, applicants = fair_with_applicants
    await login(client, Role.ORGANIZER)
    no_reason = await client.post(f"/api/fairs/{fair}/cancel", json={"reason": "  "})
    assert no_reason.status_code == 422
    cancelled = await client.post(f"/api/fairs/{fair}/cancel", json={"reason": "Mưa bão lớn."})
    body = cancelled.json()
    assert (body["status"], body["sequence"], body["cancel_reason"]) == (
        "cancelled",
        1,
        "Mưa bão lớn.",
    )
    mails = {m["recipient"]: m for m in await OutboxEmail.select()}
    assert set(mails) == set(applicants)
    assert mails["dn0@dn.vn"]["subject"].startswith("ĐÃ HỦY phiên chợ")
    assert "Mưa bão lớn." in mails["dn0@dn.vn"]["body_text"]
    assert mails["dn1@dn.vn"]["subject"].startswith("CANCELLED")
    again = await client.post(f"/api/fairs/{fair}/cancel", json={"reason": "Lần nữa."})
    assert again.status_code == 409
    still_public = (await client.get("/api/fairs")).json()
    assert [(f["id"], f["status"]) for f in still_public] == [(fair, "cancelled")]


async def test_only_significant_changes_raise_the_sequence(fair_with_applicants, client):
    fair, _ = fair_with_applicants
    await login(client, Role.ORGANIZER)
    small = await client.patch(f"/api/fairs/{fair}", json={"audience": "Sinh viên"})
    assert small.json()["sequence"] == 0
    assert await OutboxEmail.count() == 0
    current = small.json()
    later = dt.datetime.fromisoformat(current["start"]) + dt.timedelta(hours=1)
    moved = await client.patch(f"/api/fairs/{fair}", json={"start": later.isoformat()})
    assert moved.json()["sequence"] == 1
    assert await OutboxEmail.count() == 2
    subjects = {m["subject"] for m in await OutboxEmail.select(OutboxEmail.subject)}
    assert any(s.startswith("Thay đổi lịch phiên chợ") for s in subjects)


async def test_two_organizers_cancelling_at_once_one_wins(fair_with_applicants, app):
    fair, _ = fair_with_applicants
    from tests.conftest import client_from

    async with client_from(app, "192.0.2.1") as one, client_from(app, "192.0.2.2") as two:
        for person in (one, two):
            await person.post(
                "/api/auth/login", json={"email": "btc@test.vn", "password": PASSWORD}
            )
        results = await asyncio.gather(
            one.post(f"/api/fairs/{fair}/cancel", json={"reason": "Một"}),
            two.post(f"/api/fairs/{fair}/cancel", json={"reason": "Hai"}),
        )
    assert sorted(r.status_code for r in results) == [200, 409]
    row = await Fair.select(Fair.sequence).where(Fair.id == fair).first()
    assert row["sequence"] == 1
    assert await OutboxEmail.count() == 2  # one notice per business, not two


async def test_completing_needs_the_fair_to_be_over(world, client):
    future = await make_fair(days_ahead=3)
    past = await make_fair(days_ahead=-2, window_open=False)
    await login(client, Role.ORGANIZER)
    assert (await client.post(f"/api/fairs/{future}/complete")).status_code == 409
    assert (await client.post(f"/api/fairs/{past}/complete")).json()["status"] == "completed"
    assert (await client.patch(f"/api/fairs/{past}", json={"title": "X"})).status_code == 409


SERIES = {
    "title": "Phiên chợ Chủ nhật tuần thứ hai",
    "site_slug": "site-ben-nghe",
    "frequency": "monthly",
    "weekday": 6,
    "week_of_month": 2,
    "start_time": "07:00",
    "end_time": "12:00",
    "first_day": "2027-01-01",
    "last_day": "2027-06-30",
}


async def test_series_every_second_sunday_january_to_june(world, client):
    await login(client, Role.ORGANIZER)
    series = await client.post("/api/series", json=SERIES)
    assert series.status_code == 201, series.text
    starts = [f["start"] for f in series.json()["fairs"]]
    assert starts == [
        "2027-01-10T07:00:00+07:00",
        "2027-02-14T07:00:00+07:00",
        "2027-03-14T07:00:00+07:00",
        "2027-04-11T07:00:00+07:00",
        "2027-05-09T07:00:00+07:00",
        "2027-06-13T07:00:00+07:00",
    ]
    assert all(f["status"] == "draft" for f in series.json()["fairs"])
    assert "BYDAY=+2SU" in series.json()["rule"]


async def test_series_last_friday_crosses_month_ends_correctly(world, client):
    await login(client, Role.ORGANIZER)
    series = await client.post(
        "/api/series",
        json={
            **SERIES,
            "weekday": 4,
            "week_of_month": -1,
            "start_time": "16:00",
            "end_time": "21:00",
            "first_day": "2027-01-15",
            "last_day": "2027-04-30",
        },
    )
    days = [f["start"][:10] for f in series.json()["fairs"]]
    assert days == ["2027-01-29", "2027-02-26", "2027-03-26", "2027-04-30"]


async def test_weekly_series_every_two_weeks_and_fifth_week_skips_short_months(world, client):
    await login(client, Role.ORGANIZER)
    weekly = await client.post(
        "/api/series",
        json={
            **SERIES,
            "frequency": "weekly",
            "every_weeks": 2,
            "week_of_month": None,
            "weekday": 5,
            "first_day": "2027-01-01",
            "last_day": "2027-02-28",
        },
    )
    assert [f["start"][:10] for f in weekly.json()["fairs"]] == [
        "2027-01-02",
        "2027-01-16",
        "2027-01-30",
        "2027-02-13",
        "2027-02-27",
    ]
    fifth = await client.post(
        "/api/series",
        json={
            **SERIES,
            "week_of_month": 5,
            "weekday": 0,
            "first_day": "2027-01-01",
            "last_day": "2027-06-30",
        },
    )
    # Months with five Mondays in the first half of 2027: March and May.
    assert [f["start"][:10] for f in fifth.json()["fairs"]] == ["2027-03-29", "2027-05-31"]


async def test_a_fair_of_a_series_is_edited_and_cancelled_alone(world, client):
    await login(client, Role.ORGANIZER)
    fairs = (await client.post("/api/series", json=SERIES)).json()["fairs"]
    await client.post(f"/api/fairs/{fairs[1]['id']}/cancel", json={"reason": "Trùng lễ."})
    await client.patch(f"/api/fairs/{fairs[2]['id']}", json={"title": "Phiên đặc biệt"})
    rows = await Fair.select(Fair.id, Fair.status, Fair.title).order_by(Fair.starts_at)
    assert [r["status"] for r in rows] == ["draft", "cancelled", "draft", "draft", "draft", "draft"]
    assert rows[2]["title"] == "Phiên đặc biệt" and rows[3]["title"] == SERIES["title"]
