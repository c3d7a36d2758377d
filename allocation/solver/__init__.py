"""Automatic stall allocation: a pure library (no database, no HTTP).

`allocate` is the optimizer, `first_come_first_served` the hand method it replaces, `exact` the
proven optimum for small fairs; all three report `score`, the one objective, and obey the hard
rules that `check_hard_rules` checks.
"""

from importlib import import_module
from typing import Any

# Loaded on first use: the solvers bring NumPy and HiGHS, which a web worker that never
# allocates should not carry in memory.
_HOMES = {
    "first_come_first_served": "baseline",
    "exact": "optimum",
    "upper_bound": "optimum",
    "Instance": "generate",
    "generate_instance": "generate",
    "Allocation": "model",
    "Pin": "model",
    "PinError": "model",
    "Reason": "model",
    "Request": "model",
    "Stall": "model",
    "Violation": "model",
    "Weights": "model",
    "score": "problem",
    "check_hard_rules": "rules",
    "allocate": "solver",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"allocation.solver.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
