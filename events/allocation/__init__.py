"""Automatic stall allocation: a pure library (no database, no HTTP).

`allocate` is the optimizer, `first_come_first_served` the hand method it replaces, `exact` the
proven optimum for small fairs; all three report `score`, the one objective, and obey the hard
rules that `check_hard_rules` checks.
"""

from events.allocation.baseline import first_come_first_served
from events.allocation.exact import exact, upper_bound
from events.allocation.generate import Instance, generate_instance
from events.allocation.model import (
    Allocation,
    Pin,
    PinError,
    Reason,
    Request,
    Stall,
    Violation,
    Weights,
)
from events.allocation.problem import score
from events.allocation.rules import check_hard_rules
from events.allocation.solver import allocate

__all__ = [
    "Allocation",
    "Instance",
    "Pin",
    "PinError",
    "Reason",
    "Request",
    "Stall",
    "Violation",
    "Weights",
    "allocate",
    "check_hard_rules",
    "exact",
    "first_come_first_served",
    "generate_instance",
    "score",
    "upper_bound",
]
