"""Real server processes for the scale-out and fault tests: `python -m core.cli serve` on a free
port, its own database, and a way to seed that database from the test process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from core.database import engine_from_url
from tests.conftest import ALL_TABLES, PROJECT_ROOT, run_cli
from tests.smtp import free_port

START_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 20


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


class LiveServer:
    """`python -m core.cli serve` in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        full_env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DEMO": "0",
            "MAIL_POLL_SECONDS": "0",
            **env,
        }
        full_env.pop("PUBLIC_URL", None)
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "core.cli", "serve", "--workers", str(workers)],
                cwd=PROJECT_ROOT,
                env=full_env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"The server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"The server never became healthy: {self.log.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        """The worker processes uvicorn's supervisor started (multiprocessing children)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            if parent == self.process.pid and b"spawn_main" in cmdline:
                pids.append(int(entry.name))
        return sorted(pids)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@contextlib.contextmanager
def live_servers(
    count: int, env: dict[str, str], log_dir: Path, workers: int = 1
) -> Iterator[list[LiveServer]]:
    servers = [LiveServer(env, workers, log_dir / f"server-{n}.log") for n in range(count)]
    try:
        for server in servers:
            server.wait_healthy()
        yield servers
    finally:
        for server in servers:
            server.stop()


@contextlib.asynccontextmanager
async def using_database(url: str) -> AsyncIterator[None]:
    """Point every table at `url` while seeding or checking it, then back to the test's own."""
    engine = engine_from_url(url)
    previous = {table: table._meta.db for table in ALL_TABLES}
    for table in ALL_TABLES:
        table._meta.db = engine
    try:
        yield
    finally:
        for table, old in previous.items():
            table._meta.db = old


def derived_postgres_url(base_url: str, suffix: str) -> str:
    """A database of our own next to TEST_DATABASE_URL's, so its schema is never disturbed."""
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") or "postgres"
    return urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


def recreate_postgres_database(url: str) -> None:
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))

    async def recreate() -> None:
        connection = await asyncpg.connect(maintenance)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(recreate())


def drop_postgres_database(url: str) -> None:
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))

    async def drop() -> None:
        connection = await asyncpg.connect(maintenance)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(drop())


def migrate(url: str) -> None:
    result = run_cli("migrate", database_url=url)
    assert result.returncode == 0, result.stdout + result.stderr
