"""Cross-site request protection for the JSON API (the web forms use Litestar's CSRF tokens).

A browser can only send a cross-site request without a CORS preflight as a form or as plain
text. Unsafe API calls must therefore be JSON (or carry no body), and when the browser names
the page's origin, it must be this site's own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import send_problem
from core.settings import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _allowed_origin(scope: Scope, origin: str) -> bool:
    netloc = urlsplit(origin).netloc.lower()
    own = {urlsplit(get_settings().public_url).netloc.lower()}
    host = _header(scope, b"host")
    if host:
        own.add(host.lower())
    return netloc in own


class ApiCrossSiteGuard(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["method"] in SAFE_METHODS or not scope["path"].startswith("/api/"):
            await next_app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if origin and not _allowed_origin(scope, origin):  # "null" (sandboxed frames) too
            refusal = (
                "Yêu cầu từ trang web khác bị từ chối.",
                "Requests from another site are refused.",
            )
        elif content_type and not (
            content_type == "application/json"
            or content_type.endswith("+json")
            or (content_type == "multipart/form-data" and _header(scope, b"x-site-csrf"))
        ):
            refusal = (
                "API chỉ nhận dữ liệu JSON.",
                "The API accepts JSON bodies only (Content-Type: application/json).",
            )
        else:
            await next_app(scope, receive, send)
            return
        await send_problem(send, 403, *refusal)


# Pages load nothing from elsewhere and run no inline script or style: an injected tag can do
# nothing. Piccolo Admin and the API docs bring their own pages and are left as they are.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; media-src 'self' blob:; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_OWN_PAGES_EXCLUDED = ("/admin", "/schema")


async def security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: the same protective headers on every response of the app's own pages."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "same-origin")
    if scope["path"].startswith(_OWN_PAGES_EXCLUDED):
        return
    if (headers.get("content-type") or "").startswith("text/html"):
        headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
