"""The links a page offers to subscribe to one of the app's calendars (iCalendar feeds)."""

from __future__ import annotations

from urllib.parse import quote

from core.settings import get_settings


def subscribe_links(path: str) -> dict[str, str]:
    """The three ways to subscribe: webcal for Apple and Outlook, https to copy, Google."""
    https = f"{get_settings().public_url}{path}"
    webcal = "webcal://" + https.split("://", 1)[1]
    return {
        "https": https,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(https, safe=""),
    }
