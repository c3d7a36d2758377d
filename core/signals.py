"""What one domain announces for others to act on, so that domains depend one way
(docs/ARCHITECTURE.md): the package that makes the change sends, the package that must follow
subscribes in its `subscriptions.py`, and `wiring.connect_domains()` connects them all at start-up
(the app, the command line, the tests).

Receivers are coroutines, awaited in turn in the sender's task, so they run inside the sender's
transaction and a failure reaches the sender. Their order is not defined: a receiver must not
depend on another having run. A query signal (`collect`) gathers what each receiver returns.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal

_signals = Namespace()

business_status_changed = _signals.signal(
    "business-status-changed", doc="A business was verified, suspended, rejected…: business_id."
)
fair_changed = _signals.signal(
    "fair-changed", doc="A fair moved to another day or hours, or was cancelled: fair_id."
)
application_decided = _signals.signal(
    "application-decided",
    doc="An organizer approved, waitlisted or rejected an application: application_id, fair_id.",
)
application_withdrawn = _signals.signal(
    "application-withdrawn", doc="A business withdrew an application: application_id, fair_id."
)
board_changed = _signals.signal(
    "board-changed",
    doc="Who holds which stall at a published fair changed (published, a move, a promotion "
    "from the waitlist, a withdrawal): fair_id.",
)
no_shows_wanted = _signals.signal(
    "no-shows-wanted",
    doc="Query: for business_ids, how many completed fairs each held a pass at and never came "
    "through the gate; each receiver returns {business_id: count}.",
)
personal_data_wanted = _signals.signal(
    "personal-data-wanted",
    doc="Query: what a domain keeps about business_id, for its data export; each receiver "
    "returns {section name: JSON-ready rows}.",
)
erasure_requested = _signals.signal(
    "erasure-requested",
    doc="A business asked for its personal data to be erased: business_id. A receiver that "
    "must keep it for now raises an AppError that says why.",
)


async def announce(signal: Signal, **facts: Any) -> None:
    await signal.send_async(None, **facts)


async def collect(signal: Signal, **question: Any) -> list[Any]:
    """What each receiver of a query signal returns (in no defined order)."""
    return [answer for _, answer in await signal.send_async(None, **question)]
