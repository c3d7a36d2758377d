"""What the browser tests share: Debian's Chromium driven by Playwright, the real app served by
tests/live_server.py on a database of its own, screenshots at phone and desktop widths, and
axe-core.

Browser tests run once, not per database backend: what they check is the pages, which are the
same whatever database the server uses (the page handlers' database work is tested on both).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.timezone import LOCAL_TZ, local, now_utc
from tests.clock import clock_env, shift_seconds
from tests.conftest import PROJECT_ROOT, run_cli
from tests.live_server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (apt-get install chromium; .ci/run installs it)",
)
# Able to run as root, and quiet: no first-run, sync, component-update or background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
AXE = PROJECT_ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("ARTIFACTS_DIR", PROJECT_ROOT / "artifacts")) / "screenshots"


@dataclass(frozen=True)
class SiteClock:
    """The clock of the browser tests' servers, of the commands that seed them and of the
    browser: ten in the morning of the day the suite started, in Ho Chi Minh City, ticking from
    there. The pages are tried on a fair day whenever the suite runs, and no journey crosses
    midnight half-way (a pass is valid on its fair's day only)."""

    shift: int  # seconds from the real clock

    @property
    def env(self) -> dict[str, str]:
        return clock_env(self.shift)

    def now(self) -> dt.datetime:
        """The time the servers and the browser read now, in Ho Chi Minh City."""
        return local(now_utc() + dt.timedelta(seconds=self.shift - shift_seconds()))


@pytest.fixture(scope="session")
def site_clock() -> SiteClock:
    now = local(now_utc())
    morning = dt.datetime.combine(now.date(), dt.time(10), LOCAL_TZ)
    return SiteClock(shift_seconds() + round((morning - now).total_seconds()))


@pytest.fixture(scope="session")
def demo_site(
    tmp_path_factory: pytest.TempPathFactory, site_clock: SiteClock
) -> Iterator[LiveServer]:
    """One server over the demo data, loaded by the same `setup` command `make run` uses, for
    every browser test that only reads or adds its own data; on the site clock."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    folder = tmp_path_factory.mktemp("demo-site")
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    loaded = run_cli("setup", database_url=url, extra_env=site_clock.env)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    with LiveServer(folder / "server.log", database_url=url, env=site_clock.env) as server:
        yield server


# Per module, not per session: Playwright's sync API keeps an event loop running in this thread
# while it is started, and the async tests after the browser modules need the thread free.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Any, site_clock: SiteClock) -> Iterator[Any]:
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env={**os.environ, **site_clock.env}
    )
    yield chromium
    chromium.close()


# Added to every document before its own scripts run: the event names what the policy refused
# (inline script or style, eval, blob: or another site's address) even where no message says so.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportPolicyViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
}, true);
"""


def watch(page: Any) -> Any:
    """Collects in page.problems the page's script errors and everything its
    Content-Security-Policy refused (console messages and securitypolicyviolation events)."""
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            page.problems.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.expose_function(
        "reportPolicyViolation", lambda text: page.problems.append(f"CSP violation: {text}")
    )
    page.add_init_script(REPORT_VIOLATIONS)
    return page


def open_page(browser: Any, *, viewport: dict[str, int] = PHONE, locale: str = "vi-VN") -> Any:
    """A new browser context (its own cookies) with one watched page."""
    context = browser.new_context(viewport=viewport, locale=locale)
    return watch(context.new_page())


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator("main").inner_text()


def screenshot(page: Any, name: str) -> None:
    """The page at phone and desktop widths, full length, kept as CI artifacts."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{slug}-{label}.png"), full_page=True)
    page.set_viewport_size(original)


def accessibility_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A/AA)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm ci in tests/js)")
    # Evaluated through the DevTools protocol: an injected <script> would be refused by the
    # pages' own Content-Security-Policy.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
        })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + json.dumps([n["target"] for n in v["nodes"]][:5], ensure_ascii=False)
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def check_page(page: Any, name: str) -> None:
    """What every page visited in a journey must pass: no script error, nothing refused by the
    policy, no serious accessibility violation, no horizontal scrolling on a phone; and its
    screenshots are kept."""
    page.wait_for_load_state()
    screenshot(page, name)
    assert page.problems == [], page.problems
    assert accessibility_problems(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(PHONE)
    phone_width = page.evaluate("document.documentElement.scrollWidth")
    assert phone_width <= PHONE["width"] + 1, f"{name} scrolls sideways on a phone ({width}px)"


def outbox_link(server: LiveServer, recipient: str, path: str) -> str:
    """The newest link to `path` in a mail queued for `recipient` by a server whose mail is
    not sent (MAIL_POLL_SECONDS=0), read from its SQLite outbox as the mail would carry it."""
    import sqlite3

    database = server.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT body_text FROM outbox_email WHERE recipient = ? ORDER BY id DESC",
            (recipient,),
        ).fetchall()
    for (body,) in rows:
        match = re.search(rf"https?://\S+{re.escape(path)}\?token=[\w-]+", body)
        if match:
            return match.group(0)
    raise AssertionError(f"no mail to {recipient} holds a link to {path}")
