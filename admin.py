"""Piccolo Admin at /admin, for organizers only (raw data fixes)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, asgi
from litestar.types import Receive, Scope, Send
from piccolo_api.session_auth.tables import SessionsBase
from starlette.exceptions import HTTPException
from starlette.requests import Request as StarletteRequest

from core.accounts import User
from core.auth import (
    SESSION_COOKIE,
    login_throttle,
    principal_from_scope,
    sign_in,
    stored_session_token,
)
from core.errors import AppError, send_problem
from core.roles import Right
from core.settings import get_settings

ADMIN_NEEDS_SECOND_FACTOR = (
    "Tài khoản này dùng đăng nhập hai bước: hãy đăng nhập ở trang /login (mật khẩu và mã "
    "xác thực), rồi mở lại /admin.",
    "This account uses two-factor sign-in: sign in on /login (password and code) first, then "
    "open /admin again.",
)
# Changed only through the app's own rules (session ends, admin flags, vetting history).
_LOCKED_COLUMNS = {"account": {"role", "user"}, "business": {"status"}}


def _refuse(*_: Any, **__: Any) -> None:
    raise HTTPException(
        status_code=403,
        detail="Hãy làm việc này trong trang điều hành. / Do this in the console.",
    )


def _locked_columns_untouched(table: str) -> Any:
    def hook(row_id: Any, values: dict[str, Any]) -> dict[str, Any]:
        if _LOCKED_COLUMNS[table] & set(values):
            _refuse()
        return values

    return hook


def _admin_tables() -> list[Any]:
    from piccolo_admin.endpoints import TableConfig
    from piccolo_api.crud.hooks import Hook, HookType
    from piccolo_api.crud.validators import Validators

    from core.tables import Account, Ward
    from events.tables import Site
    from vendors.tables import Business, BusinessCategory, Category, Product

    def locked(table: Any) -> TableConfig:
        # A PUT replaces the whole row and a POST makes one: neither passes the patch hook.
        return TableConfig(
            table,
            hooks=[Hook(HookType.pre_patch, _locked_columns_untouched(table._meta.tablename))],
            validators=Validators(post_single=[_refuse], put_single=[_refuse]),
        )

    return [
        Ward,
        Site,
        # Not AccountWard: a ward officer's wards change in the console, with their history.
        locked(Account),
        Category,
        locked(Business),
        BusinessCategory,
        Product,
    ]


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
        # Related tables would bring in piccolo_user (its password hash, its admin flags).
        auto_include_related=False,
    )


@lru_cache(maxsize=1)
def _login_app() -> Any:
    """Piccolo Admin's login form, answered by the app's own sign-in behind Piccolo's CSRF check."""
    from piccolo_api.csrf.middleware import CSRFMiddleware

    host = urlsplit(get_settings().public_url).hostname or "localhost"
    return CSRFMiddleware(
        _admin_login, allowed_hosts=[host, "localhost", "127.0.0.1"], allow_form_param=True
    )


async def _admin_login(scope: Scope, receive: Receive, send: Send) -> None:
    request: Request[Any, Any, Any] = Request(scope, receive)
    form = scope.get("form")
    if form is None:
        is_json = request.headers.get("content-type", "").startswith("application/json")
        body = StarletteRequest(scope, receive)  # Litestar's needs a route of its own
        form = await body.json() if is_json else await body.form()
    email, password = str(form.get("username") or ""), str(form.get("password") or "")
    throttle = login_throttle(scope["litestar_app"].stores)
    try:
        _, cookie = await sign_in(request, email, password, throttle, for_admin=True)
    except AppError as error:
        if isinstance(error.extra, dict) and error.extra.get("second_factor"):
            # This form has no field for the code; the session of /login is also valid here.
            error = AppError(401, *ADMIN_NEEDS_SECOND_FACTOR)
        await send_problem(send, error.status_code, error.vi, error.en, error.headers)
        return
    body = b'{"message": "logged in"}'
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                cookie.to_encoded_header(),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@asgi("/admin", is_mount=True, copy_scope=True)
async def admin(scope: Scope, receive: Receive, send: Send) -> None:
    # Piccolo Admin checks its own `admin` flag; the role check here keeps one source of truth.
    path = scope["path"].removeprefix("/admin")
    if scope["type"] == "http" and scope["method"] == "POST" and path == "/public/login/":
        await _login_app()(scope, receive, send)
        return
    principal = scope.get("user") or await principal_from_scope(scope)
    if principal is None and path.startswith("/api/"):
        # Piccolo's own cookie parser could still find a session among several cookies.
        await send_problem(send, 401, "Hãy đăng nhập trước.", "Please sign in first.")
        return
    if principal is not None and not principal.can(Right.USE_ADMIN):
        await send_problem(
            send,
            403,
            "Chỉ ban tổ chức được vào trang quản trị.",
            "Only organizers may use the admin.",
        )
        return
    await admin_app()(_with_stored_token(scope), receive, send)


def _with_stored_token(scope: Scope) -> Scope:
    """Piccolo Admin looks a session up by the cookie's value, and the session table keeps only
    the token's hash: hand it the hash, so its own checks (and its sign-out) find the row."""
    headers = []
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            parts = []
            for part in value.decode("latin-1").split(";"):
                key, sep, val = part.strip().partition("=")
                if key == SESSION_COOKIE and val:
                    val = stored_session_token(val)
                parts.append(f"{key}{sep}{val}")
            value = "; ".join(parts).encode("latin-1")
        headers.append((name, value))
    scope["headers"] = headers
    return scope
