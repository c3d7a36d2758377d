"""An account's own sign-in history and its open sessions: what it sees on its profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request
from piccolo_api.session_auth.tables import SessionsBase

from core.tables import SignInEvent

# Long enough to notice a sign-in one did not make; short enough to keep little about people.
HISTORY_DAYS = 90
HISTORY_SHOWN = 20


async def record_sign_in(request: Request[Any, Any, Any], user_id: int) -> None:
    """One row per successful sign-in; rows past the kept period go at the same time."""
    from core.auth import client_address

    now = dt.datetime.now(dt.UTC)
    method = getattr(request.state, "sign_in_method", None) or "password"
    await SignInEvent.insert(
        SignInEvent(
            user=user_id,
            created_at=now,
            address=client_address(request)[:64],
            user_agent=request.headers.get("user-agent", "")[:300],
            method=method,
        )
    ).run()
    await (
        SignInEvent.delete()
        .where(
            (SignInEvent.user == user_id)
            & (SignInEvent.created_at < now - dt.timedelta(days=HISTORY_DAYS))
        )
        .run()
    )


async def recent_sign_ins(user_id: int, limit: int = HISTORY_SHOWN) -> list[dict[str, Any]]:
    return (
        await SignInEvent.select(
            SignInEvent.created_at,
            SignInEvent.address,
            SignInEvent.user_agent,
            SignInEvent.method,
        )
        .where(SignInEvent.user == user_id)
        .order_by(SignInEvent.created_at, ascending=False)
        .order_by(SignInEvent.id, ascending=False)
        .limit(limit)
        .run()
    )


async def open_session_count(user_id: int) -> int:
    now = dt.datetime.now()  # naive local time, as Piccolo's session table keeps it
    return await SessionsBase.count().where(
        (SessionsBase.user_id == user_id)
        & (SessionsBase.expiry_date > now)
        & (SessionsBase.max_expiry_date > now)
    )


async def end_other_sessions(user_id: int, keep_stored_token: str | None) -> int:
    """Sign out everywhere but here: every session of the account except the caller's own."""
    where = SessionsBase.user_id == user_id
    if keep_stored_token:
        where = where & (SessionsBase.token != keep_stored_token)
    ended = await SessionsBase.count().where(where)
    await SessionsBase.delete().where(where).run()
    return ended


def browser_label(user_agent: str) -> str:
    """A short name a person recognises ("Chrome on Android"), from the User-Agent header."""
    ua = user_agent.lower()
    browser = next(
        (
            name
            for key, name in (
                ("edg/", "Edge"),
                ("opr/", "Opera"),
                ("coccoc", "Cốc Cốc"),
                ("zalo", "Zalo"),
                ("firefox", "Firefox"),
                ("chrome", "Chrome"),
                ("safari", "Safari"),
                ("python", "Python"),
                ("curl", "curl"),
            )
            if key in ua
        ),
        "",
    )
    system = next(
        (
            name
            for key, name in (
                ("android", "Android"),
                ("iphone", "iPhone"),
                ("ipad", "iPad"),
                ("windows", "Windows"),
                ("mac os", "macOS"),
                ("linux", "Linux"),
            )
            if key in ua
        ),
        "",
    )
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or (user_agent[:60] or "—")
