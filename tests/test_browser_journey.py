"""The whole season of one new business, through the pages only and in three browsers: it signs
up; the organizer vets it, opens a fair for today and publishes it; the business adds a product
and applies; the organizer approves, allocates and publishes the allocation; the business finds
its stall and downloads its pass; and the QR code printed on that pass lets it in at the gate
page. The code is read from the PDF's pixels, as a phone camera would read the paper."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser import check_page, needs_chromium, open_page, outbox_link, sign_in
from tests.demo_fairs import DEMO_PASSWORD, ORGANIZER
from tests.test_browser_business import valid_tax_code

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not shutil.which("pdftoppm"),
        reason="pdftoppm is not installed (poppler-utils; .ci/run installs it)",
    ),
]
MINUTES = "%Y-%m-%dT%H:%M"


def _today_start(site_clock) -> tuple[dt.datetime, dt.datetime]:
    """The site's now, and a start a few minutes ahead on the same day (the pass is valid that
    day): the site clock is mid-morning, whatever the hour the suite runs."""
    now = site_clock.now().replace(second=0, microsecond=0)
    return now, now + dt.timedelta(minutes=8)


def _qr_text_of(pdf: bytes, folder) -> str:
    import zxingcpp
    from PIL import Image

    path = folder / "pass.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "300", str(path), str(folder / "page")], check=True)
    found = zxingcpp.read_barcodes(Image.open(next(folder.glob("page*.png"))))
    assert len(found) == 1
    return found[0].text


def test_a_new_business_from_sign_up_to_the_gate(browser, demo_site, site_clock, tmp_path):
    base = demo_site.base
    suffix = uuid.uuid4().hex[:6]
    legal_name = f"Công ty TNHH Nón Lá Huế {suffix}"
    email = f"nonla.{suffix}@test.vn"

    # The business signs up.
    business = open_page(browser)
    business.goto(f"{base}/register")
    business.fill("#email", email)
    business.fill("#password", "mat-khau-non-la")
    business.fill("#legal_name", legal_name)
    business.fill("#tax_code", valid_tax_code())
    business.fill("#phone", "0913 456 789")
    business.fill("#address", "45 Lê Lợi")
    business.select_option("#ward_slug", "ben-thanh")
    business.check("input[name='category_slugs[]'][value='thu-cong']")
    business.check("#consent_version")
    business.click("main form button[type=submit]")
    business.wait_for_url(f"{base}/business?welcome=1")
    # It confirms its address with the link it was mailed.
    business.goto(outbox_link(demo_site, email, "/account/confirm-email"))
    assert f"Đã xác nhận địa chỉ {email}" in business.locator("main").inner_text()

    # The organizer vets it and opens a fair for today.
    organizer = open_page(browser)
    sign_in(organizer, base, ORGANIZER, DEMO_PASSWORD)
    organizer.goto(f"{base}/console/businesses?q={suffix}")
    organizer.click(f"text={legal_name}")
    organizer.locator("form[action$='/verify'] button[type=submit]").click()
    organizer.wait_for_load_state()
    expect(organizer.locator("main .status").first).to_have_class(re.compile("verified"))

    now, start = _today_start(site_clock)
    organizer.goto(f"{base}/console/fairs/new")
    title = f"Phiên chợ hành trình {suffix}"
    organizer.fill("#title", title)
    # A Bến Thành site: the demo's gate staff works for that ward's body.
    organizer.select_option("#site_slug", "cong-vien-23-thang-9")
    organizer.fill("#start", start.strftime(MINUTES))
    organizer.fill("#end", (start + dt.timedelta(hours=4)).strftime(MINUTES))
    organizer.fill("#applications_open", (now - dt.timedelta(hours=1)).strftime(MINUTES))
    organizer.fill("#applications_close", (now + dt.timedelta(minutes=7)).strftime(MINUTES))
    organizer.fill("#withdrawal_cutoff", (now + dt.timedelta(minutes=7)).strftime(MINUTES))
    organizer.click("main form button[type=submit]")
    organizer.wait_for_load_state()
    fair_id = int(re.search(r"/console/fairs/(\d+)", organizer.url).group(1))
    organizer.click("text=Công bố phiên chợ")
    organizer.wait_for_load_state()

    # The business, now verified, adds a product and applies with it.
    business.goto(f"{base}/business/products/new")
    business.fill("#name", "Nón lá bài thơ")
    business.select_option("#category_slug", "thu-cong")
    business.fill("#made_in", "Thừa Thiên Huế")
    business.check("input[name=made_in_vietnam]")
    business.click("main form button[type=submit]")
    business.wait_for_url(f"{base}/business/products?saved=1")
    business.goto(f"{base}/business/fairs/{fair_id}/apply")
    business.check("input[name='product_ids[]']")
    business.click("main form button[type=submit]")
    business.wait_for_url(f"{base}/business/applications/*")
    assert business.locator("#application-status").inner_text() == "đã nộp"

    # The organizer approves, allocates and publishes.
    organizer.goto(f"{base}/console/fairs/{fair_id}/applications")
    organizer.check("#select-all")
    organizer.select_option("#status", "approved")
    organizer.click("#bulk button[type=submit]")
    organizer.wait_for_load_state()
    assert "Đã lưu 1 quyết định." in organizer.locator("main").inner_text()
    organizer.goto(f"{base}/console/fairs/{fair_id}/board")
    organizer.click("text=Chạy phân gian tự động")
    organizer.locator(".run-result").wait_for()
    organizer.click("text=Công bố kết quả xếp gian")
    organizer.click("#confirm-action")
    organizer.locator(".board-messages .notice", has_text="Đã công bố").wait_for()

    # The business sees its approval, its stall on the map, and downloads its pass.
    business.reload()
    assert business.locator("#application-status").inner_text() == "được duyệt"
    business.goto(f"{base}/business/passes")
    card = business.locator("article, section, li", has_text=title).first
    stall = card.locator(".stall-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z]\d{2}", stall), stall
    check_page(business, "journey-business-pass")
    # Fetched with the business's own browser session, as its link would be.
    response = business.request.get(base + card.locator("a.pass-pdf").get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    code = _qr_text_of(pdf, tmp_path)

    # The organizer puts the gate staff on this fair, on its console page.
    organizer.goto(f"{base}/console/fairs/{fair_id}")
    option = organizer.locator("#gate-account option", has_text="cong@demo.vn")
    organizer.select_option("#gate-account", option.get_attribute("value"))
    organizer.select_option("#gate-scope", "fair")
    organizer.click("#gate-staff form.actions button[type=submit]")
    organizer.wait_for_load_state()
    assert "cong@demo.vn" in organizer.locator("#gate-staff").inner_text()

    # Gate staff scan it at the gate page: admitted, with the stall shown.
    gate = open_page(browser)
    sign_in(gate, base, "cong@demo.vn", DEMO_PASSWORD)
    gate.goto(f"{base}/gate")
    expect(gate.locator(f"#fair option[value='{fair_id}']")).to_have_count(1)
    gate.select_option("#fair", str(fair_id))
    gate.fill("#gate-name", "Cổng Lê Văn Tám")
    result = gate.evaluate("text => window.gateScan(text)", code)
    assert result["result"] == "accepted", result
    expect(gate.locator("#result")).to_have_attribute("data-result", "accepted")
    expect(gate.locator("#details")).to_contain_text(stall)
    check_page(gate, "journey-gate-admitted")
    again = gate.evaluate("text => window.gateScan(text)", code)
    assert again["result"] == "duplicate"
    for page in (business, organizer, gate):
        page.context.close()
