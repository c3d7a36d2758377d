"""The per-address rate limit spares only /health, static files and the admin mount: a path
that merely contains one of those words is counted like any other."""

from __future__ import annotations

import pytest

from core.settings import get_settings
from tests.conftest import client_from
from tests.factories import seed_basics

pytestmark = pytest.mark.anyio
LIMIT = 5


@pytest.fixture
async def limited_app(db, monkeypatch):
    monkeypatch.setenv("REQUESTS_PER_MINUTE", str(LIMIT))
    get_settings.cache_clear()
    await seed_basics()
    from app import create_app

    application = create_app()
    async with application.lifespan():
        yield application
    get_settings.cache_clear()


async def statuses(app, address: str, path: str, times: int) -> list[int]:
    async with client_from(app, address) as client:
        return [(await client.get(path)).status_code for _ in range(times)]


async def test_a_path_that_only_contains_static_or_health_is_limited(limited_app):
    # A ward feed whose name happens to hold "static" or "health" is no static file.
    for n, path in enumerate(("/calendar/sites/static.ics", "/calendar/wards/health.ics")):
        answers = await statuses(limited_app, f"198.51.100.{60 + n}", path, LIMIT + 1)
        assert answers[-1] == 429, (path, answers)
        assert 429 not in answers[:LIMIT], (path, answers)


async def test_health_and_static_files_are_not_limited(limited_app):
    assert set(await statuses(limited_app, "198.51.100.70", "/health", LIMIT * 2)) == {200}
    assert 429 not in await statuses(limited_app, "198.51.100.71", "/static/gate.js", LIMIT * 2)
