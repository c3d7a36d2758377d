"""The domains connected to what the others announce (core.signals): called once by whatever
starts the app's code (the web app, the command line, the tests) before it changes anything."""

from __future__ import annotations

from allocation import subscriptions as allocation_subscriptions
from events import subscriptions as events_subscriptions
from inspections import subscriptions as inspections_subscriptions
from tickets import subscriptions as tickets_subscriptions

SUBSCRIBERS = (
    events_subscriptions,
    allocation_subscriptions,
    tickets_subscriptions,
    inspections_subscriptions,
)


def connect_domains() -> None:
    """Idempotent: a receiver connected twice is still called once."""
    for subscriber in SUBSCRIBERS:
        subscriber.connect()
