"""Sign-in with server-side sessions (Piccolo's session table, shared with Piccolo Admin)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.params import JSONBody
from litestar.stores.registry import StoreRegistry
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo_api.session_auth.tables import SessionsBase

from core.accounts import (
    Principal,
    User,
    load_principal,
    normalize_email,
    principal_for_session,
)
from core.errors import AppError
from core.guards import current_principal, signed_in
from core.roles import ROLE_LABELS, Right
from core.settings import get_settings
from core.sign_ins import record_sign_in
from core.stored_secrets import stored_form
from core.tables import Account, Ward
from core.throttle import LoginThrottle, RequestThrottle
from core.two_factor import check_second_factor

# Piccolo Admin reads the same cookie, so an organizer signed in here is signed in there too.
SESSION_COOKIE = "id"
SESSION_IDLE = dt.timedelta(days=1)


class SessionAuthMiddleware(ASGIMiddleware):
    """Puts the caller's Principal (or None) in scope["user"]; guards decide what it may do."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)
    # Static files and the health check need nobody's identity: no session queries for them.
    should_bypass_for_scope = staticmethod(
        lambda scope: scope["path"].startswith("/static/") or scope["path"] == "/health"
    )

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = await principal_from_scope(scope)
        scope["auth"] = None
        await next_app(scope, receive, send)


def _cookie_token(scope: Scope) -> str | None:
    tokens = []
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == SESSION_COOKIE:
                    tokens.append(val)
    # Several session cookies are read differently by different parsers (first or last): none.
    return (tokens[0] or None) if len(tokens) == 1 else None


def stored_session_token(token: str) -> str:
    """What the session table keeps of a cookie's token: its SHA-256, so that a copy of the
    database (a backup, a leaked dump) signs nobody in."""
    return stored_form(token)


async def open_session(user_id: int) -> str:
    """A new session for the user; the token for the cookie (only its hash is stored)."""
    now = dt.datetime.now()  # naive local time, as Piccolo's session table keeps it
    token = secrets.token_urlsafe(32)
    await SessionsBase.insert(
        SessionsBase(
            token=stored_session_token(token),
            user_id=user_id,
            expiry_date=now + SESSION_IDLE,
            max_expiry_date=now + dt.timedelta(seconds=get_settings().session_max_age),
        )
    ).run()
    return token


async def principal_from_scope(scope: Scope) -> Principal | None:
    token = _cookie_token(scope)
    if not token or len(token) > 100:
        return None
    return await principal_for_session(stored_session_token(token), SESSION_IDLE)


class LoginIn(msgspec.Struct):
    email: str = msgspec.field()
    password: str = msgspec.field()
    # Accounts with two-factor sign-in on: the app's 6-digit code, or a recovery code.
    code: str = ""


class WardRef(msgspec.Struct):
    slug: str
    name: str


class OrganizerRef(msgspec.Struct):
    slug: str
    name: str


class PrincipalOut(msgspec.Struct):
    email: str
    full_name: str
    role: str
    role_label: str
    language: str
    wards: list[WardRef]
    # The body the staff member works for; null for businesses and the city's own staff
    # made without one. `city_wide`: acts for every body.
    organizer: OrganizerRef | None = None
    city_wide: bool = False


async def _organizer_of(principal: Principal) -> OrganizerRef | None:
    row = (
        await Account.select(Account.organizer.slug, Account.organizer.name)
        .where(Account.id == principal.account_id)
        .first()
        .run()
    )
    if not row or row["organizer.slug"] is None:
        return None
    return OrganizerRef(slug=row["organizer.slug"], name=row["organizer.name"])


async def principal_out(principal: Principal) -> PrincipalOut:
    wards = []
    if principal.ward_ids:
        rows = (
            await Ward.select(Ward.slug, Ward.name)
            .where(Ward.id.is_in(list(principal.ward_ids)))
            .order_by(Ward.name)
            .run()
        )
        wards = [WardRef(slug=r["slug"], name=r["name"]) for r in rows]
    vi, en = ROLE_LABELS[principal.role]
    return PrincipalOut(
        email=principal.email,
        full_name=principal.full_name,
        role=principal.role.value,
        role_label=en if principal.language == "en" else vi,
        language=principal.language,
        wards=wards,
        organizer=await _organizer_of(principal),
        city_wide=principal.city_wide,
    )


def client_address(request: Request[Any, Any, Any]) -> str:
    # uvicorn --proxy-headers puts the real address here when behind a trusted proxy.
    return request.client.host if request.client else "unknown"


def provide_throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    return login_throttle(request.app.stores)


def login_throttle(stores: StoreRegistry) -> LoginThrottle:
    """One counter for every sign-in form (API, pages, Piccolo Admin)."""
    settings = get_settings()
    return LoginThrottle(
        store=stores.get("login_throttle"),
        per_account=settings.login_attempts_per_account,
        per_address=settings.login_attempts_per_address,
        window_seconds=settings.login_window_seconds,
    )


async def throttled(
    request: Request[Any, Any, Any],
    prefix: str,
    subject: str,
    limit: int,
    window_seconds: int,
    field: str | None = None,
) -> None:
    """A clear 429 once `subject` has made `limit` requests of this kind in the window."""
    throttle = RequestThrottle(
        store=request.app.stores.get("login_throttle"),
        prefix=prefix,
        limit=limit,
        window_seconds=window_seconds,
    )
    wait = await throttle.take(subject)
    if wait is not None:
        minutes = max(1, (wait + 59) // 60)
        raise AppError(
            429,
            f"Bạn đã gửi quá nhiều yêu cầu. Hãy thử lại sau {minutes} phút.",
            f"Too many requests. Try again in {minutes} minute(s).",
            extra={"field": field} if field else None,
            headers={"Retry-After": str(wait)},
        )


async def sign_in(
    request: Request[Any, Any, Any],
    email: str,
    password: str,
    throttle: LoginThrottle,
    for_admin: bool = False,
    code: str = "",
) -> tuple[Principal, Cookie]:
    """Check the password (throttled) and open a session; shared by the API and the web form."""
    email = normalize_email(email)
    address = client_address(request)
    wait = await throttle.retry_after(address, email)
    if wait is not None:
        minutes = max(1, (wait + 59) // 60)
        raise AppError(
            429,
            f"Bạn đã nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút.",
            f"Too many failed sign-ins. Try again in {minutes} minute(s).",
            headers={"Retry-After": str(wait)},
        )
    user_id = await User.login(email, password)
    principal = await load_principal(user_id) if user_id is not None else None
    if principal is None:
        await throttle.failed(address, email)
        raise AppError(401, "Email hoặc mật khẩu không đúng.", "Wrong e-mail or password.")
    if for_admin and not principal.can(Right.USE_ADMIN):
        raise AppError(
            403,
            "Chỉ ban tổ chức được vào trang quản trị.",
            "Only organizers may use the admin.",
        )
    method = await check_second_factor(
        principal.user_id, code, lambda: throttle.failed(address, email)
    )
    # Read by record_sign_in for the account's history; the return value stays as callers use it.
    request.state.sign_in_method = method
    await throttle.succeeded(address, email)
    token = await open_session(principal.user_id)
    await record_sign_in(request, principal.user_id)
    return principal, session_cookie(token, get_settings().session_max_age)


def session_cookie(token: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        path="/",
    )


async def sign_out(request: Request[Any, Any, Any]) -> Cookie:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await SessionsBase.remove_session(stored_session_token(token))
    return session_cookie("", 0)


class AuthController(Controller):
    tags = ["auth"]
    dependencies = {"throttle": Provide(provide_throttle, sync_to_thread=False)}

    @post("/api/auth/login", status_code=200, summary="Sign in with e-mail and password")
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        throttle: NamedDependency[LoginThrottle],
    ) -> Response[PrincipalOut]:
        principal, cookie = await sign_in(
            request, data.email, data.password, throttle, code=data.code
        )
        return Response(await principal_out(principal), cookies=[cookie])

    @post("/api/auth/logout", status_code=200, summary="Sign out")
    async def logout(self, request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
        return Response({"status": "signed_out"}, cookies=[await sign_out(request)])

    @get("/api/auth/me", guards=[signed_in], summary="The signed-in account")
    async def me(self, request: Request[Any, Any, Any]) -> PrincipalOut:
        return await principal_out(current_principal(request))
