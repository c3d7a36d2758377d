"""The gate page (/gate) in a real browser: Debian's Chromium driven by Playwright, against the
app served by tests/live_server.py on a SQLite database of its own, under the
Content-Security-Policy the app sends: anything it refuses fails the test.

These tests run once, not per database backend: what they check is the page and its offline
verification, which are the same whatever database the server uses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import base45
import httpx
import pytest

from core.roles import Role
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, needs_chromium, watch
from tests.conftest import run_cli
from tests.factories import (
    PASSWORD,
    ROLE_EMAILS,
    make_business,
    make_fair,
    seed_basics,
    seed_stalls,
)
from tests.live_server import LiveServer, using_database

pytestmark = needs_chromium
GATE = "Cổng Nguyễn Du"
TAX_CODES = ("0300588569", "0100109106", "0101248141", "0300583659", "0366048765", "0329141773")
STALLS = ("A01", "A02", "A03", "A04", "A05", "A06")


async def _seed(day: dt.date) -> dict[str, Any]:
    """A published fair held on `day` (the site clock's) from 07:00 to 17:00, with six passes
    (stalls A01–A06); the fourth revoked."""
    from core.timezone import LOCAL_TZ, now_utc
    from events.tables import Application, Assignment, Fair, Stall
    from tickets.services import revoke_pass, sync_passes
    from tickets.tables import Pass

    await seed_basics()
    await seed_stalls(capacity=8)
    fair = await make_fair(days_ahead=0)
    opens = dt.datetime.combine(day, dt.time(7), LOCAL_TZ)
    await Fair.update(
        {Fair.starts_at: opens, Fair.ends_at: opens + dt.timedelta(hours=10)}
    ).where(Fair.id == fair)
    stalls = {r["code"]: r["id"] for r in await Stall.select(Stall.id, Stall.code).run()}
    for number, (tax_code, stall) in enumerate(zip(TAX_CODES, STALLS, strict=True)):
        business = await make_business(
            f"cong{number}@dn.vn", f"Công ty Cổng Số {number}", tax_code, "ben-nghe"
        )
        application = Application(business=business, fair=fair, status="approved")
        await application.save()
        await Assignment(fair=fair, stall=stalls[stall], application=application.id).save()
    await Fair.update({Fair.allocation_published_at: now_utc()}).where(Fair.id == fair)
    await sync_passes(fair)
    passes = (
        await Pass.select(Pass.id, Pass.code, Pass.short_code, Pass.stalls, Pass.holder)
        .where(Pass.fair == fair)
        .order_by(Pass.stalls)
        .run()
    )
    assert [p["stalls"] for p in passes] == list(STALLS)
    await revoke_pass(None, passes[3]["id"], "Mất thẻ.")
    return {"fair_id": fair, "passes": passes}


def _seeded(url: str, day: dt.date) -> dict[str, Any]:
    async def seed() -> dict[str, Any]:
        async with using_database(url):
            return await _seed(day)

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, seed()).result()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, site_clock) -> Iterator[dict[str, Any]]:
    """The real app on a free port, over a database made by the migrations and seeded here
    (in VAR_DIR, shared with the server: it signs and verifies with the ring seeded here)."""
    folder = tmp_path_factory.mktemp("gate")
    url = f"sqlite:///{folder / 'gate.sqlite3'}"
    migrated = run_cli("migrate", database_url=url)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    world = _seeded(url, site_clock.now().date())
    with LiveServer(folder / "server.log", database_url=url, env=site_clock.env) as live:
        yield {**world, "base": live.base, "url": url}


def _sign_in_to_gate(page: Any, server: dict[str, Any]) -> None:
    """The way a person does it: sent from /gate to the sign-in form, and back."""
    page.goto(f"{server['base']}/gate")
    assert "/login?next=/gate" in page.url
    page.fill("#email", ROLE_EMAILS[Role.GATE_STAFF])
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server['base']}/gate")


def _open_gate(context: Any, server: dict[str, Any], fair_id: int | None = None) -> Any:
    """A watched page signed in as gate staff on /gate, served with the app's own policy, with
    the fair chosen. Script errors and policy refusals are collected in `page.problems`."""
    from playwright.sync_api import expect

    page = watch(context.new_page())
    _sign_in_to_gate(page, server)
    expect(page.locator("#gate")).to_be_visible()
    if fair_id is not None:
        expect(page.locator(f"#fair option[value='{fair_id}']")).to_have_count(1)
        page.select_option("#fair", str(fair_id))
    return page


def _forged(code: str) -> str:
    """A genuine code with one bit of its signature flipped: still base45, no longer signed."""
    raw = bytearray(base45.b45decode(code))
    raw[-1] ^= 0x01
    return base45.b45encode(bytes(raw)).decode("ascii")


def test_gate_checks_passes_online_then_offline_and_uploads_the_queue(browser, server):
    from playwright.sync_api import expect

    fair_id, passes = server["fair_id"], server["passes"]
    context = browser.new_context(viewport=PHONE)
    try:
        page = _open_gate(context, server, fair_id)
        expect(page.locator("#keys")).not_to_have_attribute("data-count", "0")
        page.fill("#gate-name", GATE)
        result = page.locator("#result")

        page.fill("#code", passes[0]["short_code"])
        page.click("#typed button[type=submit]")
        expect(result).to_have_attribute("data-result", "accepted")
        expect(result).to_have_attribute("data-mode", "online")
        expect(page.locator("#verdict")).to_have_text("MỜI VÀO")
        expect(page.locator("#details")).to_contain_text("A01")
        expect(page.locator("#details")).to_contain_text(passes[0]["holder"])

        page.fill("#code", passes[0]["short_code"].lower())
        page.click("#typed button[type=submit]")
        expect(result).to_have_attribute("data-result", "duplicate")
        expect(page.locator("#message")).to_contain_text(f"tại cổng “{GATE}”")

        context.set_offline(True)
        expect(page.locator("#net")).to_have_attribute("data-online", "0")
        scan = "text => window.gateScan(text)"
        offline = page.evaluate(scan, passes[1]["code"])
        assert (offline["result"], offline["mode"]) == ("accepted", "offline")
        assert offline["pass"]["stall"] == "A02" and offline["pass"]["id"] == passes[1]["id"]
        expect(result).to_have_attribute("data-result", "accepted")
        expect(page.locator("#details")).to_contain_text("A02")
        expect(page.locator("#queue")).to_have_attribute("data-count", "1")

        forged = page.evaluate(scan, _forged(passes[2]["code"]))
        assert forged["result"] == "invalid" and "Chữ ký" in forged["message"]
        expect(result).to_have_attribute("data-result", "invalid")
        expect(page.locator("#message")).to_contain_text("Không cho vào.")
        assert page.evaluate(scan, "HELLO")["result"] == "invalid"
        expect(page.locator("#queue")).to_have_attribute("data-count", "1")  # not queued

        # Known from the revocation list and from the scan made online a moment ago.
        assert page.evaluate(scan, passes[3]["code"])["result"] == "revoked"
        assert page.evaluate(scan, passes[0]["code"])["result"] == "duplicate"
        expect(page.locator("#queue")).to_have_attribute("data-count", "3")

        context.set_offline(False)
        expect(page.locator("#queue")).to_have_attribute("data-count", "0", timeout=15_000)
        uploaded = page.locator("#uploaded li")
        expect(uploaded).to_have_count(3)
        expect(page.locator("#uploaded li[data-result=accepted]")).to_contain_text("A02")
        expect(page.locator("#uploaded li[data-result=revoked]")).to_have_count(1)
        expect(page.locator("#uploaded li[data-mismatch='1']")).to_have_count(0)
        device = page.locator("#device").inner_text()
        assert page.problems == []
    finally:
        context.close()

    with httpx.Client(base_url=server["base"]) as api:
        signed_in = api.post(
            "/api/auth/login",
            json={"email": ROLE_EMAILS[Role.GATE_STAFF], "password": PASSWORD},
        )
        assert signed_in.status_code == 200, signed_in.text
        state = api.get(f"/api/checkin/fairs/{fair_id}").json()
        assert state["arrived"] == 2  # A01 typed online, A02 scanned offline and uploaded
        again = api.post(
            "/api/checkin", json={"code": passes[1]["code"], "gate": "thử", "device_id": "api"}
        ).json()
    assert again["result"] == "duplicate"
    assert (again["first_scan"]["gate"], again["first_scan"]["device_id"]) == (GATE, device)


def _y4m_of_qr(text: str, path: Path) -> None:
    """A camera video of a pass QR: Y4M 4:2:0, the grey picture as Y, neutral U and V."""
    import qrcode
    from PIL import Image

    width, height = 640, 480
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    picture = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    frame = Image.new("L", (width, height), 255)
    frame.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    chroma = bytes([128]) * (width * height // 4)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(30):
            video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


def test_the_camera_reads_a_pass(playwright, server, tmp_path):
    from playwright.sync_api import expect

    passes = server["passes"]
    video = tmp_path / "pass.y4m"
    _y4m_of_qr(passes[2]["code"], video)
    camera = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera.new_context(viewport=PHONE, permissions=["camera"])
        page = _open_gate(context, server, server["fair_id"])
        page.click("#camera-toggle")
        expect(page.locator("#video")).to_be_visible()
        result = page.locator("#result")
        expect(result).to_have_attribute("data-result", "accepted", timeout=15_000)
        expect(page.locator("#details")).to_contain_text("A03")
        page.click("#camera-toggle")
        expect(page.locator("#video")).to_be_hidden()
        assert page.problems == []
    finally:
        camera.close()


def test_without_keys_offline_nobody_is_let_in_and_the_page_speaks_english(browser, server):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE)
    try:
        context.add_cookies([{"name": "lang", "value": "en", "url": server["base"]}])
        context.route("**/api/checkin/keys", lambda route: route.abort())
        page = _open_gate(context, server, server["fair_id"])
        expect(page.locator("h1")).to_have_text("Gate check-in")
        expect(page.locator("label[for=fair]")).to_have_text("Fair")
        expect(page.locator("#keys")).to_have_text("No pass keys yet")
        context.set_offline(True)
        expect(page.locator("#net")).to_have_attribute("data-online", "0")
        scan = "text => window.gateScan(text)"
        outcome = page.evaluate(scan, server["passes"][0]["code"])
        assert outcome["result"] == "cannot_verify"
        expect(page.locator("#verdict")).to_have_text("CANNOT VERIFY")
        expect(page.locator("#message")).to_contain_text("has not loaded the pass keys")
        expect(page.locator("#message")).to_contain_text("Do not let in.")
        short = page.evaluate(scan, server["passes"][0]["short_code"])
        assert short["result"] == "cannot_verify" and "only be checked online" in short["message"]
        expect(page.locator("#queue")).to_have_attribute("data-count", "0")
        assert page.problems == []
    finally:
        context.close()


def test_the_page_reloads_with_no_network_and_still_checks(browser, server):
    """A phone's browser may reload the page at the gate with no network: the service worker
    keeps the page, and the keys kept on the device still check a pass."""
    from playwright.sync_api import expect

    fair_id, passes = server["fair_id"], server["passes"]
    context = browser.new_context(viewport=PHONE)
    try:
        page = watch(context.new_page())
        _sign_in_to_gate(page, server)
        expect(page.locator("#keys")).not_to_have_attribute("data-count", "0")
        page.select_option("#fair", str(fair_id))
        ready = (
            "() => Promise.race([navigator.serviceWorker.ready.then(() => 'ready'),"
            " new Promise(done => setTimeout(() => done('no worker'), 5000))])"
        )
        assert page.evaluate(ready) == "ready"
        page.reload()  # now controlled by the worker, which kept the page while online
        assert page.evaluate(ready) == "ready"
        context.set_offline(True)
        page.reload()
        expect(page.locator("#gate")).to_be_visible()
        page.select_option("#fair", str(fair_id))
        checked = page.evaluate("text => window.gateScan(text)", passes[2]["code"])
        assert (checked["result"], checked["mode"]) == ("accepted", "offline")
        assert page.problems == []
    finally:
        context.close()


def _revoke(server: dict[str, Any], pass_id: int, reason: str) -> None:
    """What an organizer does from the console: POST /api/passes/{id}/revoke."""
    with httpx.Client(base_url=server["base"]) as api:
        signed_in = api.post(
            "/api/auth/login", json={"email": ROLE_EMAILS[Role.ORGANIZER], "password": PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        revoked = api.post(f"/api/passes/{pass_id}/revoke", json={"reason": reason})
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["status"] == "revoked"


def test_a_pass_revoked_while_the_gate_page_is_open_is_refused_at_its_next_scan(browser, server):
    """Online the server refuses it at once; offline the page refuses it from its own list,
    which it brought up to date by asking for the revocations after its cursor only."""
    from playwright.sync_api import expect

    fair_id, passes = server["fair_id"], server["passes"]
    context = browser.new_context(viewport=PHONE)
    # The page asks for revocations once a minute: its clock is moved rather than waited for.
    context.clock.install()
    pulls: list[Any] = []
    context.on(
        "response",
        lambda answer: pulls.append(answer) if "/api/checkin/revocations" in answer.url else None,
    )
    try:
        page = _open_gate(context, server, fair_id)
        keys = page.locator("#keys")
        expect(keys).to_contain_text("1 thẻ thu hồi")  # the one revoked before the page opened
        page.fill("#gate-name", GATE)
        result = page.locator("#result")

        _revoke(server, passes[4]["id"], "Doanh nghiệp rút khỏi phiên chợ.")
        page.fill("#code", passes[4]["short_code"])
        page.click("#typed button[type=submit]")
        expect(result).to_have_attribute("data-result", "revoked")
        expect(result).to_have_attribute("data-mode", "online")
        expect(page.locator("#verdict")).to_have_text("THẺ ĐÃ THU HỒI")
        expect(page.locator("#message")).to_contain_text("Doanh nghiệp rút khỏi phiên chợ.")
        expect(result).to_have_css("background-color", "rgb(183, 28, 28)")  # gate.css: red

        _revoke(server, passes[5]["id"], "Thẻ bị báo mất.")
        with page.expect_response(lambda answer: "/api/checkin/revocations" in answer.url):
            page.clock.run_for(61_000)
        expect(keys).to_contain_text("3 thẻ thu hồi")
        first, latest = pulls[0].json(), pulls[-1].json()
        # The page's first pull started from nothing; the next one from where that one ended.
        assert parse_qs(urlsplit(pulls[-1].url).query)["since"] == [str(first["cursor"])]
        assert [r["pass_id"] for r in first["revoked"]] == [passes[3]["id"]]
        assert [r["pass_id"] for r in latest["revoked"]] == [passes[4]["id"], passes[5]["id"]]

        context.set_offline(True)
        expect(page.locator("#net")).to_have_attribute("data-online", "0")
        offline = page.evaluate("text => window.gateScan(text)", passes[5]["code"])
        assert (offline["result"], offline["mode"]) == ("revoked", "offline")
        expect(result).to_have_attribute("data-result", "revoked")
        expect(result).to_have_attribute("data-mode", "offline")
        expect(page.locator("#verdict")).to_have_text("THẺ ĐÃ THU HỒI")
        expect(page.locator("#message")).to_contain_text("theo danh sách thu hồi trên máy này")
        expect(page.locator("#message")).to_contain_text("Không cho vào.")
        assert page.problems == []
    finally:
        context.close()
