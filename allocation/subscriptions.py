"""What allocation does when another domain announces something (core.signals)."""

from __future__ import annotations

from allocation.release import release
from core.signals import application_withdrawn


async def _stalls_back_to_the_board(_: object, *, application_id: int, fair_id: int) -> None:
    await release(application_id)


def connect() -> None:
    application_withdrawn.connect(_stalls_back_to_the_board, weak=False)
