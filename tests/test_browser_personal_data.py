"""A business's own data through the pages: it downloads everything the site holds about it as
one ZIP, then asks to be erased, and afterwards the account no longer signs in."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

from tests.browser import check_page, needs_chromium, open_page
from tests.test_browser_business import valid_tax_code

pytestmark = needs_chromium


def test_a_business_downloads_its_data_and_has_it_erased(browser, demo_site):
    base = demo_site.base
    suffix = uuid.uuid4().hex[:6]
    email = f"xoa.{suffix}@test.vn"
    password = "mat-khau-du-lieu"
    legal_name = f"Công ty TNHH Tre Việt {suffix}"
    tax_code = valid_tax_code()

    page = open_page(browser)
    page.goto(f"{base}/register")
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#legal_name", legal_name)
    page.fill("#tax_code", tax_code)
    page.fill("#phone", "0903 777 111")
    page.fill("#address", "3 Lê Thánh Tôn")
    page.select_option("#ward_slug", "ben-thanh")
    page.check("input[name='category_slugs[]'][value='thu-cong']")
    page.check("#consent_version")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/business?welcome=1")

    page.goto(f"{base}/business/profile")
    with page.expect_download() as download:
        page.click("#download-my-data")
    saved = download.value
    assert saved.suggested_filename.startswith(f"du-lieu-{tax_code}-")
    assert saved.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(open(saved.path(), "rb").read())) as archive:
        data = json.loads(archive.read("data.json"))
    assert email in json.dumps(data, ensure_ascii=False)
    assert legal_name in json.dumps(data, ensure_ascii=False)

    page.click("#erase-my-data")
    page.wait_for_url(f"{base}/business/erasure")
    check_page(page, "business-erasure")
    # Without the box ticked: said next to it, and nothing is erased.
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Hãy đánh dấu xác nhận" in page.locator("main").inner_text()
    page.fill("#password", password)
    page.check("#confirm")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/?erased=1")
    assert page.locator("header a[href='/login']").count() == 1  # signed out

    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/login" in page.url
    assert "Email hoặc mật khẩu không đúng." in page.locator("main").inner_text()
