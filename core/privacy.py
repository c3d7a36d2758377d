"""The personal-data notice (Law 91/2025/QH15): its version, and how a personal ID is masked.
Kept in core so account creation records consent without importing a domain."""

from __future__ import annotations

# Bump when the notice at /privacy changes: consent given to an older version is asked again.
NOTICE_VERSION = "2026-12"


def mask_personal_id(number: str) -> str:
    """A 12-digit citizen ID with only its first 4 and last 3 digits: 0790•••••123."""
    if len(number) < 8:
        return "•" * len(number)
    return number[:4] + "•" * (len(number) - 7) + number[-3:]
