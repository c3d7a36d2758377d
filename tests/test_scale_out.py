"""Two server processes on one PostgreSQL database and one Redis: whatever one of them learns
(a session, a request count, a changed fair) the other knows at once."""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid

import httpx
import pytest
import redis
from litestar.stores.redis import RedisStore

from core.roles import Role
from tests.conftest import PG_SKIP_REASON
from tests.factories import PASSWORD, ROLE_EMAILS, make_fair, seed_basics
from tests.live_server import (
    derived_postgres_url,
    drop_postgres_database,
    live_servers,
    migrate,
    recreate_postgres_database,
    redis_reachable,
    using_database,
)

REDIS_DB = 12
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
REQUESTS_PER_MINUTE = 40


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip(PG_SKIP_REASON)
    if not redis_reachable():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    url = derived_postgres_url(base, "scale")
    recreate_postgres_database(url)
    migrate(url)

    async def seed() -> int:
        async with using_database(url):
            await seed_basics()
            return await make_fair()

    fair_id = asyncio.run(seed())
    redis.Redis.from_url(REDIS_URL).flushdb()
    shared_var = tmp_path_factory.mktemp("var")  # both read the same generated secrets
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "VAR_DIR": str(shared_var),
        "REQUESTS_PER_MINUTE": str(REQUESTS_PER_MINUTE),
    }
    try:
        with live_servers(2, env, tmp_path_factory.mktemp("logs")) as (one, two):
            yield one.base, two.base, fair_id
    finally:
        drop_postgres_database(url)


def client(base_url: str, address: str) -> httpx.Client:
    # Each test calls from its own address (trusted from the local proxy), so the rate limit
    # each one meets is its own.
    return httpx.Client(base_url=base_url, headers={"x-forwarded-for": address}, timeout=30)


_ADDRESSES = (f"198.51.100.{n}" for n in itertools.count(1))


def fresh_address() -> str:
    # Handed out in turn, never drawn at random: two tests sharing an address would share a
    # rate-limit count, and the limit test would meet its 429 early.
    return next(_ADDRESSES)


def sign_in(http: httpx.Client, role: Role) -> str:
    answer = http.post("/api/auth/login", json={"email": ROLE_EMAILS[role], "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.cookies["id"]


def test_a_session_opened_on_one_server_works_on_the_other_and_ends_on_both(servers):
    first_url, second_url, _ = servers
    address = fresh_address()
    with client(first_url, address) as one, client(second_url, address) as two:
        session = sign_in(one, Role.ORGANIZER)
        two.cookies.set("id", session)
        me = two.get("/api/auth/me")
        assert me.status_code == 200
        assert me.json()["email"] == ROLE_EMAILS[Role.ORGANIZER]

        assert two.post("/api/auth/logout").status_code == 200
        one.cookies.set("id", session)
        assert one.get("/api/auth/me").status_code == 401


def test_a_form_token_from_one_server_is_accepted_by_the_other(servers):
    first_url, second_url, _ = servers
    address = fresh_address()
    with client(first_url, address) as one, client(second_url, address) as two:
        page = one.get("/login")
        marker = 'name="_csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        token = page.text[start : page.text.index('"', start)]
        two.cookies.set("site_csrf", one.cookies["site_csrf"])
        answer = two.post(
            "/login",
            data={
                "_csrf_token": token,
                "email": ROLE_EMAILS[Role.ORGANIZER],
                "password": PASSWORD,
            },
        )
        assert answer.status_code == 303, answer.text
        assert answer.cookies.get("id")


def test_the_rate_limit_counts_requests_to_both_servers(servers):
    first_url, second_url, _ = servers
    address = fresh_address()
    with client(first_url, address) as one, client(second_url, address) as two:
        answers = [
            (one if n % 2 == 0 else two).get("/api/fairs").status_code
            for n in range(REQUESTS_PER_MINUTE)
        ]
        assert answers == [200] * REQUESTS_PER_MINUTE
        # Each server alone has seen only half the limit; together they have seen all of it.
        for http in (one, two):
            refused = http.get("/api/fairs")
            assert refused.status_code == 429
            assert refused.headers["ratelimit-remaining"] == "0"
    with client(first_url, fresh_address()) as elsewhere:
        assert elsewhere.get("/api/fairs").status_code == 200


def test_a_fair_edited_through_one_server_changes_the_feed_etag_the_other_serves(servers):
    first_url, second_url, fair_id = servers
    address = fresh_address()
    with client(first_url, address) as one, client(second_url, address) as two:
        feed = two.get("/calendar.ics")
        assert feed.status_code == 200
        etag = feed.headers["etag"]
        assert two.get("/calendar.ics", headers={"if-none-match": etag}).status_code == 304

        sign_in(one, Role.ORGANIZER)
        title = f"Phiên chợ đổi tên {uuid.uuid4().hex[:6]}"
        edited = one.patch(f"/api/fairs/{fair_id}", json={"title": title})
        assert edited.status_code == 200, edited.text

        changed = two.get("/calendar.ics", headers={"if-none-match": etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != etag
        assert title in changed.text.replace("\r\n ", "")
        # And the first server, asked afresh, agrees on the new version.
        assert one.get("/calendar.ics").headers["etag"] == changed.headers["etag"]


def test_wrong_passwords_sent_at_once_to_both_servers_all_count(servers):
    first_url, second_url, _ = servers
    address = fresh_address()
    headers = {"x-forwarded-for": address}
    wrong = {"email": ROLE_EMAILS[Role.INSPECTOR], "password": "doan-mo-mat-khau"}

    async def burst() -> list[int]:
        async with (
            httpx.AsyncClient(base_url=first_url, headers=headers, timeout=30) as one,
            httpx.AsyncClient(base_url=second_url, headers=headers, timeout=30) as two,
        ):
            answers = await asyncio.gather(
                *(http.post("/api/auth/login", json=wrong) for http in [one, two] * 5)
            )
        return [a.status_code for a in answers]

    answers = asyncio.run(burst())
    assert set(answers) <= {401, 429}
    # Each refused password was counted once, whichever server refused it.
    store = RedisStore.with_client(url=REDIS_URL, namespace="phiencho")
    counted = asyncio.run(store.with_namespace("login_throttle").get(f"login:{address}"))
    assert int(counted) == answers.count(401)
    right = {**wrong, "password": PASSWORD}
    for base_url in (first_url, second_url):
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
            assert http.post("/api/auth/login", json=right).status_code == 429
