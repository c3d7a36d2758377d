"""The domains are connected as docs/ARCHITECTURE.md says: every signal has its receivers once
wiring.connect_domains() has run (the app, the command line and these tests call it), so no
announced change reaches no one, and connecting twice calls each receiver once."""

from __future__ import annotations

import pytest
from blinker import Signal

from core import signals
from wiring import connect_domains

pytestmark = pytest.mark.anyio

ANNOUNCED = {name: value for name, value in vars(signals).items() if isinstance(value, Signal)}


def test_every_signal_has_a_receiver():
    connect_domains()
    assert len(ANNOUNCED) >= 8
    deaf = sorted(name for name, signal in ANNOUNCED.items() if not signal.receivers)
    assert deaf == []


async def test_connecting_twice_calls_each_receiver_once(db):
    connect_domains()
    before = {name: len(signal.receivers) for name, signal in ANNOUNCED.items()}
    connect_domains()
    assert {name: len(signal.receivers) for name, signal in ANNOUNCED.items()} == before

    calls: list[int] = []

    async def count(_: object, *, business_ids: list[int]) -> dict[int, int]:
        calls.append(len(business_ids))
        return {}

    signals.no_shows_wanted.connect(count, weak=False)
    signals.no_shows_wanted.connect(count, weak=False)
    try:
        answers = await signals.collect(signals.no_shows_wanted, business_ids=[])
    finally:
        signals.no_shows_wanted.disconnect(count)
    assert calls == [0]
    assert answers == [{}, {}]  # ours and the gate's: no business, no no-shows
