"""First-come-first-served: how organizers allocate by hand today, kept as the yardstick.

Pins first; then applications in submission order, each on the first stall of the map (in map
order) that is free and fits, or the first free joinable pair that fits for a double; an
application whose category is at its cap is skipped. It obeys every hard rule and ignores every
preference and priority, which is exactly what the optimizer is measured against.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from allocation.solver.model import Allocation, Pin, Request, Stall, Weights
from allocation.solver.problem import Problem
from allocation.solver.reasons import explain
from allocation.solver.rules import validate_pins


def first_come_first_served(
    stalls: Sequence[Stall],
    requests: Sequence[Request],
    pins: Sequence[Pin] = (),
    weights: Weights | None = None,
) -> Allocation:
    started = time.perf_counter()
    weights = weights or Weights()
    validate_pins(stalls, requests, pins, weights)
    p = Problem(stalls, requests, weights)
    pinned_holding = p.holding_of(pins)
    holding = fcfs_holding(p, pinned_holding)
    reasons, left_out = explain(p, holding, set(pinned_holding), queue=True)
    return Allocation(
        assignments=p.to_codes(holding),
        reasons=reasons,
        left_out=left_out,
        objective=p.objective(holding),
        solve_seconds=time.perf_counter() - started,
        method="first-come-first-served",
    )


def fcfs_holding(p: Problem, pinned_holding: dict[int, list[int]]) -> dict[int, list[int]]:
    """Request index -> stall indices, pins included."""
    holding = {r: list(ss) for r, ss in pinned_holding.items()}
    pinned = set(holding)
    free = np.ones(p.n_stalls, dtype=bool)
    per_category = np.zeros(len(p.categories), dtype=np.int64)
    for r, ss in holding.items():
        free[ss] = False
        per_category[p.r_cat[r]] += len(ss)
    for r in sorted(set(range(p.n_requests)) - pinned, key=lambda r: p.requests[r].order):
        size = int(p.r_size[r])
        if per_category[p.r_cat[r]] + size > p.cap:
            continue
        open_fit = free & p.feasible[r]
        if size == 1:
            spots = np.flatnonzero(open_fit)
            if not len(spots):
                continue
            chosen = [int(spots[0])]
        else:
            if not len(p.pairs):
                continue
            ok = np.flatnonzero(open_fit[p.pairs[:, 0]] & open_fit[p.pairs[:, 1]])
            if not len(ok):
                continue
            chosen = [int(s) for s in p.pairs[ok[0]]]
        holding[r] = chosen
        free[chosen] = False
        per_category[p.r_cat[r]] += size
    return holding
