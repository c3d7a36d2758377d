"""Secrets that travel in URLs kept out of the logs: the token of a business's private feed
(`/calendar/private/<token>.ics`) and any `token=` / `..._token=` query parameter, as one-time
links carry. The log line keeps the path's shape; only the secret becomes `[redacted]`."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

REDACTED = "[redacted]"

_PRIVATE_FEED = re.compile(r'(/calendar/private/)[^/?#\s"]+?(\.ics)?(?=[/?#\s"]|$)')
_TOKEN_PARAMETER = re.compile(r'([?&][\w.-]*token=)[^&#\s"]*', re.IGNORECASE)


def redact(text: str) -> str:
    text = _PRIVATE_FEED.sub(rf"\1{REDACTED}\2", text)
    return _TOKEN_PARAMETER.sub(rf"\1{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """On a handler: every record it writes has the secrets of its URLs redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """Uvicorn's own logging set-up, with the secrets of the access log's URLs redacted. A
    dictionary, not a filter added here: each worker process applies it for itself."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["secrets"] = {"()": "core.redaction.RedactSecrets"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("secrets")
    return config
