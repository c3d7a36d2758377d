"""The console's pages on a real database (both backends): ward officers see their own wards
only, bulk decisions through the page, forms that keep what was typed with errors per field."""

from __future__ import annotations

import datetime as dt

import pytest

from core.roles import Role
from core.timezone import today_local
from events.applications import apply
from events.schemas import ApplicationIn
from events.tables import Application
from tests.factories import (
    csrf_token,
    login,
    make_business,
    make_fair,
    make_product,
    seed_world,
)

pytestmark = pytest.mark.anyio
HTML = {"accept": "text/html"}


async def test_ward_officer_sees_only_their_wards(db, client):
    ids = await seed_world()
    tan_dinh_fair = await make_fair(site_slug="site-tan-dinh", days_ahead=12)
    await login(client, Role.WARD_OFFICER)

    listing = await client.get("/console/businesses", headers=HTML)
    assert listing.status_code == 200
    assert "Công ty TNHH Dệt may Bến Nghé" in listing.text
    assert "Công ty Tân Định Xanh" not in listing.text

    other = await client.get(f"/console/businesses/{ids['other_business_id']}", headers=HTML)
    assert other.status_code == 403
    assert "phường mình phụ trách" in other.text
    assert other.headers["content-type"].startswith("text/html")

    fairs = await client.get("/console/fairs", headers=HTML)
    assert f'href="/console/fairs/{ids["fair_id"]}"' in fairs.text
    assert f'href="/console/fairs/{tan_dinh_fair}"' not in fairs.text
    board = await client.get(f"/console/fairs/{tan_dinh_fair}/board", headers=HTML)
    assert board.status_code == 403

    await login(client, Role.ORGANIZER)
    everyone = await client.get("/console/businesses", headers=HTML)
    assert "Công ty Tân Định Xanh" in everyone.text


async def test_bulk_decision_through_the_page(db, client):
    ids = await seed_world()
    fair = ids["other_fair_id"]
    applied = []
    for number, tax in ((1, "0100109106"), (2, "0101245486")):
        business = await make_business(f"dn{number}@test.vn", f"Cơ sở Số {number}", tax, "ben-nghe")
        product = await make_product(business)
        applied.append((await apply(business, fair, ApplicationIn(product_ids=[product]))).id)
    await login(client, Role.WARD_OFFICER)
    token = await csrf_token(client)

    response = await client.post(
        f"/console/fairs/{fair}/applications",
        data={
            "application_ids[]": [str(a) for a in applied],
            "status": "approved",
            "_csrf_token": token,
        },
        headers=HTML,
    )
    assert response.status_code == 200, response.text[:500]
    assert "Đã lưu 2 quyết định." in response.text
    statuses = await Application.select(Application.status).where(Application.id.is_in(applied))
    assert [s["status"] for s in statuses] == ["approved", "approved"]

    # Rejecting without a reason: refused per application, each one saying why.
    response = await client.post(
        f"/console/fairs/{fair}/applications",
        data={
            "application_ids[]": [str(a) for a in applied],
            "status": "rejected",
            "_csrf_token": token,
        },
        headers=HTML,
    )
    assert "Đã lưu 0 quyết định." in response.text
    assert response.text.count("Hãy ghi lý do từ chối.") == 2

    # Nothing ticked: the error sits next to the list, and the chosen decision is kept.
    response = await client.post(
        f"/console/fairs/{fair}/applications",
        data={"status": "waitlisted", "reason": "Chờ sơ đồ mới", "_csrf_token": token},
        headers=HTML,
    )
    assert response.status_code == 422
    assert 'id="application_ids-error"' in response.text
    assert "Hãy chọn ít nhất một đơn." in response.text
    assert '<option value="waitlisted" selected>' in response.text
    assert "Chờ sơ đồ mới</textarea>" in response.text


async def test_one_decision_keeps_the_reason_field_error(db, client):
    ids = await seed_world()
    await login(client, Role.ORGANIZER)
    token = await csrf_token(client)
    response = await client.post(
        f"/console/fairs/{ids['fair_id']}/applications/{ids['application_id']}",
        data={"status": "rejected", "reason": "", "_csrf_token": token},
        headers=HTML,
    )
    assert response.status_code == 422
    assert f'id="reason-{ids["application_id"]}-error"' in response.text
    row = (
        await Application.select(Application.status)
        .where(Application.id == ids["application_id"])
        .first()
    )
    assert row["status"] == "approved"


async def test_new_fair_form_keeps_values_and_says_what_to_fix(db, client):
    await seed_world()
    await login(client, Role.WARD_OFFICER)
    token = await csrf_token(client)
    day = (today_local() + dt.timedelta(days=45)).isoformat()
    form = {
        "title": "Phiên chợ Tết Bến Nghé",
        "site_slug": "site-ben-nghe",
        "start": f"{day}T07:00",
        "end": f"{day}T06:00",
        "audience": "Công nhân khu chế xuất",
        "_csrf_token": token,
    }
    response = await client.post("/console/fairs/new", data=form, headers=HTML)
    assert response.status_code == 422
    assert 'id="end-error"' in response.text
    assert "Giờ kết thúc phải sau giờ bắt đầu." in response.text
    assert 'value="Phiên chợ Tết Bến Nghé"' in response.text
    assert 'value="Công nhân khu chế xuất"' in response.text
    assert '<option value="site-ben-nghe" selected>' in response.text

    # A site of another ward is not offered, and refused if sent anyway.
    response = await client.post(
        "/console/fairs/new",
        data={**form, "end": f"{day}T11:00", "site_slug": "site-tan-dinh"},
        headers=HTML,
    )
    assert response.status_code in (403, 422)

    response = await client.post(
        "/console/fairs/new", data={**form, "end": f"{day}T11:00"}, headers=HTML
    )
    assert response.status_code == 303
    created = await client.get(response.headers["location"], headers=HTML)
    assert "Phiên chợ Tết Bến Nghé" in created.text
    assert "bản nháp" in created.text


async def test_the_dashboard_shows_todays_fair_after_it_has_closed(db, client):
    from core.timezone import local, now_utc, start_of_local_day
    from events.tables import Fair

    await seed_world()
    fair = await make_fair(days_ahead=0)
    # Held this morning: from the start of the local day for one minute, long over by now
    # (unless the test runs in the day's first minute, when it is still on).
    morning = start_of_local_day(today_local())
    await Fair.update(
        {Fair.starts_at: morning, Fair.ends_at: morning + dt.timedelta(minutes=1)}
    ).where(Fair.id == fair)
    yesterday = await make_fair(days_ahead=-1)
    assert local(now_utc()).date() == today_local()
    await login(client, Role.ORGANIZER)
    page = await client.get("/console", headers=HTML)
    assert page.status_code == 200
    todays = page.text.split("Phiên chợ hôm nay", 1)[1].split("</li>", 1)[0]
    assert f'href="/console/fairs/{fair}' in todays
    assert f'href="/console/fairs/{yesterday}' not in todays


async def test_publishing_or_rerunning_the_board_asks_first_and_does_nothing_until_confirmed(
    db, client
):
    from core.tables import OutboxEmail
    from events.tables import Assignment, Fair

    ids = await seed_world()  # one business on A02 of a board already published
    fair = ids["fair_id"]
    board = f"/console/fairs/{fair}/board"
    await login(client, Role.ORGANIZER)
    token = await csrf_token(client)

    async def state() -> tuple:
        published = await Fair.select(Fair.allocation_published_at).where(Fair.id == fair).first()
        held = await Assignment.select(Assignment.reasons).where(Assignment.fair == fair)
        return published["allocation_published_at"], held, await OutboxEmail.count()

    before = await state()
    asked = await client.post(f"{board}/publish", data={"_csrf_token": token}, headers=HTML)
    assert asked.status_code == 200
    assert "Công bố kết quả xếp gian?" in asked.text
    assert "1 doanh nghiệp sẽ nhận thư báo gian hàng và thẻ ra vào." in asked.text
    assert "Kết quả đã công bố trước đây" in asked.text
    assert 'name="confirm" value="1"' in asked.text
    asked = await client.post(f"{board}/run", data={"_csrf_token": token}, headers=HTML)
    assert "Chạy lại phân gian tự động?" in asked.text
    assert "1 doanh nghiệp chưa ghim gian sẽ được xếp lại từ đầu." in asked.text
    assert await state() == before

    done = await client.post(
        f"{board}/publish", data={"_csrf_token": token, "confirm": "1"}, headers=HTML
    )
    assert "Đã công bố kết quả xếp gian" in done.text
    published, held, mails = await state()
    assert published > before[0]
    assert mails == before[2] + 1  # the business is told its stall

    done = await client.post(
        f"{board}/run", data={"_csrf_token": token, "confirm": "1"}, headers=HTML
    )
    assert "Kết quả phân gian tự động" in done.text
    # The unpinned stall was allotted afresh: by the optimizer now, with its reasons.
    assert held == [{"reasons": ""}]
    assert "vi" in (await state())[1][0]["reasons"]
