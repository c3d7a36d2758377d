"""The gate page (/gate) in a real browser: Debian's Chromium driven by Playwright, against the
app served by uvicorn on a SQLite database of its own.

These tests run once, not per database backend: what they check is the page and its offline
verification, which are the same whatever database the server uses.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import base45
import httpx
import pytest

from core.roles import Role
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, needs_chromium
from tests.conftest import ALL_TABLES, PROJECT_ROOT, run_cli
from tests.factories import (
    PASSWORD,
    ROLE_EMAILS,
    make_business,
    make_fair,
    seed_basics,
    seed_stalls,
)

pytestmark = needs_chromium
GATE = "Cổng Nguyễn Du"
TAX_CODES = ("0300588569", "0100109106", "0101248141", "0300583659")
STALLS = ("A01", "A02", "A03", "A04")


def _on_database(url: str, work: Any) -> Any:
    """Run a coroutine function with every table bound to the given database, as conftest's
    `db` fixture binds them, and put the previous engines back afterwards."""
    from core.database import engine_from_url

    engine = engine_from_url(url)
    before = {table: table._meta.db for table in ALL_TABLES}
    for table in ALL_TABLES:
        table._meta.db = engine
    try:
        # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(lambda: asyncio.run(work())).result()
    finally:
        for table, previous in before.items():
            table._meta.db = previous


async def _seed() -> dict[str, Any]:
    """A published fair running today with four passes (stalls A01–A04); the fourth revoked."""
    from core.timezone import now_utc
    from events.tables import Application, Assignment, Fair, Stall
    from tickets.services import revoke_pass, sync_passes
    from tickets.tables import Pass

    await seed_basics()
    await seed_stalls(capacity=8)
    fair = await make_fair(days_ahead=0)
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
    await revoke_pass(passes[3]["id"], "Mất thẻ.")
    return {"fair_id": fair, "passes": passes}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The real app on a free port, over a database made by the migrations and seeded here."""
    folder = tmp_path_factory.mktemp("gate")
    url = f"sqlite:///{folder / 'gate.sqlite3'}"
    migrated = run_cli("migrate", database_url=url)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    world = _on_database(url, _seed)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,  # VAR_DIR too: the server signs and verifies with the ring seeded here
        "DATABASE_URL": url,
        "PUBLIC_URL": base,
        "DEMO": "0",
        "MAIL_POLL_SECONDS": "0",
    }
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the app did not start:\n" + (folder / "server.log").read_text())
            time.sleep(0.2)
        yield {**world, "base": base, "url": url}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# What a strict deployment would send: the page must work with no inline script, style or
# event handler, and with nothing from another site.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'"
)


def _open_gate(context: Any, server: dict[str, Any], fair_id: int | None = None) -> Any:
    """Sign in as gate staff the way a person does (sent from /gate to the sign-in form and
    back), serve the page under a strict Content-Security-Policy and choose the fair. Errors of
    the page's script and refusals by the policy are collected in `page.problems`."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.problems = []

    def refused(message: Any) -> None:
        if "Content Security Policy" in message.text:
            page.problems.append(message.text)

    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", refused)
    page.goto(f"{server['base']}/gate")
    assert "/login?next=/gate" in page.url
    page.fill("#email", ROLE_EMAILS[Role.GATE_STAFF])
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server['base']}/gate")

    def strict(route: Any) -> None:
        response = route.fetch()
        route.fulfill(
            response=response,
            headers={**response.headers, "content-security-policy": STRICT_CSP},
        )

    context.route(f"{server['base']}/gate", strict)
    page.reload()
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
    context = browser.new_context(viewport={"width": 360, "height": 740})
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
        context = camera.new_context(viewport={"width": 360, "height": 740}, permissions=["camera"])
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

    context = browser.new_context(viewport={"width": 360, "height": 740})
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
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{server['base']}/login?next=/gate")
        page.fill("#email", ROLE_EMAILS[Role.GATE_STAFF])
        page.fill("#password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{server['base']}/gate")
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
    finally:
        context.close()
