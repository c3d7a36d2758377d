"""The optimizer's starting point: a greedy placement by standing."""

from __future__ import annotations

import numpy as np

from allocation.solver.problem import Problem


def greedy_holding(p: Problem, pinned_holding: dict[int, list[int]]) -> dict[int, list[int]]:
    """Highest standing first, each on the free stall (or joinable pair) that adds the most.
    Stalls with a scarce attribute the business does not need cost a little extra, and so does
    breaking up a free joinable pair for a single, so that what is rare stays for who needs it."""
    w = p.weights
    holding = {r: list(ss) for r, ss in pinned_holding.items()}
    occ = p.occupancy(holding)
    free = occ < 0
    n_cat = len(p.categories)
    near = np.zeros((p.n_stalls, n_cat))  # neighbours of each stall holding each category
    per_cat = np.zeros(n_cat, dtype=np.int64)
    newcomers = 0
    for r, ss in holding.items():
        per_cat[p.r_cat[r]] += len(ss)
        newcomers += len(ss) * p.r_newcomer[r]
        for s in ss:
            for t in p.neighbours[s]:
                near[t, p.r_cat[r]] += 1

    # How much each stall's attributes are wanted compared to how many stalls have them.
    rest = np.array([r for r in range(p.n_requests) if r not in holding], dtype=np.int64)
    scarce = []
    for s_attr, r_attr in (
        (p.s_power, p.r_power),
        (p.s_water, p.r_water),
        (p.s_food, p.r_food),
        (p.s_access, p.r_access),
    ):
        supply = max(1, int(s_attr.sum()))
        demand = int(p.r_size[rest][r_attr[rest]].sum()) if len(rest) else 0
        scarce.append((s_attr * min(2.0, demand / supply) * 0.4, r_attr))
    doubles_wanted = int((p.r_size[rest] == 2).sum()) if len(rest) else 0
    pair_keep = 0.3 * min(2.0, 2 * doubles_wanted / max(1, len(p.pairs)))
    in_pair = np.zeros(p.n_stalls, dtype=bool)
    if len(p.pairs):
        in_pair[p.pairs.ravel()] = True

    by_standing = sorted(rest.tolist(), key=lambda r: (-p.base[r], p.requests[r].order))
    # The newcomer share first (the best newcomers, as many as it holds), then everyone else.
    share, stalls_in_share = [], newcomers
    for r in by_standing:
        if p.r_newcomer[r] and stalls_in_share < p.newcomer_target:
            share.append(r)
            stalls_in_share += p.r_size[r]
    in_share = set(share)
    order = share + [r for r in by_standing if r not in in_share]
    for r in order:
        c, size = p.r_cat[r], int(p.r_size[r])
        if per_cat[c] + size > p.cap:
            continue
        bonus = w.newcomer_bonus * size if p.r_newcomer[r] and newcomers < p.newcomer_target else 0
        gain = p.value[r] - w.category_spread * near[:, c]
        # What a business does not need but takes from others.
        waste = sum((price for price, r_attr in scarce if not r_attr[r]), np.zeros(p.n_stalls))
        open_fit = free & p.feasible[r]
        if size == 1:
            spots = np.flatnonzero(open_fit)
            if not len(spots):
                continue
            keyed = gain[spots] - waste[spots] - pair_keep * in_pair[spots]
            s = int(spots[np.argmax(keyed)])
            if gain[s] + bonus <= 0:
                continue
            chosen = [s]
        else:
            if not len(p.pairs):
                continue
            a, b = p.pairs[:, 0], p.pairs[:, 1]
            ok = np.flatnonzero(open_fit[a] & open_fit[b])
            if not len(ok):
                continue
            pair_gain = gain[a[ok]] + gain[b[ok]]
            k = int(np.argmax(pair_gain - waste[a[ok]] - waste[b[ok]]))
            if pair_gain[k] + bonus <= 0:
                continue
            chosen = [int(a[ok[k]]), int(b[ok[k]])]
        holding[r] = chosen
        free[chosen] = False
        per_cat[c] += size
        newcomers += size * p.r_newcomer[r]
        for s in chosen:
            for t in p.neighbours[s]:
                near[t, c] += 1
    return holding
