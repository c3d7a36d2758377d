"""The database engine chosen from DATABASE_URL, and the write-transaction helper."""

from __future__ import annotations

import errno
import os
import socket
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from core.private_files import private_dir, private_sqlite_file
from core.settings import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from piccolo.engine.base import Engine

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Bounds on waiting for PostgreSQL, so that an unreachable server gives a quick 503 rather than
# requests that hang: opening a connection, and any one statement.
PG_CONNECT_TIMEOUT_SECONDS = 5
PG_COMMAND_TIMEOUT_SECONDS = 60
# What a client is told to wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 5


def engine_from_url(url: str) -> Engine:
    """Build the Piccolo engine for a DATABASE_URL, or explain what is wrong with it."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        return SQLiteEngine(path=sqlite_path(url), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if scheme in {"postgresql", "postgres"}:
        return PostgresEngine(
            config={
                "dsn": url,
                "timeout": float(os.environ.get("DB_CONNECT_TIMEOUT", PG_CONNECT_TIMEOUT_SECONDS)),
                "command_timeout": float(
                    os.environ.get("DB_COMMAND_TIMEOUT", PG_COMMAND_TIMEOUT_SECONDS)
                ),
            }
        )
    raise ConfigurationError(
        f"DATABASE_URL có kiểu không hỗ trợ: {scheme or '(trống)'!r}. "
        f"Unsupported DATABASE_URL scheme {scheme or '(empty)'!r}: use "
        "sqlite:///path/to/file.sqlite3 or postgresql://user@host:port/dbname."
    )


def sqlite_path(url: str) -> str:
    # sqlite:///relative/x.db and sqlite:////absolute/x.db, as SQLAlchemy spells them.
    path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
    if not path:
        raise ConfigurationError(
            "DATABASE_URL sqlite thiếu đường dẫn tệp. / The sqlite DATABASE_URL needs a file "
            "path, e.g. sqlite:///var/phiencho.sqlite3."
        )
    folder = Path(path).resolve().parent
    try:
        private_dir(folder)
    except OSError as exc:
        raise ConfigurationError(
            f"Không tạo được thư mục {folder} cho tệp SQLite: {exc.strerror}. Hãy chọn một "
            f"đường dẫn ghi được trong DATABASE_URL. / Cannot create the folder {folder} for the "
            f"SQLite file: {exc.strerror}. Choose a writable path in DATABASE_URL."
        ) from exc
    return path


def database_kind(engine: Engine) -> str:
    return "postgresql" if isinstance(engine, PostgresEngine) else "sqlite"


@asynccontextmanager
async def write_txn(engine: Engine) -> AsyncIterator[None]:
    """A transaction for writes: IMMEDIATE on SQLite so concurrent writers queue, not fail."""
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


# Apps started in one process share the engine (tests start several): the pool lives while any
# of them runs.
_pool_users: dict[int, int] = {}


async def prepare_engine(engine: Engine) -> None:
    """Per-process start-up: WAL on SQLite (readers never block the writer), a pool on PG."""
    if isinstance(engine, SQLiteEngine):
        private_sqlite_file(Path(engine.path))
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(engine, PostgresEngine):
        _pool_users[id(engine)] = _pool_users.get(id(engine), 0) + 1
        if engine.pool is None:
            size = int(os.environ.get("DB_POOL_SIZE", "20"))
            await engine.start_connection_pool(
                min_size=1, max_size=size, reset=_keep_session_state
            )


async def _keep_session_state(_: Any) -> None:
    """Given back to the pool, a connection skips asyncpg's reset query (RESET ALL, UNLISTEN,
    advisory unlock), a second round trip after every query. Nothing here changes session state:
    settings and advisory locks are per transaction, and asyncpg still rolls back a transaction
    left open."""


async def release_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        _pool_users[id(engine)] = _pool_users.get(id(engine), 1) - 1
        if _pool_users[id(engine)] <= 0 and engine.pool is not None:
            await engine.close_connection_pool()


def is_unique_violation(exc: BaseException) -> bool:
    """A unique constraint refused the write (two requests raced for the same value)."""
    import sqlite3

    import asyncpg

    if isinstance(exc, asyncpg.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


# Socket errors that mean "the server cannot be reached", as opposed to e.g. a full disk.
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ETIMEDOUT,
        errno.EADDRNOTAVAIL,
        errno.EPIPE,
    }
)


def is_database_unavailable(exc: BaseException) -> bool:
    """The database (or the connection to it) is down, starting or shutting down: a request
    that failed on it may succeed a little later, so the caller gets a 503, not a 500.

    asyncpg's pool replaces connections found closed on their next use, so nothing needs to be
    restarted once PostgreSQL is back.
    """
    import sqlite3

    import asyncpg

    if isinstance(
        exc,
        (
            asyncpg.PostgresConnectionError,  # class 08: connection lost or refused
            asyncpg.CannotConnectNowError,  # starting up or in recovery
            asyncpg.AdminShutdownError,  # stopped (pg_ctl stop, a restart, a failover)
            asyncpg.CrashShutdownError,
            asyncpg.TooManyConnectionsError,
            asyncpg.InterfaceError,  # "connection is closed", "pool is closing"
            # A connection the server closed in the middle of an operation, noticed while the
            # pool resets it ("cannot switch to state …; another operation is in progress").
            asyncpg.InternalClientError,
            ConnectionError,
            socket.gaierror,  # the host name no longer resolves
            TimeoutError,  # connect or statement timeout (asyncio.TimeoutError is this)
        ),
    ):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        # Still locked after the busy timeout, or the file's disk went away.
        text = str(exc)
        return "locked" in text or "unable to open" in text or "disk I/O" in text
    if type(exc) is OSError:
        # asyncio reports a refused connection to every address of a host as one plain OSError.
        return exc.errno in _NETWORK_ERRNOS or str(exc).startswith("Multiple exceptions")
    return False


async def check_reachable(url: str) -> str | None:
    """Open the database once, as the app will: None when it can, else why not (both languages).

    Run before a command starts, so that an unreachable database is one clear line, not a
    traceback from deep inside a migration or uvicorn's start-up.
    """
    import sqlite3

    import asyncpg

    parts = urlsplit(url)
    if parts.scheme.lower() == "sqlite":
        path = sqlite_path(url)
        try:
            private_sqlite_file(Path(path))
            # WAL writes the file's header: an unwritable place fails here, as it would later.
            connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            finally:
                connection.close()
        except (sqlite3.Error, OSError) as exc:
            return (
                f"Không mở được tệp cơ sở dữ liệu SQLite {path}: {exc}. Hãy kiểm tra thư mục "
                f"của tệp tồn tại và ghi được (DATABASE_URL). / Cannot open the SQLite database "
                f"file {path}: {exc}. Check that its folder exists and is writable "
                "(DATABASE_URL)."
            )
        return None
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    name = parts.path.lstrip("/") or "(mặc định / default)"
    timeout = float(os.environ.get("DB_CONNECT_TIMEOUT", PG_CONNECT_TIMEOUT_SECONDS))
    try:
        connection = await asyncpg.connect(url, timeout=timeout)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        errno_ = exc.errno if isinstance(exc, OSError) else None
        reason = os.strerror(errno_) if errno_ else str(exc) or type(exc).__name__
        return (
            f"Không kết nối được PostgreSQL tại {where} (cơ sở dữ liệu {name}): {reason}. "
            "Hãy kiểm tra máy chủ PostgreSQL đang chạy và DATABASE_URL đúng. / "
            f"Cannot connect to PostgreSQL at {where} (database {name}): {reason}. "
            "Check that the PostgreSQL server is running and that DATABASE_URL is right."
        )
    await connection.close()
    return None
