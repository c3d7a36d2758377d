"""What every page's template is given (page_context), and the helpers pages share: where a
form may send people next (safe_next) and how a day is written (day_label)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from litestar import Request

from core.i18n import request_language
from core.timezone import local

WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_label(moment: dt.datetime, lang: str) -> str:
    """“Chủ nhật, 13/12/2026”: the way dates are written in Vietnamese."""
    day = local(moment)
    names = WEEKDAYS_EN if lang == "en" else WEEKDAYS
    return f"{names[day.weekday()]}, {day:%d/%m/%Y}"


def safe_next(target: str) -> str:
    """Only same-site paths: a crafted ?next= must not send people to another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def page_context(request: Request[Any, Any, Any], **extra: Any) -> dict[str, Any]:
    lang = request_language(request)

    def pick(pair: tuple[str, str]) -> str:
        """A (Vietnamese, English) label of the data, such as a site's setting."""
        return pair[1] if lang == "en" else pair[0]

    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "lang": lang,
        "pick": pick,
        "user": request.scope.get("user"),
        "request_path": path,
        **extra,
    }
