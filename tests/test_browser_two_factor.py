"""Two-factor sign-in through the pages: a new business turns it on at /account/two-factor with
the key shown for manual entry (its codes computed here as a phone's app would, on the site's
clock), signs out, and signs in again with the password and then a code."""

from __future__ import annotations

import uuid

import pyotp

from tests.browser import check_page, needs_chromium, open_page
from tests.test_browser_business import valid_tax_code

pytestmark = needs_chromium


def test_a_business_turns_on_two_factor_and_signs_in_with_a_code(browser, demo_site, site_clock):
    base = demo_site.base
    suffix = uuid.uuid4().hex[:6]
    email = f"hai.buoc.{suffix}@test.vn"
    password = "mat-khau-hai-buoc"

    page = open_page(browser)
    page.goto(f"{base}/register")
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#legal_name", f"Công ty TNHH Sơn Mài {suffix}")
    page.fill("#tax_code", valid_tax_code())
    page.fill("#phone", "0903 222 444")
    page.fill("#address", "15 Đồng Khởi")
    page.select_option("#ward_slug", "sai-gon")
    page.check("input[name='category_slugs[]'][value='thu-cong']")
    page.check("#consent_version")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/business?welcome=1")

    page.goto(f"{base}/account")
    page.click("text=Cài đặt đăng nhập hai bước")
    page.wait_for_url(f"{base}/account/two-factor")
    page.click("main form[action='/account/two-factor/setup'] button")
    page.wait_for_url(f"{base}/account/two-factor")
    assert page.locator("main svg.qr").is_visible()
    check_page(page, "two-factor setup")
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)

    page.fill("#code", totp.at(site_clock.now()))
    page.click("main form[action='/account/two-factor/enable'] button")
    page.wait_for_load_state()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert "Đang bật" in page.locator("main").inner_text()
    check_page(page, "two-factor on")

    page.click("header form[action='/logout'] button")
    page.wait_for_load_state()
    page.goto(f"{base}/login?next=/account")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Nhập mã xác thực 6 chữ số từ ứng dụng." in page.locator("main").inner_text()
    check_page(page, "sign-in second step")
    # The code of the next step: the one that turned it on may still be the current one.
    page.fill("#code", totp.at(site_clock.now().timestamp() + 30))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/account")
    assert "Mật khẩu và mã xác thực" in page.locator("main table").inner_text()
