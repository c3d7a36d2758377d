"""Errors as application/problem+json, in Vietnamese and English.

`detail` speaks the caller's language (Vietnamese unless English was chosen); both texts are
always present under `messages`, so a script or a bilingual page can show either.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import asyncpg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from core.database import RETRY_AFTER_SECONDS, is_database_unavailable
from core.i18n import request_language
from core.redaction import redact
from core.templating import page_context

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ.", "The request is not valid."),
    401: ("Bạn cần đăng nhập.", "You need to sign in."),
    403: ("Bạn không có quyền làm việc này.", "You are not allowed to do this."),
    404: ("Không tìm thấy.", "Not found."),
    405: ("Phương thức không được hỗ trợ.", "This method is not allowed here."),
    409: ("Xung đột với dữ liệu hiện có.", "This conflicts with existing data."),
    413: ("Dữ liệu gửi lên quá lớn.", "The request body is too large."),
    415: ("Kiểu dữ liệu không được hỗ trợ.", "This content type is not supported."),
    429: (
        "Bạn đã thử quá nhiều lần. Vui lòng đợi rồi thử lại.",
        "Too many attempts. Please wait and try again.",
    ),
    500: (
        "Đã có lỗi ở máy chủ. Chúng tôi đã ghi lại lỗi này.",
        "Something went wrong on the server. The error has been logged.",
    ),
    503: ("Dịch vụ tạm thời không sẵn sàng.", "The service is temporarily unavailable."),
}


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class AppError(HTTPException):
    """An error whose message a person can act on, given in both languages."""

    def __init__(
        self,
        status_code: int,
        vi: str,
        en: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=en, status_code=status_code, extra=extra, headers=headers)
        self.vi = vi
        self.en = en


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    vi: str,
    en: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "status": status,
        "title": _title(status),
        "detail": en if request_language(request) == "en" else vi,
        "messages": {"vi": vi, "en": en},
        "instance": request.url.path,
    }
    if extra:
        body.update(extra)
    if wants_page(request):
        return error_page(request, status, body["detail"], headers)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """A person's browser on a page (not the API, not a feed): answer with a page, not JSON."""
    path = request.url.path
    if path.startswith(("/api/", "/schema", "/calendar")) or path.endswith(".ics"):
        return False
    if request.headers.get("hx-request"):
        return False  # HTMX swaps the fragment in; core/pages.py shows problem details itself
    return "text/html" in request.headers.get("accept", "")


def error_page(
    request: Request[Any, Any, Any], status: int, detail: str, headers: dict[str, str] | None
) -> Response[Any]:
    if status == 401:
        # Sign in, then come back to the page that asked for it.
        from litestar.response import Redirect

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?{urlencode({'next': target})}", status_code=303)
    from litestar.response import Template

    context = page_context(request, status=status, title=_title(status), detail=detail)
    return Template("error.html", context=context, status_code=status, headers=headers)


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    return [
        {k: v for k, v in error.items() if k in {"key", "message", "source"}}
        for error in errors
        if isinstance(error, dict)
    ]


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, AppError):
        extra = exc.extra if isinstance(exc.extra, dict) else None
        return problem_response(request, status, exc.vi, exc.en, extra, exc.headers)
    vi, en = _DEFAULTS.get(status, (exc.detail, exc.detail))
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        fields = ", ".join(str(e.get("key")) for e in errors if e.get("key"))
        vi = "Dữ liệu gửi lên không hợp lệ" + (f" ở: {fields}." if fields else ".")
        en = "The data sent is not valid" + (f" at: {fields}." if fields else ".")
        return problem_response(request, status, vi, en, {"errors": errors}, exc.headers)
    return problem_response(request, status, vi, en, None, exc.headers)


DATABASE_UNAVAILABLE = (
    "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút; "
    "dữ liệu đã lưu trước đó không bị mất.",
    "The system cannot reach its database at the moment. Please try again in a few minutes; "
    "nothing saved before was lost.",
)


STORE_UNAVAILABLE = (
    "Hệ thống tạm thời không kết nối được bộ nhớ dùng chung. Vui lòng thử lại sau ít phút.",
    "The system cannot reach its shared store at the moment. Please try again in a few minutes.",
)


def is_store_unavailable(exc: BaseException) -> bool:
    """Redis (sessions' throttles, rate limits, caches) is down or unreachable: a 503 too."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(exc, (RedisConnectionError, RedisTimeoutError))


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_database_unavailable(exc):
        # Expected during a database restart or failover: one line, not a traceback per request.
        logger.warning(
            "Database unavailable on %s %s: %s: %s",
            request.method,
            redact(request.url.path),
            type(exc).__name__,
            exc,
        )
        return problem_response(
            request,
            503,
            *DATABASE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if is_store_unavailable(exc):
        logger.warning("Shared store (Redis) unavailable on %s: %s", redact(request.url.path), exc)
        return problem_response(
            request, 503, *STORE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    logger.exception(
        "Unhandled error on %s %s", request.method, redact(request.url.path), exc_info=exc
    )
    vi, en = _DEFAULTS[500]
    return problem_response(request, 500, vi, en)


OUT_OF_RANGE = (
    "Dữ liệu gửi lên có giá trị ngoài giới hạn cho phép (số quá lớn hoặc ký tự không dùng được).",
    "The data sent holds a value out of range (a number too large or a character not allowed).",
)


def out_of_range_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A value the database cannot hold (an id beyond 64 bits on SQLite, beyond the column's
    integer on PostgreSQL, a NUL character in text) is the caller's mistake, not the server's."""
    logger.info("Out-of-range value on %s %s: %s", request.method, redact(request.url.path), exc)
    return http_exception_handler(request, AppError(400, *OUT_OF_RANGE))


EXCEPTION_HANDLERS = {
    HTTPException: http_exception_handler,
    OverflowError: out_of_range_handler,
    asyncpg.exceptions.DataError: out_of_range_handler,
    Exception: internal_error_handler,
}

__all__ = ["PROBLEM_JSON", "AppError", "MediaType"]


async def send_problem(
    send: Any, status: int, vi: str, en: str, headers: dict[str, str] | None = None
) -> None:
    """A problem+json answer from raw ASGI code that runs before Litestar's routing."""
    body = json.dumps(
        {
            "type": "about:blank",
            "status": status,
            "title": _title(status),
            "detail": vi,
            "messages": {"vi": vi, "en": en},
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
