"""The allocation as a mixed-integer program, solved by HiGHS (`highspy`).

One builder serves two callers: `exact` hands it the whole map, and the solver hands it a window
of stalls with everything outside the window held fixed. Its objective is `score` restricted to
what the window can change, so a window started from the current placement can only improve it.

Variables: x[r, s] for a single-stall request on a stall that fits it, y[r, p] for a double on a
joinable pair, q for the newcomer stalls that earn the bonus, and w[e, c] for a same-category
clash on edge e. Adjacency is modelled per stall pair and category, not per pair of businesses,
so the model grows with the map rather than with the square of the applications.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from allocation.solver.problem import Problem

# The bare binding: the wrapper class sets up Python callbacks on every instance (and prints a
# banner on the first), which a window solved many times a second does not need.
_Highs = getattr(highspy, "_Highs", highspy.Highs)


@dataclass
class WindowResult:
    holding: dict[int, list[int]]
    objective: float
    bound: float
    optimal: bool


@dataclass
class Model:
    """Maximise cost · x subject to A x <= row_upper and 0 <= x <= col_upper, the first
    n_assign columns binary; and how those columns map back to requests and stalls."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_rows: int
    cost: np.ndarray
    col_upper: np.ndarray
    row_upper: np.ndarray
    n_assign: int
    n_x: int
    newcomer_row: int
    clash_rows: int  # the last clash_rows rows pair up with the last clash_rows columns
    window: np.ndarray
    local: np.ndarray
    var_req: np.ndarray
    x_loc: np.ndarray
    y_a: np.ndarray
    y_b: np.ndarray

    def times(self, col: np.ndarray) -> np.ndarray:
        """A @ col."""
        row_of = np.repeat(np.arange(self.n_rows), np.diff(self.indptr))
        return np.bincount(row_of, weights=self.data * col[self.indices], minlength=self.n_rows)

    def start_vector(self, holding: dict[int, list[int]]) -> np.ndarray:
        """The column values of a placement (request index -> stall indices, all inside the
        window), so HiGHS starts from it and a time-limited run is never worse."""
        col = np.zeros(len(self.cost))
        single = np.full(int(self.var_req.max(initial=-1)) + 1, -1, dtype=np.int64)
        low = single.copy()
        high = single.copy()
        for r, ss in holding.items():
            if r >= len(single):
                continue
            places = sorted(int(self.local[s]) for s in ss)
            if len(places) == 1:
                single[r] = places[0]
            else:
                low[r], high[r] = places
        n_x = self.n_x
        req = self.var_req
        col[:n_x] = single[req[:n_x]] == self.x_loc
        a, b = np.minimum(self.y_a, self.y_b), np.maximum(self.y_a, self.y_b)
        col[n_x : self.n_assign] = (low[req[n_x:]] == a) & (high[req[n_x:]] == b)
        lhs = self.times(col)
        q = self.n_assign
        col[q] = min(self.col_upper[q], -lhs[self.newcomer_row])
        if self.clash_rows:
            col[-self.clash_rows :] = np.maximum(0.0, lhs[-self.clash_rows :] - 1.0)
        return col

    def decode(self, values: np.ndarray) -> dict[int, list[int]]:
        holding: dict[int, list[int]] = {}
        for v in np.flatnonzero(values[: self.n_assign] > 0.5):
            r = int(self.var_req[v])
            if v < self.n_x:
                holding[r] = [int(self.window[self.x_loc[v]])]
            else:
                k = v - self.n_x
                pair = (int(self.window[self.y_a[k]]), int(self.window[self.y_b[k]]))
                holding[r] = sorted(pair)
        return holding


def solve_window(
    p: Problem,
    window: np.ndarray,
    candidates: np.ndarray,
    occ: np.ndarray,
    time_limit: float | None,
    gap: float = 0.0,
    start: dict[int, list[int]] | None = None,
) -> WindowResult | None:
    """Best placement of `candidates` on the stalls `window`, given that every stall outside the
    window keeps its occupant from `occ`; candidates must hold no stall outside the window.
    The objective counts only what the window changes (its stalls, their clashes, and the
    newcomer bonus still open). None when HiGHS finds no solution in time."""
    return run(build(p, window, candidates, occ), time_limit, gap, start)


def build(
    p: Problem,
    window: np.ndarray,
    candidates: np.ndarray,
    occ: np.ndarray,
    clashes: bool = True,
) -> Model:
    """The MILP of a window (see `solve_window`); without `clashes` it leaves out the
    same-category rows, which gives an upper bound that is quick to solve as an LP."""
    w = p.weights
    n_cat = len(p.categories)
    window = np.asarray(window, dtype=np.int64)
    candidates = np.asarray(candidates, dtype=np.int64)
    local = np.full(p.n_stalls, -1, dtype=np.int64)
    local[window] = np.arange(len(window))
    inside = local >= 0

    outside = np.where(inside, -1, occ)
    held_out = outside >= 0
    cat_out = np.bincount(p.r_cat[outside[held_out]], minlength=n_cat)
    newcomer_out = int(p.r_newcomer[outside[held_out]].sum())
    cap_left = np.maximum(p.cap - cat_out, 0).astype(float)
    bonus_left = max(0, p.newcomer_target - newcomer_out)

    # Clashes with fixed neighbours outside are linear: a penalty on the (stall, category) cell.
    boundary = np.zeros((len(window), n_cat))
    if len(p.edges):
        for here, there in ((0, 1), (1, 0)):
            a, b = p.edges[:, here], p.edges[:, there]
            m = inside[a] & held_out[b]
            np.add.at(boundary, (local[a[m]], p.r_cat[outside[b[m]]]), 1.0)

    singles = candidates[p.r_size[candidates] == 1]
    doubles = candidates[p.r_size[candidates] == 2]
    si, x_loc = np.nonzero(p.feasible[np.ix_(singles, window)])
    x_req = singles[si]
    x_val = p.value[x_req, window[x_loc]] - w.category_spread * boundary[x_loc, p.r_cat[x_req]]

    empty = np.zeros(0, dtype=np.int64)
    y_req, y_a, y_b = empty, empty, empty
    if len(doubles) and len(p.pairs):
        pairs = p.pairs[inside[p.pairs[:, 0]] & inside[p.pairs[:, 1]]]
        fit = p.feasible[np.ix_(doubles, pairs[:, 0])] & p.feasible[np.ix_(doubles, pairs[:, 1])]
        di, dk = np.nonzero(fit)
        y_req, y_a, y_b = doubles[di], local[pairs[dk, 0]], local[pairs[dk, 1]]
    y_cat = p.r_cat[y_req]
    y_val = (
        p.value[y_req, window[y_a]]
        + p.value[y_req, window[y_b]]
        - w.category_spread * (boundary[y_a, y_cat] + boundary[y_b, y_cat])
    )

    n_x, n_y = len(x_req), len(y_req)
    n_assign = n_x + n_y
    var_req = np.concatenate([x_req, y_req])
    var_cat = p.r_cat[var_req]
    var_size = np.concatenate([np.ones(n_x), np.full(n_y, 2.0)])
    q_col = n_assign
    # Every stall a variable covers: (variable, local stall).
    cov_var = np.concatenate([np.arange(n_x), n_x + np.arange(n_y), n_x + np.arange(n_y)])
    cov_loc = np.concatenate([x_loc, y_a, y_b]).astype(np.int64)

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    upper: list[np.ndarray] = []

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray, ub: np.ndarray) -> None:
        rows.append(np.asarray(r, dtype=np.int64) + sum(len(u) for u in upper))
        cols.append(np.asarray(c, dtype=np.int64))
        vals.append(np.asarray(v, dtype=np.float64))
        upper.append(np.asarray(ub, dtype=np.float64))

    # Each request at most once.
    requests_here, req_row = np.unique(var_req, return_inverse=True)
    add(req_row, np.arange(n_assign), np.ones(n_assign), np.ones(len(requests_here)))
    # Each stall at most one request.
    add(cov_loc, cov_var, np.ones(len(cov_var)), np.ones(len(window)))
    # Category caps, in stalls.
    add(var_cat, np.arange(n_assign), var_size, cap_left)
    # Newcomer bonus: q <= newcomer stalls placed.
    new_vars = np.flatnonzero(p.r_newcomer[var_req])
    newcomer_row = sum(len(u) for u in upper)
    add(
        np.zeros(len(new_vars) + 1),
        np.concatenate([new_vars, [q_col]]),
        np.concatenate([-var_size[new_vars], [1.0]]),
        np.zeros(1),
    )

    # Same-category clashes inside the window: u[a,c] + u[b,c] - joined[e,c] - w[e,c] <= 1,
    # where u[s,c] is "stall s holds category c" and joined[e,c] a double of c spanning e.
    n_w = 0
    internal = p.edges[inside[p.edges[:, 0]] & inside[p.edges[:, 1]]] if len(p.edges) else empty
    if clashes and w.category_spread > 0 and len(internal) and len(cov_var):
        cell = cov_loc * n_cat + var_cat[cov_var]
        order = np.argsort(cell, kind="stable")
        cells = np.arange(len(window) * n_cat)
        starts = np.searchsorted(cell[order], cells)
        ends = np.searchsorted(cell[order], cells, side="right")
        present = (ends > starts).reshape(len(window), n_cat)
        spanning: dict[tuple[int, int], list[int]] = {}
        for k in range(n_y):
            key = (int(min(y_a[k], y_b[k])), int(max(y_a[k], y_b[k])))
            spanning.setdefault(key, []).append(n_x + k)
        e_rows, e_cols, e_vals = [], [], []
        for a, b in internal:
            la, lb = int(local[a]), int(local[b])
            joined = spanning.get((min(la, lb), max(la, lb)), [])
            for c in np.flatnonzero(present[la] & present[lb]):
                members = cov_var[
                    np.concatenate(
                        [
                            order[starts[la * n_cat + c] : ends[la * n_cat + c]],
                            order[starts[lb * n_cat + c] : ends[lb * n_cat + c]],
                        ]
                    )
                ]
                joint = [v for v in joined if var_cat[v] == c]
                e_cols += [members, np.array(joint, dtype=np.int64), [q_col + 1 + n_w]]
                e_vals += [np.ones(len(members)), -np.ones(len(joint)), [-1.0]]
                e_rows.append(np.full(len(members) + len(joint) + 1, n_w))
                n_w += 1
        if n_w:
            add(
                np.concatenate(e_rows), np.concatenate(e_cols), np.concatenate(e_vals), np.ones(n_w)
            )

    n_cols = n_assign + 1 + n_w
    indptr, indices, data = _csr(
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(vals),
        sum(len(u) for u in upper),
        n_cols,
    )
    col_upper = np.ones(n_cols)
    col_upper[q_col] = bonus_left
    return Model(
        indptr=indptr,
        indices=indices,
        data=data,
        n_rows=len(indptr) - 1,
        cost=np.concatenate([x_val, y_val, [w.newcomer_bonus], np.full(n_w, -w.category_spread)]),
        col_upper=col_upper,
        row_upper=np.concatenate(upper),
        n_assign=n_assign,
        n_x=n_x,
        newcomer_row=newcomer_row,
        clash_rows=n_w,
        window=window,
        local=local,
        var_req=var_req,
        x_loc=x_loc,
        y_a=y_a,
        y_b=y_b,
    )


def _csr(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_rows: int, n_cols: int):
    """Row-wise sparse matrix, duplicate entries summed (a double spanning a clash edge appears
    once per stall and once as the joined term)."""
    key = rows * n_cols + cols
    unique, inverse = np.unique(key, return_inverse=True)
    data = np.bincount(inverse, weights=vals, minlength=len(unique))
    keep = data != 0
    unique, data = unique[keep], data[keep]
    row_of = unique // n_cols
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=n_rows))])
    return indptr.astype(np.int32), (unique % n_cols).astype(np.int32), data


def run(
    model: Model,
    time_limit: float | None,
    gap: float,
    start: dict[int, list[int]] | None = None,
    relax: bool = False,
) -> WindowResult | None:
    """Solve with HiGHS, from `start` when given; `relax` solves the LP relaxation.
    `time_limit=None` runs to the gap asked for, so the answer depends on the input alone."""
    n_cols = len(model.cost)
    h = _Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.setOptionValue("mip_rel_gap", float(gap))
    integrality = np.zeros(n_cols, dtype=np.int32)
    if not relax:
        integrality[: model.n_assign] = 1
    h.passModel(
        n_cols,
        model.n_rows,
        len(model.data),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        model.cost,
        np.zeros(n_cols),
        model.col_upper,
        np.full(model.n_rows, -highspy.kHighsInf),
        model.row_upper,
        model.indptr[:-1],
        model.indices,
        model.data,
        integrality,
    )
    if start is not None and not relax:
        solution = highspy.HighsSolution()
        solution.col_value = model.start_vector(start).tolist()
        solution.value_valid = True
        h.setSolution(solution)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != highspy.kSolutionStatusFeasible:
        return None
    values = np.array(h.getSolution().col_value)
    objective = float(info.objective_function_value)
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    bound = objective if relax or not model.n_assign else float(info.mip_dual_bound)
    return WindowResult(
        model.decode(values), objective, bound if np.isfinite(bound) else np.inf, optimal
    )
