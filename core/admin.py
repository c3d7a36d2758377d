"""Piccolo Admin at /admin, for organizers only (raw data fixes)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from litestar import asgi
from litestar.types import Receive, Scope, Send
from piccolo_api.session_auth.tables import SessionsBase

from core.accounts import User
from core.auth import principal_from_scope
from core.errors import send_problem
from core.roles import Right
from core.settings import get_settings


def _admin_tables() -> list[Any]:
    from core.tables import Account, AccountWard, Ward
    from events.tables import Site
    from vendors.tables import Business, BusinessCategory, Category, Product

    return [Ward, Site, Account, AccountWard, Category, Business, BusinessCategory, Product]


@lru_cache(maxsize=1)
def admin_app() -> Any:
    """Built once, on first use: Piccolo Admin (and the FastAPI it runs on) is costly in time
    and memory, and holds no per-request state."""
    from piccolo_admin.endpoints import create_admin

    settings = get_settings()
    host = urlsplit(settings.public_url).hostname or "localhost"
    return create_admin(
        tables=_admin_tables(),
        auth_table=User,
        session_table=SessionsBase,
        production=settings.secure_cookies,
        site_name="Phiên chợ hàng Việt — Quản trị",
        allowed_hosts=[host, "localhost", "127.0.0.1"],
    )


@asgi("/admin", is_mount=True, copy_scope=True)
async def admin(scope: Scope, receive: Receive, send: Send) -> None:
    # Piccolo Admin checks its own `admin` flag; the role check here keeps one source of truth.
    principal = scope.get("user") or await principal_from_scope(scope)
    if principal is not None and not principal.can(Right.USE_ADMIN):
        await send_problem(
            send,
            403,
            "Chỉ ban tổ chức được vào trang quản trị.",
            "Only organizers may use the admin.",
        )
        return
    await admin_app()(scope, receive, send)
