"""What the browser tests share: Debian's Chromium driven by Playwright, the real app served by
uvicorn on a database of its own, screenshots at phone and desktop widths, and axe-core.

Browser tests run once, not per database backend: what they check is the pages, which are the
same whatever database the server uses (the page handlers' database work is tested on both).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PROJECT_ROOT, run_cli

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """`python -m uvicorn app:app` on a free port; stopped by stop()."""

    def __init__(self, folder: Path, database_url: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.log_path = folder / f"server-{self.port}.log"
        self._log = self.log_path.open("w")
        environment = {
            **os.environ,  # VAR_DIR too: server and tests share the pass-signing ring
            "DATABASE_URL": database_url,
            "PUBLIC_URL": self.base,
            "DEMO": "0",
            "MAIL_POLL_SECONDS": "0",
            **(env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port",
             str(self.port)],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("the app did not start:\n" + self.log_path.read_text())
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def demo_server(folder: Path) -> LiveServer:
    """The app over the demo data, loaded by the same `setup` command `make run` uses."""
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    loaded = run_cli("setup", database_url=url)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return LiveServer(folder, url)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One demo server for every browser test that only reads or adds its own data."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    server = demo_server(tmp_path_factory.mktemp("demo-site"))
    yield server
    server.stop()


# Per module, not per session: Playwright's sync API keeps an event loop running in this thread
# while it is started, and the async tests after the browser modules need the thread free.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def watch(page: Any) -> Any:
    """Collects the page's script errors and Content-Security-Policy refusals in page.problems."""
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on(
        "console",
        lambda message: page.problems.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
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
