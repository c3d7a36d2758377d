"""A version of the data, kept in the shared store so that every worker sees it move.

Views derived from the database at some cost (the calendar feeds) key their caches on it: a
successful write through the app moves it as its answer goes out; writes from elsewhere (the
admin, a script) are seen within CHANGE_TTL seconds, the longest such a cache is trusted.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar.types import Message, Scope

STORE = "response_cache"
VERSION_KEY = "data-version"
CHANGE_TTL = 5
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Writes that change nothing a derived view shows.
UNTRACKED = ("/api/auth/", "/api/checkin", "/login", "/logout", "/lang/")


async def data_version(app: Any) -> str:
    value = await app.stores.get(STORE).get(VERSION_KEY)
    return value.decode() if value else "0"


async def bump_on_write(message: Message, scope: Scope) -> None:
    """before_send hook: a successful unsafe request moves the version."""
    if message["type"] != "http.response.start" or scope.get("type") != "http":
        return
    if scope["method"] in SAFE_METHODS or scope["path"].startswith(UNTRACKED):
        return
    if message["status"] < 400:
        await scope["app"].stores.get(STORE).set(VERSION_KEY, secrets.token_hex(8))
