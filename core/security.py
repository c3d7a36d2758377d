"""Cross-site request protection for the JSON API (the web forms use Litestar's CSRF tokens).

A browser can only send a cross-site request without a CORS preflight as a form or as plain
text. Unsafe API calls must therefore be JSON (or carry no body), and when the browser names
the page's origin, it must be this site's own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

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
