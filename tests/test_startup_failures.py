"""A database that cannot be reached: at start-up one clear line and a failing exit status,
and while serving a statement held past DB_COMMAND_TIMEOUT is a 503 the worker survives."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import httpx
import pytest

from core.errors import DATABASE_UNAVAILABLE, PROBLEM_JSON
from tests.conftest import PG_SKIP_REASON, run_cli
from tests.factories import make_fair, seed_places
from tests.live_server import (
    LiveServer,
    derived_postgres_url,
    drop_postgres_database,
    migrate,
    recreate_postgres_database,
    using_database,
)
from tests.smtp import free_port


def start(command: str, database_url: str, tmp_path) -> tuple[int, str]:
    var_dir = tmp_path / "var"
    var_dir.mkdir(exist_ok=True)
    env = {"VAR_DIR": str(var_dir), "PORT": str(free_port()), "HOST": "127.0.0.1", "DEMO": "0"}
    result = run_cli(command, database_url=database_url, extra_env=env)
    return result.returncode, result.stdout + result.stderr


def assert_explained(output: str, vi: str, en: str) -> None:
    assert vi in output, output
    assert en in output, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_postgresql_on_a_closed_port_stops_the_start_with_its_reason(command, tmp_path):
    port = free_port()  # nothing listens there
    url = f"postgresql://phiencho:mat-khau-bi-mat@127.0.0.1:{port}/phiencho"
    status, output = start(command, url, tmp_path)
    assert status != 0, output
    assert_explained(
        output,
        f"Không kết nối được PostgreSQL tại 127.0.0.1:{port} (cơ sở dữ liệu phiencho)",
        f"Cannot connect to PostgreSQL at 127.0.0.1:{port} (database phiencho)",
    )
    assert "Check that the PostgreSQL server is running" in output
    assert "mat-khau-bi-mat" not in output  # the password is not printed


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_a_sqlite_file_that_cannot_be_created_stops_the_start_with_its_reason(command, tmp_path):
    # A directory where the file should be: opening it fails even for root.
    taken = tmp_path / "phiencho.sqlite3"
    taken.mkdir()
    status, output = start(command, f"sqlite:///{taken}", tmp_path)
    assert status != 0, output
    assert_explained(
        output,
        f"Không mở được tệp cơ sở dữ liệu SQLite {taken}",
        f"Cannot open the SQLite database file {taken}",
    )
    assert taken.is_dir() and not any(taken.iterdir())


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_a_sqlite_folder_that_cannot_be_made_stops_the_start_with_its_reason(command, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, where the database's folder should be")
    status, output = start(command, f"sqlite:///{blocker / 'phiencho.sqlite3'}", tmp_path)
    assert status != 0, output
    assert_explained(
        output,
        f"Không tạo được thư mục {blocker} cho tệp SQLite",
        f"Cannot create the folder {blocker} for the SQLite file",
    )
    assert blocker.read_text().startswith("a file")


@pytest.fixture
def slow_database(tmp_path):
    """A migrated PostgreSQL database of this test's own, with one published fair."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip(PG_SKIP_REASON)
    url = derived_postgres_url(base, "command_timeout")
    recreate_postgres_database(url)
    migrate(url)

    async def seed() -> int:
        async with using_database(url):
            await seed_places()
            return await make_fair()

    fair = asyncio.run(seed())
    yield url, fair
    drop_postgres_database(url)


@pytest.mark.anyio
async def test_a_statement_held_past_the_command_timeout_is_a_503_and_the_next_works(
    slow_database, tmp_path
):
    url, fair = slow_database
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = {"DB_COMMAND_TIMEOUT": "1", "VAR_DIR": str(var_dir)}
    with LiveServer(tmp_path / "server.log", database_url=url, env=env) as server:
        blocker = await asyncpg.connect(url)
        try:
            async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
                # Another session holds the fairs table: the app's query waits on the lock.
                held = blocker.transaction()
                await held.start()
                await blocker.execute("LOCK TABLE fair IN ACCESS EXCLUSIVE MODE")
                stuck = await http.get("/api/fairs")
                await held.rollback()
                assert stuck.status_code == 503, stuck.text
                assert stuck.headers["content-type"].startswith(PROBLEM_JSON)
                assert int(stuck.headers["retry-after"]) > 0
                assert stuck.json()["messages"] == dict(
                    zip(("vi", "en"), DATABASE_UNAVAILABLE, strict=True)
                )
                assert server.process.poll() is None, server.log_tail()
                after = await http.get("/api/fairs")
                assert after.status_code == 200, after.text
                assert [f["id"] for f in after.json()] == [fair]
                health = await http.get("/health")
                assert health.json() == {"status": "ok", "database": "postgresql"}
        finally:
            await blocker.close()
        log = server.log_tail(200)
    assert "Database unavailable on GET /api/fairs: TimeoutError" in log
    assert "Traceback" not in log
