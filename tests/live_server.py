"""The app as a real server process, for the browser tests, the scale-out and fault tests and
the benchmarks: `python -m manage serve` (what `make run` starts) on a free port, with its own
environment and database, logging to a file; and the database plumbing those callers share.

bench/ imports this module before it has set the environment the app reads its settings from:
it must import nothing of the app (or of tests/conftest.py) at module level.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 20


class ServerDidNotStart(RuntimeError):
    """The server exited, or never answered /health in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


class LiveServer:
    """`python -m manage serve` in its own process group, started at once; `wait_healthy()`
    (or `with`) waits for it to answer, `stop()` ends it and its workers.

    The environment is this process's (VAR_DIR too, so that server and caller share the
    pass-signing ring and secrets), then DEMO=0 and no mail polling, then `env`, then
    `database_url`. PUBLIC_URL is the server's own address unless `env` names another.
    """

    def __init__(
        self,
        log: Path,
        *,
        database_url: str | None = None,
        env: Mapping[str, str] | None = None,
        workers: int = 1,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        environment = {
            **os.environ,
            "DEMO": "0",
            "MAIL_POLL_SECONDS": "0",
            "PUBLIC_URL": self.base,
            **(env or {}),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }
        if database_url is not None:
            environment["DATABASE_URL"] = database_url
        self.database_url = environment.get("DATABASE_URL", "")
        with log.open("ab") as output:  # the server keeps its own copy of the file
            self.process = subprocess.Popen(
                [sys.executable, "-m", "manage", "serve", "--workers", str(workers)],
                cwd=PROJECT_ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # stop() ends the supervisor and its workers together
            )

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def wait_healthy(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerDidNotStart(f"The server exited:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise ServerDidNotStart(f"No answer from /health in {timeout:g} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The worker processes uvicorn's supervisor started (multiprocessing children, not
        its resource tracker); none when one worker serves in the supervisor itself."""
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
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> LiveServer:
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def live_servers(
    count: int, env: Mapping[str, str], log_dir: Path, workers: int = 1
) -> Iterator[list[LiveServer]]:
    """Several servers on the same environment, started together, stopped together."""
    servers: list[LiveServer] = []
    try:
        for n in range(count):
            servers.append(LiveServer(log_dir / f"server-{n}.log", env=env, workers=workers))
        for server in servers:
            server.wait_healthy()
        yield servers
    finally:
        for server in servers:
            server.stop()


@contextlib.asynccontextmanager
async def using_database(url: str) -> AsyncIterator[None]:
    """Point every table at `url` while seeding or checking it, then back to the test's own."""
    from core.database import engine_from_url
    from tests.conftest import ALL_TABLES

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


def _on_maintenance_database(url: str, *statements: str) -> None:
    import asyncpg

    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))

    async def run() -> None:
        connection = await asyncpg.connect(maintenance)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def recreate_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    _on_maintenance_database(
        url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )


def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    _on_maintenance_database(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    from tests.conftest import run_cli

    result = run_cli("migrate", database_url=url)
    assert result.returncode == 0, result.stdout + result.stderr
