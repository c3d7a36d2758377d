"""An inspector at a stall, on a phone: opens one of the demo's planned inspections at today's
fair, starts it, answers every checklist item (one fails, with a finding recorded), completes it,
and the list shows it completed. Every page passes check_page()."""

from __future__ import annotations

from playwright.sync_api import expect

from inspections.checklist import CHECKLIST
from tests.browser import check_page, needs_chromium, open_page, sign_in
from tests.demo_fairs import DEMO_PASSWORD

pytestmark = needs_chromium


def test_an_inspector_fills_the_checklist_on_a_phone(browser, demo_site):
    base = demo_site.base
    page = open_page(browser)
    sign_in(page, base, "kiemtra@demo.vn", DEMO_PASSWORD)
    page.goto(f"{base}/inspections")
    check_page(page, "inspections-list")
    planned = page.locator(".card", has=page.locator(".status.planned")).first
    place = planned.locator(".card-title a").inner_text()
    planned.locator(".card-title a").click()
    page.wait_for_load_state()
    detail = page.url.split("#")[0]
    page.get_by_role("button", name="Bắt đầu kiểm tra").click()
    page.wait_for_load_state()

    failing = "prices_shown"
    for item in CHECKLIST:
        row = page.locator(f"#item-{item}")
        row.locator(f"input[value={'fail' if item == failing else 'pass'}]").check()
        row.locator("button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator(f"#item-{item}")).to_have_class(
            f"card {'fail' if item == failing else 'pass'}"
        )
    check_page(page, "inspections-checklist")

    # Completing with a failed item and nothing to explain it is refused, and says why.
    page.get_by_role("button", name="Hoàn thành kiểm tra").click()
    page.wait_for_load_state()
    assert "Hoàn thành" not in page.locator(".status").first.inner_text()
    assert page.locator("[role=alert]").count() >= 1

    page.goto(detail)
    page.select_option("#kind", "prices_not_shown")
    page.select_option("#severity", "minor")
    page.fill("#description", "Không niêm yết giá trên kệ hàng gốm.")
    page.get_by_role("button", name="Ghi vi phạm").click()
    page.wait_for_load_state()
    assert "Không niêm yết giá trên kệ hàng gốm." in page.locator("main").inner_text()
    page.get_by_role("button", name="Hoàn thành kiểm tra").click()
    page.wait_for_load_state()
    expect(page.locator(".status").first).to_have_class("status completed")
    check_page(page, "inspections-completed")

    page.goto(f"{base}/inspections")
    done = page.locator(".card", has=page.locator(".card-title a", has_text=place)).first
    expect(done.locator(".status")).to_have_class("status completed")
    page.context.close()
