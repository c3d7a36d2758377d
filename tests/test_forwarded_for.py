"""The client address: X-Forwarded-For counts only from a trusted proxy (FORWARDED_ALLOW_IPS).
A client that sets it itself cannot escape the sign-in throttle nor be logged as someone else."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from core.roles import Role
from tests.conftest import client_from
from tests.factories import ROLE_EMAILS, seed_basics
from tests.live_server import live_servers, migrate, using_database

ATTEMPTS_PER_ACCOUNT = 5  # the default LOGIN_ATTEMPTS_PER_ACCOUNT
SPOOFED = [f"198.51.100.{n}" for n in range(1, ATTEMPTS_PER_ACCOUNT + 3)]


def wrong_password(http: httpx.Client, forwarded_for: str) -> httpx.Response:
    return http.post(
        "/api/auth/login",
        json={"email": ROLE_EMAILS[Role.ORGANIZER], "password": "sai-mat-khau-1"},
        headers={"x-forwarded-for": forwarded_for},
    )


def assert_throttled(answer: httpx.Response) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert int(answer.headers["retry-after"]) > 0
    assert answer.json()["messages"]["en"].startswith("Too many failed sign-ins.")
    assert answer.json()["messages"]["vi"].startswith("Bạn đã nhập sai quá nhiều lần.")


@pytest.fixture
def server_env(tmp_path):
    url = f"sqlite:///{tmp_path / 'forwarded.sqlite3'}"
    migrate(url)

    async def seed() -> None:
        async with using_database(url):
            await seed_basics()

    asyncio.run(seed())
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    return {"DATABASE_URL": url, "VAR_DIR": str(var_dir)}


def test_an_untrusted_client_cannot_escape_the_throttle_by_changing_the_header(
    server_env, tmp_path
):
    # The test connects from 127.0.0.1; only another address is a proxy here.
    env = {**server_env, "FORWARDED_ALLOW_IPS": "192.0.2.254"}
    with live_servers(1, env, tmp_path) as (server,), httpx.Client(base_url=server.base) as http:
        answers = [wrong_password(http, address) for address in SPOOFED]
        log = server.log.read_text()
    assert [a.status_code for a in answers[:ATTEMPTS_PER_ACCOUNT]] == [401] * ATTEMPTS_PER_ACCOUNT
    for answer in answers[ATTEMPTS_PER_ACCOUNT:]:
        assert_throttled(answer)
    assert "127.0.0.1:" in log and '"POST /api/auth/login HTTP/1.1" 429' in log
    for address in SPOOFED:
        assert address not in log, f"{address} was logged as the client"


def test_a_trusted_proxy_names_the_client_in_the_throttle_and_the_log(server_env, tmp_path):
    # The same requests through the proxy that FORWARDED_ALLOW_IPS trusts by default.
    with (
        live_servers(1, server_env, tmp_path) as (server,),
        httpx.Client(base_url=server.base) as http,
    ):
        answers = [wrong_password(http, address) for address in SPOOFED]
        log = server.log.read_text()
    assert [a.status_code for a in answers] == [401] * len(SPOOFED)
    for address in SPOOFED:
        assert f'{address}:0 - "POST /api/auth/login HTTP/1.1" 401' in log


@pytest.mark.anyio
async def test_the_app_itself_keys_the_throttle_on_the_connection_not_the_header(db, app):
    await seed_basics()
    async with client_from(app, "203.0.113.77") as client:
        answers = []
        for address in SPOOFED:
            answers.append(
                await client.post(
                    "/api/auth/login",
                    json={"email": ROLE_EMAILS[Role.ORGANIZER], "password": "sai-mat-khau-1"},
                    headers={"x-forwarded-for": address, "x-real-ip": address},
                )
            )
    assert [a.status_code for a in answers[:ATTEMPTS_PER_ACCOUNT]] == [401] * ATTEMPTS_PER_ACCOUNT
    for answer in answers[ATTEMPTS_PER_ACCOUNT:]:
        assert_throttled(answer)
    # Another connection is another caller: the throttle held the address, not the account.
    async with client_from(app, "203.0.113.78") as elsewhere:
        fresh = await elsewhere.post(
            "/api/auth/login",
            json={"email": ROLE_EMAILS[Role.ORGANIZER], "password": "sai-mat-khau-1"},
        )
    assert fresh.status_code == 401
