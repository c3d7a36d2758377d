"""A business's private feed URL is its key: the server's logs keep the request's path but
never the token in it (nor a `token=` query parameter, as one-time links carry)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from core.redaction import redact
from tests.conftest import CLIENT_ADDRESS, client_from
from tests.factories import make_business, seed_basics
from tests.live_server import LiveServer, migrate, using_database

TOKEN = "k7Qm2vXr9LpT4wZs8NcY3bHd6FgJ1aEu"
RESET = "r3set-0ne-t1me-9f8e7d6c5b4a"


@pytest.fixture
def server_env(tmp_path):
    url = f"sqlite:///{tmp_path / 'redaction.sqlite3'}"
    migrate(url)

    async def seed() -> None:
        async with using_database(url):
            await seed_basics()
            await make_business(
                "dn2@test.vn",
                "Công ty TNHH Lụa Bến Thành",
                "0300588569",
                "ben-nghe",
                calendar_token=TOKEN,
            )

    asyncio.run(seed())
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    return {"DATABASE_URL": url, "VAR_DIR": str(var_dir)}


def test_the_access_log_keeps_the_path_but_not_the_private_feed_token(server_env, tmp_path):
    with (
        # Two workers: each applies the logging set-up in its own process.
        LiveServer(tmp_path / "server.log", env=server_env, workers=2) as server,
        httpx.Client(base_url=server.base) as http,
    ):
        feed = http.get(f"/calendar/private/{TOKEN}.ics")
        link = http.get(f"/login?next=/business&token={RESET}")
    log = server.log.read_text()
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert link.status_code == 200
    assert '"GET /calendar/private/[redacted].ics HTTP/1.1" 200' in log
    assert '"GET /login?next=/business&token=[redacted] HTTP/1.1" 200' in log
    assert TOKEN not in log
    assert RESET not in log


@pytest.mark.parametrize(
    ("logged", "kept"),
    [
        (f"/calendar/private/{TOKEN}.ics", "/calendar/private/[redacted].ics"),
        (f"/calendar/private/{TOKEN}", "/calendar/private/[redacted]"),
        (f"/calendar/private/{TOKEN}.ics?x=1", "/calendar/private/[redacted].ics?x=1"),
        (f"/password-reset/new?token={RESET}", "/password-reset/new?token=[redacted]"),
        (f"/reset?email=a@b.vn&reset_token={RESET}", "/reset?email=a@b.vn&reset_token=[redacted]"),
        ("/calendar/sites/site-ben-nghe.ics", "/calendar/sites/site-ben-nghe.ics"),
        ("/fairs/12.ics", "/fairs/12.ics"),
    ],
)
def test_redaction_keeps_the_shape_of_each_url(logged, kept):
    assert redact(logged) == kept


@pytest.mark.anyio
async def test_an_error_on_the_private_feed_is_logged_without_its_token(
    db, app, caplog, monkeypatch
):
    import tickets.business_feed

    await seed_basics()
    await make_business(
        "dn2@test.vn", "Công ty Lụa", "0300588569", "ben-nghe", calendar_token=TOKEN
    )

    async def broken(*args, **kwargs):
        raise RuntimeError("feed renderer broke")

    monkeypatch.setattr(tickets.business_feed, "serve_feed", broken)
    with caplog.at_level(logging.INFO):
        async with client_from(app, CLIENT_ADDRESS[0]) as client:
            answer = await client.get(f"/calendar/private/{TOKEN}.ics")
    assert answer.status_code == 500
    # httpx logs the URL the test itself asked for: only the server's own records count.
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "httpx")
    assert "Unhandled error on GET /calendar/private/[redacted].ics" in logged
    assert TOKEN not in logged
