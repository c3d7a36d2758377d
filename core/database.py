"""The database engine chosen from DATABASE_URL, and the write-transaction helper."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from core.settings import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from piccolo.engine.base import Engine

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def engine_from_url(url: str) -> Engine:
    """Build the Piccolo engine for a DATABASE_URL, or explain what is wrong with it."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        return SQLiteEngine(path=sqlite_path(url), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if scheme in {"postgresql", "postgres"}:
        return PostgresEngine(config={"dsn": url})
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
    Path(path).resolve().parent.mkdir(parents=True, exist_ok=True)
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
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(engine, PostgresEngine):
        _pool_users[id(engine)] = _pool_users.get(id(engine), 0) + 1
        if engine.pool is None:
            size = int(os.environ.get("DB_POOL_SIZE", "20"))
            await engine.start_connection_pool(min_size=1, max_size=size)


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
