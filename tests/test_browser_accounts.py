"""An account's own life, through the pages and a real mailbox: a new business confirms its
address with the link it is mailed, changes its password, forgets it and resets it from the
sign-in page, and moves the account to a new address. The server's outbox is sent by the
`send-mail` command to a real SMTP server on a free local port (tests/smtp.py)."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from tests.browser import check_page, needs_chromium, open_page, sign_in
from tests.conftest import run_cli
from tests.smtp import MailServer, free_port
from tests.test_browser_business import valid_tax_code

pytestmark = needs_chromium


@pytest.fixture
def mailbox():
    server = MailServer(free_port())
    server.controller.start()
    yield server
    server.controller.stop()


def mail_to(site, clock, mailbox: MailServer, recipient: str, path: str) -> str:
    """Sends the site's due mail to the mailbox and returns the newest link to `path` in a
    mail that reached `recipient`."""
    # On the site's clock: mail queued at the site's time is due at that time.
    env = {**clock.env, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox.controller.port)}
    sent = run_cli("send-mail", database_url=site.database_url, extra_env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message, recipients in zip(
            reversed(mailbox.messages), reversed(mailbox.recipients), strict=True
        ):
            found = re.search(
                rf"https?://\S+{re.escape(path)}\?token=[\w-]+", mailbox.text_of(message)
            )
            if recipient in recipients and found:
                return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {recipient} with a link to {path}")


def test_an_account_confirms_changes_and_recovers_through_its_mail(
    browser, demo_site, site_clock, mailbox
):
    base = demo_site.base
    suffix = uuid.uuid4().hex[:6]
    email = f"maytre.{suffix}@test.vn"
    first, second, third = "mat-khau-may-tre", "mat-khau-thu-hai", "mat-khau-thu-ba"

    page = open_page(browser)
    page.goto(f"{base}/register")
    page.fill("#email", email)
    page.fill("#password", first)
    page.fill("#legal_name", f"Hợp tác xã Mây Tre Đan {suffix}")
    page.fill("#tax_code", valid_tax_code())
    page.fill("#phone", "0903 555 777")
    page.fill("#address", "8 Nguyễn Huệ")
    page.select_option("#ward_slug", "ben-thanh")
    page.check("input[name='category_slugs[]'][value='thu-cong']")
    page.check("#consent_version")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/business?welcome=1")
    assert page.locator("#confirm-email").is_visible()

    # The confirmation mail's link confirms the address, opened in the same browser.
    page.goto(mail_to(demo_site, site_clock, mailbox, email, "/account/confirm-email"))
    assert f"Đã xác nhận địa chỉ {email}" in page.locator("main").inner_text()
    page.goto(f"{base}/business")
    assert page.locator("#confirm-email").count() == 0

    # A new password from the account page; a mistake first, named by its field.
    page.goto(f"{base}/account")
    page.fill("#current_password", "khong-phai-mat-khau")
    page.fill("#new_password", second)
    page.click("form[action='/account/password'] button[type=submit]")
    page.wait_for_load_state()
    assert "Mật khẩu hiện tại không đúng." in page.locator("#current_password-error").inner_text()
    page.fill("#current_password", first)
    page.fill("#new_password", second)
    page.click("form[action='/account/password'] button[type=submit]")
    page.wait_for_url(f"{base}/account?done=password")
    assert "Đã đổi mật khẩu." in page.locator("main").inner_text()
    assert "Chrome" in page.locator("main table").inner_text()  # this sign-up's own session
    check_page(page, "account")

    # Forgotten: reset from the sign-in page's link, with the mailed link.
    page.click("header form[action='/logout'] button")
    page.wait_for_load_state()
    page.goto(f"{base}/login")
    page.click("text=Quên mật khẩu?")
    page.fill("#email", email)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Nếu địa chỉ này có tài khoản" in page.locator("main").inner_text()
    page.goto(mail_to(demo_site, site_clock, mailbox, email, "/password-reset/new"))
    page.fill("#password", third)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Đã đặt mật khẩu mới." in page.locator("main").inner_text()
    sign_in(page, base, email, third)

    # A new address takes over once its own link is opened.
    new_email = f"htx.maytre.{suffix}@test.vn"
    page.goto(f"{base}/account")
    page.fill("#new_email", new_email)
    page.fill("#password", third)
    page.click("form[action='/account/email'] button[type=submit]")
    page.wait_for_url(f"{base}/account?done=email")
    page.goto(mail_to(demo_site, site_clock, mailbox, new_email, "/account/confirm-email"))
    assert f"Đã xác nhận địa chỉ {new_email}" in page.locator("main").inner_text()
    sign_in(page, base, new_email, third)
    page.goto(f"{base}/account")
    assert new_email in page.locator("main").inner_text()
