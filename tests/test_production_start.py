"""A production start never seeds the demo's known passwords: `make run` stays a one-command
demo, but an https PUBLIC_URL, or PostgreSQL without DEMO=1, loads nothing and says why."""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.conftest import PG_SKIP_REASON, run_cli
from tests.live_server import (
    derived_postgres_url,
    drop_postgres_database,
    recreate_postgres_database,
)


def _accounts_in(url: str) -> int:
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return connection.execute("SELECT count(*) FROM piccolo_user").fetchone()[0]

    async def count() -> int:
        import asyncpg

        connection = await asyncpg.connect(url)
        try:
            return await connection.fetchval("SELECT count(*) FROM piccolo_user")
        finally:
            await connection.close()

    return asyncio.run(count())


def _setup(url: str, tmp_path, **env: str):
    var_dir = tmp_path / "var"
    base = {"VAR_DIR": str(var_dir), "DEMO": ""}
    return run_cli("setup", database_url=url, extra_env={**base, **env})


def test_an_https_public_url_never_loads_the_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    # Even with DEMO=1: behind https people use the site, and demo passwords are public.
    result = _setup(url, tmp_path, PUBLIC_URL="https://phiencho.example.vn", DEMO="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PUBLIC_URL là https" in result.stdout
    assert "PUBLIC_URL is https (a production start)" in result.stdout
    assert "demo12345" not in result.stdout
    assert _accounts_in(url) == 0


def test_make_run_on_sqlite_still_loads_the_demo_by_default(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = _setup(url, tmp_path, PUBLIC_URL="http://127.0.0.1:8000")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Demo data loaded" in result.stdout
    assert _accounts_in(url) > 0


@pytest.fixture
def postgres_url():
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip(PG_SKIP_REASON)
    url = derived_postgres_url(base, "production_start")
    recreate_postgres_database(url)
    yield url
    drop_postgres_database(url)


def test_postgresql_without_demo_set_is_a_production_start(postgres_url, tmp_path):
    result = _setup(postgres_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PostgreSQL with DEMO unset: taken as a production start" in result.stdout
    assert _accounts_in(postgres_url) == 0
    # Asked for in so many words, a PostgreSQL demo loads.
    loaded = _setup(postgres_url, tmp_path, DEMO="1")
    assert "Demo data loaded" in loaded.stdout, loaded.stdout + loaded.stderr
    assert _accounts_in(postgres_url) > 0
