"""Time rules: the application window's edges, and the day a gate scan counts for."""

from __future__ import annotations

import datetime as dt

import pytest

import events.applications
from core.roles import Role
from core.timezone import local, now_utc, start_of_local_day, today_local
from events.tables import Application, ApplicationProduct, ApplicationStatusChange, Fair
from tests.factories import (
    PASSWORD,
    issue_business_pass,
    login,
    make_business,
    make_fair,
    make_fair_between,
    make_product,
    seed_basics,
    seed_stalls,
)
from tickets.tables import Arrival, Scan

pytestmark = pytest.mark.anyio


@pytest.fixture
async def applicant(db):
    await seed_basics()
    business = await make_business("ung@dn.vn", "Công ty Ứng Tuyển", "0100109106", "ben-nghe")
    return {"business": business, "product": await make_product(business)}


async def set_window(fair: int, opens: dt.datetime, closes: dt.datetime) -> None:
    await Fair.update({Fair.applications_open_at: opens, Fair.applications_close_at: closes}).where(
        Fair.id == fair
    )


def frozen_at(monkeypatch, moment: dt.datetime) -> None:
    # The rule compares with the server's clock: hold it at the edge being tested.
    monkeypatch.setattr(events.applications, "now_utc", lambda: moment)


async def apply(client, fair: int, product: int):
    await client.post("/api/auth/login", json={"email": "ung@dn.vn", "password": PASSWORD})
    return await client.post(f"/api/fairs/{fair}/applications", json={"product_ids": [product]})


async def assert_nothing_applied() -> None:
    assert await Application.count() == 0
    assert await ApplicationProduct.count() == 0
    assert await ApplicationStatusChange.count() == 0


def when(moment: dt.datetime) -> str:
    return local(moment).strftime("%H:%M %d/%m/%Y")


async def test_applying_before_the_window_opens_is_refused_and_creates_nothing(
    applicant, client, monkeypatch
):
    fair = await make_fair(days_ahead=30)
    opens = now_utc().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    closes = opens + dt.timedelta(days=7)
    await set_window(fair, opens, closes)
    frozen_at(monkeypatch, opens - dt.timedelta(seconds=1))
    early = await apply(client, fair, applicant["product"])
    assert early.status_code == 409, early.text
    assert early.headers["content-type"].startswith("application/problem+json")
    messages = early.json()["messages"]
    assert messages["vi"] == f"Phiên chợ nhận đăng ký từ {when(opens)} đến {when(closes)}."
    assert messages["en"] == f"Applications are taken from {when(opens)} to {when(closes)}."
    await assert_nothing_applied()


async def test_applying_after_the_window_closes_is_refused_and_creates_nothing(
    applicant, client, monkeypatch
):
    fair = await make_fair(days_ahead=30)
    opens = now_utc().replace(second=0, microsecond=0) - dt.timedelta(days=7)
    closes = opens + dt.timedelta(days=5)
    await set_window(fair, opens, closes)
    frozen_at(monkeypatch, closes + dt.timedelta(seconds=1))
    late = await apply(client, fair, applicant["product"])
    assert late.status_code == 409, late.text
    assert late.json()["messages"]["en"] == (
        f"Applications are taken from {when(opens)} to {when(closes)}."
    )
    assert "Phiên chợ nhận đăng ký từ" in late.json()["detail"]  # Vietnamese unless asked
    await assert_nothing_applied()


async def test_applying_at_the_moment_the_window_opens_works(applicant, client, monkeypatch):
    fair = await make_fair(days_ahead=30)
    opens = now_utc().replace(second=0, microsecond=0) + dt.timedelta(days=1)
    await set_window(fair, opens, opens + dt.timedelta(days=7))
    frozen_at(monkeypatch, opens)
    applied = await apply(client, fair, applicant["product"])
    assert applied.status_code == 201, applied.text
    assert applied.json()["status"] == "submitted"
    stored = await Application.select(Application.business, Application.status).first()
    assert stored == {"business": applicant["business"], "status": "submitted"}
    assert await ApplicationProduct.count() == 1


# Gate scans: the scan's own time, not the upload's, picks the day a pass is checked against.


def local_moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return start_of_local_day(day) + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture
async def gate_world(db):
    await seed_basics()
    await seed_stalls(capacity=12)
    business = await make_business("cong@dn.vn", "Công ty Qua Cổng", "0300588569", "ben-nghe")
    return business


async def fair_with_pass(business: int, day: dt.date, days: int = 1) -> dict:
    """A fair from 07:00 on `day` to 17:00 on its last day, local, and the business's pass."""
    fair = await make_fair_between(
        local_moment(day, 7), local_moment(day + dt.timedelta(days=days - 1), 17)
    )
    issued = await issue_business_pass(fair, business)
    assert issued is not None
    return issued


async def scan(client, code: str, **extra) -> dict:
    response = await client.post(
        "/api/checkin",
        json={"code": code, "gate": "Cổng Nguyễn Du", "device_id": "may-quet-1", **extra},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def stored_scan_times(pass_id: int) -> tuple[list, list]:
    scans = await Scan.select(Scan.scanned_at, Scan.result).where(Scan.pass_ == pass_id)
    arrivals = await Arrival.select(Arrival.scanned_at).where(Arrival.pass_ == pass_id)
    return scans, [a["scanned_at"] for a in arrivals]


async def test_an_offline_scan_from_yesterday_counts_for_yesterdays_fair(gate_world, client):
    yesterday = today_local() - dt.timedelta(days=1)
    issued = await fair_with_pass(gate_world, yesterday)
    await login(client, Role.GATE_STAFF)
    scanned = local_moment(yesterday, 9, 30)
    uploaded = await scan(client, issued["code"], scanned_at=scanned.isoformat())
    assert uploaded["result"] == "accepted", uploaded
    scans, arrivals = await stored_scan_times(issued["id"])
    assert [(s["scanned_at"], s["result"]) for s in scans] == [(scanned, "accepted")]
    assert arrivals == [scanned]
    # Scanned now, the same pass is a day late.
    now_scan = await scan(client, issued["code"], device_id="may-quet-2")
    assert now_scan["result"] == "not_today"
    assert now_scan["messages"]["en"] == f"The pass is valid on {yesterday:%d/%m/%Y} only."


async def test_a_scan_made_on_a_day_outside_the_fair_is_not_today(gate_world, client):
    today = today_local()
    issued = await fair_with_pass(gate_world, today, days=2)
    await login(client, Role.GATE_STAFF)
    for day in (today - dt.timedelta(days=1), today - dt.timedelta(days=3)):
        answer = await scan(
            client, issued["code"], scanned_at=local_moment(day, 10).isoformat(), device_id=str(day)
        )
        assert answer["result"] == "not_today", answer
        assert answer["messages"]["vi"] == f"Thẻ chỉ dùng ngày {today:%d/%m/%Y}."
    assert await Arrival.count() == 0
    scans, _ = await stored_scan_times(issued["id"])
    assert sorted(s["scanned_at"] for s in scans) == [
        local_moment(today - dt.timedelta(days=3), 10),
        local_moment(today - dt.timedelta(days=1), 10),
    ]


async def test_a_device_clock_ahead_is_recorded_at_the_servers_time(gate_world, client):
    today = today_local()
    issued = await fair_with_pass(gate_world, today)
    await login(client, Role.GATE_STAFF)
    before = now_utc()
    answer = await scan(
        client, issued["code"], scanned_at=(before + dt.timedelta(days=2)).isoformat()
    )
    after = now_utc()
    assert answer["result"] == "accepted", answer
    scans, arrivals = await stored_scan_times(issued["id"])
    assert len(scans) == 1 and len(arrivals) == 1
    assert before <= scans[0]["scanned_at"] <= after
    assert arrivals[0] == scans[0]["scanned_at"]


async def test_a_device_clock_ahead_cannot_move_a_scan_into_a_later_day(gate_world, client):
    tomorrow = today_local() + dt.timedelta(days=1)
    issued = await fair_with_pass(gate_world, tomorrow)
    await login(client, Role.GATE_STAFF)
    before = now_utc()
    claimed = local_moment(tomorrow, 9)
    answer = await scan(client, issued["code"], scanned_at=claimed.isoformat())
    after = now_utc()
    assert answer["result"] == "not_today", answer
    scans, arrivals = await stored_scan_times(issued["id"])
    assert arrivals == []
    assert len(scans) == 1 and before <= scans[0]["scanned_at"] <= after


async def test_a_scan_a_little_ahead_of_the_server_keeps_its_own_time(gate_world, client):
    today = today_local()
    # Three days around today: a scan two minutes ahead stays on the fair whatever the hour.
    issued = await fair_with_pass(gate_world, today - dt.timedelta(days=1), days=3)
    await login(client, Role.GATE_STAFF)
    ahead = (now_utc() + dt.timedelta(minutes=2)).replace(microsecond=0)
    answer = await scan(client, issued["code"], scanned_at=ahead.isoformat())
    assert answer["result"] == "accepted", answer
    scans, arrivals = await stored_scan_times(issued["id"])
    assert [s["scanned_at"] for s in scans] == [ahead] and arrivals == [ahead]
