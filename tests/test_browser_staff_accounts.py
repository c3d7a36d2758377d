"""An organizer adds a ward officer from the console; the invitation reaches a real mailbox, its
link sets the officer's password, and the officer signs in (tests/test_browser_accounts.py
sends the outbox the same way)."""

from __future__ import annotations

import uuid

from tests.browser import DESKTOP, check_page, needs_chromium, open_page, sign_in
from tests.test_browser_accounts import mail_to, mailbox  # noqa: F401  (the mailbox fixture)

pytestmark = needs_chromium


def test_an_organizer_invites_a_ward_officer_who_sets_a_password_and_signs_in(
    browser,
    demo_site,
    site_clock,
    mailbox,  # noqa: F811
):
    base = demo_site.base
    email = f"can.bo.{uuid.uuid4().hex[:6]}@test.vn"
    password = "mat-khau-can-bo-moi"

    page = open_page(browser, viewport=DESKTOP)
    sign_in(page, base, "bantochuc@demo.vn", "demo12345")
    page.goto(f"{base}/console")
    page.click("nav.console-nav >> text=Cán bộ")
    page.wait_for_url(f"{base}/console/accounts")
    page.fill("#email", email)
    page.fill("#full_name", "Đỗ Thị Mai")
    page.select_option("#role", "ward_officer")
    # A ward officer without a ward is refused, and what was typed stays.
    page.click("form.staff-form button[type=submit]")
    assert "ít nhất một phường" in page.locator("main").inner_text()
    assert page.input_value("#email") == email
    page.check("input[name='ward_slugs[]'][value='ben-thanh']")
    page.select_option("#role", "gate_staff")
    assert not page.locator("input[name='ward_slugs[]'][value='ben-thanh']").is_visible()
    page.select_option("#role", "ward_officer")
    page.click("form.staff-form button[type=submit]")
    page.wait_for_url(f"{base}/console/accounts/*?done=invited")
    assert "Đã tạo tài khoản và gửi lời mời." in page.locator("main").inner_text()
    check_page(page, "console staff account")
    page.goto(f"{base}/console/accounts")
    check_page(page, "console staff accounts")

    officer = open_page(browser)
    officer.goto(mail_to(demo_site, site_clock, mailbox, email, "/password-reset/new"))
    assert "Đặt mật khẩu của bạn" in officer.locator("h1").inner_text()
    officer.fill("#password", password)
    officer.click("main form button[type=submit]")
    assert "Bây giờ bạn có thể đăng nhập" in officer.locator("main").inner_text()
    sign_in(officer, base, email, password)
    officer.goto(f"{base}/console")
    assert officer.locator("nav.console-nav").is_visible()
    # Ward officers do not manage accounts: no link to them.
    assert officer.locator("nav.console-nav >> text=Cán bộ").count() == 0
