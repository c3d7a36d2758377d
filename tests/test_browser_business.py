"""A business in a browser: signs up (a wrong tax code first: the form keeps what was typed and
says what to fix beside the field), is verified, adds a product, applies to a coming fair,
follows its application and copies its private calendar link, which fetches and parses; and the
demo business finds its stall on today's map and downloads its pass. Every page passes
check_page()."""

from __future__ import annotations

import random
import uuid

import httpx
from icalendar import Calendar

from tests.browser import check_page, needs_chromium, open_page, outbox_link, sign_in
from tests.demo_fairs import DEMO_PASSWORD, ORGANIZER, new_fair, session
from vendors.identifiers import ENTERPRISE_WEIGHTS

pytestmark = needs_chromium


def valid_tax_code() -> str:
    """A fresh enterprise tax code whose 10th digit checks out."""
    while True:
        head = "03" + "".join(random.SystemRandom().choice("0123456789") for _ in range(7))
        check = 10 - sum(int(d) * w for d, w in zip(head, ENTERPRISE_WEIGHTS, strict=True)) % 11
        if check < 10:
            return head + str(check)


def test_business_signs_up_applies_and_follows(browser, demo_site):
    base = demo_site.base
    with session(base, ORGANIZER) as organizer:
        fair_id = new_fair(organizer, "cho-cau-muoi", "Phiên chợ cho doanh nghiệp mới")
        fair_title = organizer.get(f"/api/fairs/{fair_id}").json()["title"]
    suffix = uuid.uuid4().hex[:6]
    name = f"Hộ kinh doanh Gốm Sứ Mới {suffix}"
    email = f"gomsu.{suffix}@test.vn"
    tax_code = valid_tax_code()
    wrong = tax_code[:9] + str((int(tax_code[9]) + 1) % 10)

    page = open_page(browser)
    page.goto(f"{base}/register")
    page.fill("#email", email)
    page.fill("#password", "mat-khau-gom-su")
    page.fill("#legal_name", name)
    page.fill("#tax_code", wrong)
    page.fill("#phone", "0903 123 456")
    page.fill("#address", "12 Trần Hưng Đạo")
    page.select_option("#ward_slug", "cau-ong-lanh")
    page.check("input[name='category_slugs[]'][value='thu-cong']")
    page.check("#consent_version")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    error = page.locator("#tax_code-error")
    assert "chữ số kiểm tra" in error.inner_text()
    assert page.locator("#tax_code").get_attribute("aria-invalid") == "true"
    assert page.locator("#legal_name").input_value() == name
    assert page.locator("#email").input_value() == email
    assert page.locator("#address").input_value() == "12 Trần Hưng Đạo"
    assert page.locator("#ward_slug").input_value() == "cau-ong-lanh"
    assert page.is_checked("input[name='category_slugs[]'][value='thu-cong']")
    assert page.is_checked("#consent_version")
    check_page(page, "business-register-error")

    page.fill("#tax_code", tax_code)
    page.fill("#password", "mat-khau-gom-su")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/business?welcome=1")
    assert name in page.locator("h1").inner_text()
    assert "chờ duyệt" in page.locator(".status").first.inner_text()
    check_page(page, "business-overview-pending")
    page.goto(outbox_link(demo_site, email, "/account/confirm-email"))
    assert f"Đã xác nhận địa chỉ {email}" in page.locator("main").inner_text()

    with session(base, ORGANIZER) as organizer:
        found = organizer.get("/api/businesses", params={"q": suffix}).json()
        verified = organizer.post(f"/api/businesses/{found[0]['id']}/verify", json={})
        assert verified.status_code == 200, verified.text

    page.goto(f"{base}/business/products/new")
    page.fill("#name", "Bình gốm men lam")
    page.select_option("#category_slug", "thu-cong")
    page.fill("#made_in", "Bình Dương")
    page.check("input[name=made_in_vietnam]")
    check_page(page, "business-product-form")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/business/products?saved=1")
    assert "Bình gốm men lam" in page.locator("main").inner_text()
    check_page(page, "business-products")

    page.goto(f"{base}/business/fairs")
    check_page(page, "business-fairs")
    page.click(f"a[href='/business/fairs/{fair_id}/apply']")
    page.wait_for_url(f"{base}/business/fairs/{fair_id}/apply")
    page.check("input[name='product_ids[]']")
    page.check("input[name=needs_shade]")
    check_page(page, "business-apply")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/business/applications/*")
    application_id = int(page.url.split("/")[-1].split("?")[0])
    assert page.locator("#application-status").inner_text() == "đã nộp"
    assert fair_title in page.locator("main").inner_text()
    check_page(page, "business-application")

    with session(base, ORGANIZER) as organizer:
        decided = organizer.post(
            f"/api/applications/{application_id}/decision", json={"status": "approved"}
        )
        assert decided.status_code == 200, decided.text
    page.reload()
    assert page.locator("#application-status").inner_text() == "được duyệt"

    page.goto(f"{base}/business")
    link = page.locator("#private-calendar").input_value()
    assert "/calendar/private/" in link
    page.click("button[data-copy='#private-calendar']")
    page.wait_for_function(
        "document.querySelector(\"button[data-copy='#private-calendar']\").textContent"
        " === 'Đã sao chép'"
    )
    check_page(page, "business-overview")
    feed = httpx.get(link, timeout=30)
    assert feed.status_code == 200
    summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert any(fair_title in s for s in summaries), summaries
    page.context.close()


def test_demo_business_sees_its_stall_and_downloads_its_pass(browser, demo_site):
    page = open_page(browser)
    sign_in(page, demo_site.base, "doanhnghiep1@demo.vn", DEMO_PASSWORD)
    page.goto(f"{demo_site.base}/business/passes")
    today = page.locator("section.pass").first
    mine = today.locator(".fair-map svg .stall.mine")
    assert mine.count() >= 1
    stall = mine.first.get_attribute("data-code")
    assert stall in today.locator(".stall-code").inner_text()
    check_page(page, "business-passes")
    pdf_url = today.locator("a.pass-pdf").get_attribute("href")
    response = page.context.request.get(f"{demo_site.base}{pdf_url}")
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    page.context.close()
