"""Test set-up: every database test runs on SQLite and, when TEST_DATABASE_URL is set, on
PostgreSQL. Each backend gets a database made by the real migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Before anything imports piccolo_conf: tests must never touch the development database.
_TMP = Path(tempfile.mkdtemp(prefix="phiencho-tests-"))
os.environ["VAR_DIR"] = str(_TMP / "var")
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'import-guard.sqlite3'}"
os.environ["DEMO"] = "1"
os.environ["MAIL_POLL_SECONDS"] = "0"
os.environ.pop("REDIS_URL", None)
os.environ.pop("PUBLIC_URL", None)

# Under pytest-xdist each worker is a process of its own with its own SQLite files (above); it
# gets a PostgreSQL database of its own too, next to TEST_DATABASE_URL's, so that one worker's
# truncations never meet another's tests. Databases derived from it (tests.live_server) follow.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER and os.environ.get("TEST_DATABASE_URL"):
    from tests.live_server import derived_postgres_url, recreate_postgres_database

    os.environ["TEST_DATABASE_URL"] = derived_postgres_url(
        os.environ["TEST_DATABASE_URL"], _WORKER
    )
    recreate_postgres_database(os.environ["TEST_DATABASE_URL"])

import httpx  # noqa: E402
import pytest  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from piccolo.conf.apps import Finder  # noqa: E402
from piccolo.engine.postgres import PostgresEngine  # noqa: E402
from piccolo.table import sort_table_classes  # noqa: E402

import core.accounts  # noqa: E402
from core.accounts import User  # noqa: E402
from core.database import engine_from_url  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PG_SKIP_REASON = (
    "PostgreSQL tests need TEST_DATABASE_URL "
    "(e.g. postgresql://postgres@127.0.0.1:5432/test); .ci/run sets it"
)
CLIENT_ADDRESS = ("203.0.113.10", 40000)

# Real argon2, with the cheapest parameters: hashing speed is not what the tests check.
core.accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

ALL_TABLES = [*Finder().get_table_classes(), User]

# As the app and the command line do at start-up: tests that call services directly see the
# domains follow one another (a suspension revokes passes, a withdrawal frees stalls).
from wiring import connect_domains  # noqa: E402

connect_domains()


def run_cli(
    *args: str, database_url: str, stdin: str | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "manage", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _reset_postgres(url: str) -> None:
    import asyncio

    import asyncpg

    async def reset() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await connection.close()

    asyncio.run(reset())


class Backend:
    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url
        self.engine = engine_from_url(url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip(PG_SKIP_REASON)
        _reset_postgres(url)
    else:
        url = f"sqlite:///{_TMP / 'test.sqlite3'}"
    result = run_cli("migrate", database_url=url)
    assert result.returncode == 0, result.stdout + result.stderr
    return Backend(request.param, url)


async def _truncate(backend: Backend) -> None:
    # Children before parents, so SQLite's foreign keys never see an orphan.
    ordered = sort_table_classes([t for t in ALL_TABLES if t is not User])
    names = [t._meta.tablename for t in reversed(ordered)]
    if isinstance(backend.engine, PostgresEngine):
        await backend.engine.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    else:
        for name in names:
            await backend.engine.run_ddl(f"DELETE FROM {name}")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def db(backend: Backend) -> Backend:
    """An empty database on the backend of this run of the test."""
    for table in ALL_TABLES:
        table._meta.db = backend.engine
    await _truncate(backend)
    return backend


@pytest.fixture
def own_key_ring(tmp_path, monkeypatch) -> Path:
    """A pass-signing ring of this test's own: what one test rotates or retires never reaches
    another test, nor the servers the browser tests start."""
    from tickets import keys

    path = tmp_path / keys.RING_FILE
    monkeypatch.delenv("PASS_KEYS", raising=False)
    monkeypatch.setattr(keys, "_path", lambda: path)
    return path


@pytest.fixture
async def app(db: Backend):
    from app import create_app

    application = create_app()
    async with application.lifespan():
        yield application


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def client_from(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40001))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def pytest_sessionfinish(session) -> None:
    if _WORKER and os.environ.get("TEST_DATABASE_URL"):
        from tests.live_server import drop_postgres_database

        drop_postgres_database(os.environ["TEST_DATABASE_URL"])


def pytest_terminal_summary(terminalreporter) -> None:
    """One visible line for the PostgreSQL half, rather than one per skipped test."""
    skipped = terminalreporter.stats.get("skipped", [])
    on_postgres = [r for r in skipped if PG_SKIP_REASON in str(r.longrepr)]
    if on_postgres:
        terminalreporter.write_line(
            f"SKIPPED {len(on_postgres)} PostgreSQL tests: {PG_SKIP_REASON}", yellow=True
        )
    others = len(skipped) - len(on_postgres)
    if others:
        terminalreporter.write_line(f"{others} other tests skipped: see -rs", yellow=True)


from tests.browser import browser, demo_site, playwright, site_clock  # noqa: E402, F401  (shared fixtures)
from tests.smtp import smtp_port, start_server  # noqa: E402, F401  (shared fixtures)
