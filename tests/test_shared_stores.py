"""With REDIS_URL, login throttling counts across workers (two app instances here)."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from core.settings import get_settings
from tests.conftest import client_from
from tests.factories import PASSWORD, seed_accounts, seed_places

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_settings(monkeypatch):
    if not redis_reachable():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_failed_logins_on_one_worker_count_on_the_other(db, redis_settings):
    from app import create_app

    await seed_places()
    await seed_accounts()
    first, second = create_app(), create_app()
    address = f"198.51.100.{uuid.uuid4().int % 200 + 20}"
    async with first.lifespan(), second.lifespan():
        await first.stores.get("login_throttle").delete_all()
        async with client_from(first, address) as one, client_from(second, address) as two:
            for attempt in range(5):
                worker = one if attempt % 2 == 0 else two
                wrong = await worker.post(
                    "/api/auth/login", json={"email": "btc@test.vn", "password": "sai-roi"}
                )
                assert wrong.status_code == 401
            for worker in (one, two):
                blocked = await worker.post(
                    "/api/auth/login", json={"email": "btc@test.vn", "password": PASSWORD}
                )
                assert blocked.status_code == 429
        await first.stores.get("login_throttle").delete_all()


@pytest.fixture
def unreachable_redis(monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_redis_down_answers_503_with_a_message_not_500(db, unreachable_redis):
    from app import create_app

    app = create_app()
    async with app.lifespan(), client_from(app, "198.51.100.7") as client:
        response = await client.get("/api/wards")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["retry-after"]
        body = response.json()
        assert "bộ nhớ dùng chung" in body["messages"]["vi"]
        assert "shared store" in body["messages"]["en"]
        assert (await client.get("/health")).status_code == 200  # health needs no Redis
