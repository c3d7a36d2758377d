"""The allocation as a mixed-integer program, solved by HiGHS (`scipy.optimize.milp`).

One builder serves two callers: `exact` hands it the whole map, and the solver hands it a window
of stalls with everything outside the window held fixed. Its objective is `score` restricted to
the window, so a window's optimum can never be worse than what the window held before.

Variables: x[r, s] for a single-stall request on a stall that fits it, y[r, p] for a double on a
joinable pair, q for the newcomer stalls that earn the bonus, and w[e, c] for a same-category
clash on edge e. Adjacency is modelled per stall pair and category, not per pair of businesses,
so the model grows with the map rather than with the square of the applications.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from events.allocation.problem import Problem


class WindowResult:
    def __init__(self, holding: dict[int, list[int]], objective: float, bound: float,
                 optimal: bool) -> None:
        self.holding = holding
        self.objective = objective
        self.bound = bound
        self.optimal = optimal


def solve_window(
    p: Problem,
    window: np.ndarray,
    candidates: np.ndarray,
    occ: np.ndarray,
    time_limit: float,
    gap: float = 0.0,
) -> WindowResult | None:
    """Best placement of `candidates` on the stalls `window`, given that every stall outside the
    window keeps its occupant from `occ`. Candidates must hold no stall outside the window.
    The objective counts only what the window changes (its stalls, their clashes, and the
    newcomer bonus still open); None when HiGHS finds no solution in time."""
    w = p.weights
    n_cat = len(p.categories)
    window = np.asarray(window, dtype=np.int64)
    candidates = np.asarray(candidates, dtype=np.int64)
    local = np.full(p.n_stalls, -1, dtype=np.int64)
    local[window] = np.arange(len(window))
    inside = local >= 0

    outside_occ = np.where(inside, -1, occ)
    held_out = outside_occ >= 0
    cat_out = np.bincount(p.r_cat[outside_occ[held_out]], minlength=n_cat)
    newcomer_out = int(p.r_newcomer[outside_occ[held_out]].sum())
    cap_left = np.maximum(p.cap - cat_out, 0)
    bonus_left = max(0, p.newcomer_target - newcomer_out)

    # Clashes with fixed neighbours outside are linear: a penalty on the (stall, category) cell.
    boundary = np.zeros((len(window), n_cat))
    if len(p.edges):
        for a_col, b_col in ((0, 1), (1, 0)):
            a, b = p.edges[:, a_col], p.edges[:, b_col]
            m = inside[a] & held_out[b]
            np.add.at(boundary, (local[a[m]], p.r_cat[outside_occ[b[m]]]), 1.0)

    singles = candidates[p.r_size[candidates] == 1]
    doubles = candidates[p.r_size[candidates] == 2]

    fit = p.feasible[np.ix_(singles, window)]
    si, sj = np.nonzero(fit)
    x_req, x_loc = singles[si], sj
    x_val = p.value[x_req, window[x_loc]] - w.category_spread * boundary[x_loc, p.r_cat[x_req]]

    pairs = p.pairs[inside[p.pairs[:, 0]] & inside[p.pairs[:, 1]]] if len(p.pairs) else p.pairs
    if len(doubles) and len(pairs):
        pa, pb = pairs[:, 0], pairs[:, 1]
        fit2 = p.feasible[np.ix_(doubles, pa)] & p.feasible[np.ix_(doubles, pb)]
        di, dk = np.nonzero(fit2)
    else:
        di = dk = np.zeros(0, dtype=np.int64)
        pa = pb = np.zeros(0, dtype=np.int64)
    y_req = doubles[di]
    y_a, y_b = local[pa[dk]] if len(dk) else dk, local[pb[dk]] if len(dk) else dk
    y_cat = p.r_cat[y_req]
    y_val = (
        p.value[y_req, window[y_a]] + p.value[y_req, window[y_b]]
        - w.category_spread * (boundary[y_a, y_cat] + boundary[y_b, y_cat])
    )

    n_x, n_y = len(x_req), len(y_req)
    var_req = np.concatenate([x_req, y_req])
    var_cat = p.r_cat[var_req]
    var_size = np.concatenate([np.ones(n_x), np.full(n_y, 2.0)])
    n_assign = n_x + n_y
    q_col = n_assign
    # Every stall a variable covers: (variable, local stall).
    cov_var = np.concatenate([np.arange(n_x), n_x + np.arange(n_y), n_x + np.arange(n_y)])
    cov_loc = np.concatenate([x_loc, y_a, y_b]).astype(np.int64)

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    n_rows = 0

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray, ub: np.ndarray) -> None:
        nonlocal n_rows
        rows.append(r + n_rows)
        cols.append(c)
        vals.append(v)
        upper.append(ub)
        n_rows += len(ub)

    # Each request at most once.
    req_row = np.searchsorted(candidates_sorted := np.unique(var_req), var_req)
    add(req_row, np.arange(n_assign), np.ones(n_assign), np.ones(len(candidates_sorted)))
    # Each stall at most one request.
    add(cov_loc, cov_var, np.ones(len(cov_var)), np.ones(len(window)))
    # Category caps, in stalls.
    add(var_cat, np.arange(n_assign), var_size, cap_left.astype(float))
    # Newcomer bonus: q <= newcomer stalls placed.
    new_vars = np.nonzero(p.r_newcomer[var_req])[0]
    add(
        np.zeros(len(new_vars) + 1, dtype=np.int64),
        np.concatenate([new_vars, [q_col]]),
        np.concatenate([-var_size[new_vars], [1.0]]),
        np.zeros(1),
    )

    # Same-category clashes inside the window: u[a,c] + u[b,c] - joined[e,c] - w[e,c] <= 1.
    n_w = 0
    internal = p.edges[inside[p.edges[:, 0]] & inside[p.edges[:, 1]]] if len(p.edges) else p.edges
    if w.category_spread > 0 and len(internal) and len(cov_var):
        key = cov_loc * n_cat + var_cat[cov_var]
        order = np.argsort(key, kind="stable")
        key_sorted = key[order]
        present = np.zeros(len(window) * n_cat, dtype=bool)
        present[key_sorted] = True
        starts = np.searchsorted(key_sorted, np.arange(len(window) * n_cat))
        ends = np.searchsorted(key_sorted, np.arange(len(window) * n_cat), side="right")
        pair_var = {}
        for v in range(n_y):
            pair_var.setdefault((min(y_a[v], y_b[v]), max(y_a[v], y_b[v])), []).append(n_x + v)
        e_rows, e_cols, e_vals = [], [], []
        row = 0
        w_col = q_col + 1
        for a, b in internal:
            la, lb = local[a], local[b]
            both = np.nonzero(present[la * n_cat: la * n_cat + n_cat]
                              & present[lb * n_cat: lb * n_cat + n_cat])[0]
            joined_here = pair_var.get((min(la, lb), max(la, lb)), [])
            for c in both:
                sel = np.concatenate([
                    order[starts[la * n_cat + c]: ends[la * n_cat + c]],
                    order[starts[lb * n_cat + c]: ends[lb * n_cat + c]],
                ])
                members = cov_var[sel]
                joint = [v for v in joined_here if var_cat[v] == c]
                e_cols += [members, np.array(joint, dtype=np.int64), [w_col + n_w]]
                e_vals += [np.ones(len(members)), -np.ones(len(joint)), [-1.0]]
                e_rows.append(np.full(len(members) + len(joint) + 1, row))
                row += 1
                n_w += 1
        if row:
            add(np.concatenate(e_rows), np.concatenate(e_cols).astype(np.int64),
                np.concatenate(e_vals), np.ones(row))

    n_vars = n_assign + 1 + n_w
    A = coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_vars),
    ).tocsr()
    c = np.concatenate([-np.concatenate([x_val, y_val]), [-w.newcomer_bonus],
                        np.full(n_w, w.category_spread)])
    lower = np.zeros(n_vars)
    upper_b = np.ones(n_vars)
    upper_b[q_col] = bonus_left
    integrality = np.zeros(n_vars)
    integrality[:n_assign] = 1
    result = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lower, upper_b),
        constraints=LinearConstraint(A, -np.inf, np.concatenate(upper)),
        options={"time_limit": max(time_limit, 0.01), "mip_rel_gap": gap, "disp": False},
    )
    if result.x is None:
        return None
    chosen = np.nonzero(result.x[:n_assign] > 0.5)[0]
    holding: dict[int, list[int]] = {}
    for v in chosen:
        r = int(var_req[v])
        if v < n_x:
            holding[r] = [int(window[x_loc[v]])]
        else:
            holding[r] = sorted((int(window[y_a[v - n_x]]), int(window[y_b[v - n_x]])))
    bound = getattr(result, "mip_dual_bound", None)
    return WindowResult(
        holding,
        -float(result.fun),
        -float(bound) if bound is not None and np.isfinite(bound) else np.inf,
        result.status == 0,
    )
