"""The console in a real browser over the demo data: a ward officer kept to their ward, and an
organizer's whole fair, from a new draft to live arrivals at the gate."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from playwright.sync_api import expect

from tests.browser import check_page, needs_chromium, open_page, sign_in
from tests.pdfs import pdf_pages

pytestmark = needs_chromium
DEMO_PASSWORD = "demo12345"


@contextmanager
def api_session(base: str, email: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as client:
        signed = client.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        assert signed.status_code == 200, signed.text
        yield client


def test_ward_body_organizer_sees_only_their_ward(browser, demo_site):
    with api_session(demo_site.base, "bantochuc@demo.vn") as organizer:
        elsewhere = organizer.get("/api/businesses", params={"ward": "tan-dinh"}).json()
    assert elsewhere, "the demo has businesses in Tân Định"

    page = open_page(browser)
    sign_in(page, demo_site.base, "phuong.saigon@demo.vn", DEMO_PASSWORD)
    page.goto(f"{demo_site.base}/console/businesses")
    check_page(page, "console-businesses-ward-officer")
    wards = page.locator("main tbody tr td:nth-child(3)").all_inner_texts()
    assert wards and set(wards) == {"Phường Sài Gòn"}
    assert elsewhere[0]["legal_name"] not in page.locator("main").inner_text()

    page.locator("main tbody tr a").first.click()
    page.wait_for_load_state()
    check_page(page, "console-business-ward-officer")
    assert page.locator("h2", has_text="Quyết định").count() == 1

    response = page.goto(f"{demo_site.base}/console/businesses/{elsewhere[0]['id']}")
    assert response.status == 403
    check_page(page, "console-business-other-ward")
    assert "phường mình phụ trách" in page.locator("main").inner_text()


def _apply_as_demo_businesses(base: str, fair_id: int, wanted: int) -> list[int]:
    """Verified demo businesses apply with their first product that needs no certificate."""
    applied: list[int] = []
    for number in range(12, 41):
        if len(applied) == wanted:
            break
        with api_session(base, f"doanhnghiep{number}@demo.vn") as business:
            me = business.get("/api/businesses/me").json()
            if me.get("status") != "verified":
                continue
            for product in business.get("/api/businesses/me/products").json():
                made = business.post(
                    f"/api/fairs/{fair_id}/applications", json={"product_ids": [product["id"]]}
                )
                if made.status_code == 201:
                    applied.append(made.json()["id"])
                    break
    assert len(applied) == wanted
    return applied


def test_organizer_runs_a_fair_from_draft_to_the_gate(browser, demo_site, site_clock):
    base = demo_site.base
    # The site's clock is mid-morning: the fair starts on the day of the scan below.
    now = site_clock.now().replace(second=0, microsecond=0)
    start = now + dt.timedelta(minutes=5)
    minutes = "%Y-%m-%dT%H:%M"

    page = open_page(browser)
    sign_in(page, base, "bantochuc@demo.vn", DEMO_PASSWORD)
    page.goto(f"{base}/console")
    check_page(page, "console-dashboard")

    page.goto(f"{base}/console/fairs/new")
    check_page(page, "console-fair-new")
    page.fill("#title", "Phiên chợ thử của ban tổ chức")
    # A Bến Thành site: the demo's gate staff works for that ward's body.
    page.select_option("#site_slug", "cong-vien-23-thang-9")
    page.fill("#start", start.strftime(minutes))
    page.fill("#end", (start + dt.timedelta(hours=4)).strftime(minutes))
    page.fill("#applications_open", (now - dt.timedelta(hours=1)).strftime(minutes))
    page.fill("#applications_close", (now + dt.timedelta(minutes=4)).strftime(minutes))
    page.fill("#withdrawal_cutoff", (now + dt.timedelta(minutes=4)).strftime(minutes))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    fair_id = int(re.search(r"/console/fairs/(\d+)", page.url).group(1))
    check_page(page, "console-fair-draft")
    page.click("text=Công bố phiên chợ")
    page.wait_for_load_state()
    assert "Đã công bố phiên chợ." in page.locator("main").inner_text()

    applied = _apply_as_demo_businesses(base, fair_id, 4)

    page.goto(f"{base}/console/fairs/{fair_id}/applications")
    check_page(page, "console-applications")
    page.check("#select-all")
    page.select_option("#status", "approved")
    page.click("#bulk button[type=submit]")
    page.wait_for_load_state()
    assert f"Đã lưu {len(applied)} quyết định." in page.locator("main").inner_text()

    page.goto(f"{base}/console/fairs/{fair_id}/board")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("text=Chạy phân gian tự động")
    page.locator(".run-result").wait_for()
    run = page.locator(".run-result").inner_text()
    assert "Điểm nếu xếp theo thứ tự nộp đơn" in run
    assert page.locator(".board-row .reasons li").count() >= len(applied)
    check_page(page, "console-board-after-run")
    page.set_viewport_size({"width": 1280, "height": 900})

    # By clicking: pick a business, then a free stall.
    first = page.locator(".board-row[draggable=true]").nth(0)
    name = first.get_attribute("data-name")
    first.locator("button.pick").click()
    free = page.locator("g.stall.state-open").first
    code = free.get_attribute("data-code")
    free.click()
    page.locator(".board-messages .notice", has_text=f"gian {code}").wait_for()
    row = page.locator(".board-row", has=page.locator(f"button.pick:text-is('{name}')"))
    assert code in row.inner_text()

    # By dragging: another business onto another free stall.
    second = page.locator(".board-row[draggable=true]").nth(1)
    name = second.get_attribute("data-name")
    target = page.locator("g.stall.state-open").nth(1)
    code = target.get_attribute("data-code")
    second.drag_to(target, source_position={"x": 4, "y": 4})
    page.locator(".board-messages .notice", has_text=f"gian {code}").wait_for()
    row = page.locator(".board-row", has=page.locator(f"button.pick:text-is('{name}')"))
    assert code in row.inner_text()
    check_page(page, "console-board-after-moves")

    page.click("text=Công bố kết quả xếp gian")
    # Nothing goes out before the organizer confirms, knowing who will be told.
    page.locator(".confirm", has_text="doanh nghiệp sẽ nhận thư báo").wait_for()
    check_page(page, "console-board-confirm-publish")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#confirm-action")
    page.locator(".board-messages .notice", has_text="Đã công bố").wait_for()

    page.goto(f"{base}/console/fairs/{fair_id}/passes")
    check_page(page, "console-passes")
    pdf = page.request.get(base + page.get_attribute("#batch-pdf", "href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    with api_session(base, "bantochuc@demo.vn") as organizer:
        issued = organizer.get(f"/api/fairs/{fair_id}/passes").json()
    active = [p for p in issued if p["status"] == "active"]
    assert active
    sheets = pdf_pages(pdf.body())
    assert len(sheets) == -(-len(active) // 4)  # four passes to an A4 sheet
    assert [round(v) for v in sheets[0][2:4]] == [595, 842]

    page.goto(f"{base}/console/fairs/{fair_id}/checkin")
    check_page(page, "console-checkin")
    assert page.inner_text("#count-arrived") == "0"
    with api_session(base, "bantochuc@demo.vn") as organizer:
        passes = organizer.get(f"/api/fairs/{fair_id}/passes").json()
        gate_account = next(
            a["id"] for a in organizer.get("/api/accounts").json() if a["email"] == "cong@demo.vn"
        )
        assigned = organizer.post(
            f"/api/fairs/{fair_id}/gate-staff", json={"account_id": gate_account}
        )
        assert assigned.status_code in (200, 201), assigned.text
    code = next(p["code"] for p in passes if p["status"] == "active")
    with api_session(base, "cong@demo.vn") as gate:
        scanned = gate.post(
            "/api/checkin",
            json={
                "code": code,
                "gate": "Cổng chính",
                "device_id": "console-test",
                "fair_id": fair_id,
            },
        )
    assert scanned.json()["result"] == "accepted", scanned.text
    expect(page.locator("#count-arrived")).to_have_text("1", timeout=20000)
    assert page.inner_text("#count-waiting") == str(len(passes) - 1)
