"""The indexed form of an allocation problem, and the one objective every method is scored by.

Stalls and requests become integer indices and NumPy arrays, so the solver, the exact model, the
baseline and `score` all read the same numbers. Neighbour and joinable relations are made
symmetric here: a map where only one side lists the other is still one adjacency.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from allocation.solver.model import Pin, Request, Stall, Weights
from allocation.solver.rules import category_cap


class Problem:
    def __init__(
        self, stalls: Sequence[Stall], requests: Sequence[Request], weights: Weights
    ) -> None:
        self.stalls = list(stalls)
        self.requests = list(requests)
        self.weights = weights
        self.stall_index = {s.code: i for i, s in enumerate(self.stalls)}
        self.request_index = {r.application_id: i for i, r in enumerate(self.requests)}
        if len(self.stall_index) != len(self.stalls):
            raise ValueError("stall codes must be unique")
        if len(self.request_index) != len(self.requests):
            raise ValueError("application ids must be unique")
        for r in self.requests:
            if r.stalls not in (1, 2):
                raise ValueError(f"application {r.application_id} asks for {r.stalls} stalls")
        n = self.n_stalls = len(self.stalls)
        self.n_requests = len(self.requests)

        neighbours: list[set[int]] = [set() for _ in range(n)]
        joinable: list[set[int]] = [set() for _ in range(n)]
        for i, s in enumerate(self.stalls):
            for code in s.neighbours | s.joinable:
                j = self.stall_index.get(code)
                if j is not None and j != i:
                    neighbours[i].add(j)
                    neighbours[j].add(i)
            for code in s.joinable:
                j = self.stall_index.get(code)
                if j is not None and j != i:
                    joinable[i].add(j)
                    joinable[j].add(i)
        self.neighbours = [sorted(x) for x in neighbours]
        self.joinable = [sorted(x) for x in joinable]
        self.edges = np.array(
            [(i, j) for i in range(n) for j in self.neighbours[i] if i < j], dtype=np.int64
        ).reshape(-1, 2)
        self.pairs = np.array(
            [(i, j) for i in range(n) for j in self.joinable[i] if i < j], dtype=np.int64
        ).reshape(-1, 2)

        def column(name: str, items: Sequence) -> np.ndarray:
            return np.array([bool(getattr(x, name)) for x in items], dtype=bool)

        st, rq = self.stalls, self.requests
        self.s_power, self.s_water = column("power", st), column("water", st)
        self.s_food, self.s_access = column("food_allowed", st), column("accessible", st)
        self.s_shade, self.s_prime = column("shade", st), column("prime", st)
        zones = sorted({s.zone for s in st})
        zone_index = {z: k for k, z in enumerate(zones)}
        self.s_zone = np.array([zone_index[s.zone] for s in st], dtype=np.int64)

        self.r_size = np.array([r.stalls for r in rq], dtype=np.int64)
        self.r_power, self.r_water = column("needs_power", rq), column("needs_water", rq)
        self.r_food, self.r_access = column("food", rq), column("needs_accessible", rq)
        self.r_shade, self.r_prime = column("wants_shade", rq), column("had_prime_recently", rq)
        self.r_newcomer = column("newcomer", rq)
        self.categories = sorted({r.category for r in rq})
        category_index = {c: k for k, c in enumerate(self.categories)}
        self.r_cat = np.array([category_index[r.category] for r in rq], dtype=np.int64)
        w = weights
        # Everything about a request that does not depend on the stall, per stall held.
        self.base = np.array(
            [
                w.stall
                + w.hvncl * r.hvncl
                + w.club * r.club_member_here
                + w.local * r.local
                + w.fairness * float(r.last_outcome)
                - w.no_show * r.no_shows
                for r in rq
            ],
            dtype=np.float64,
        )
        # Capped categories and the newcomer share are counted in stalls of the open map.
        self.cap = category_cap(n, w)
        self.newcomer_target = math.floor(w.newcomer_share * n + 1e-9)
        # Preferences: (request, stall) pairs named by code, and (request, zone) pairs.
        pref_r, pref_s, zone_r, zone_z = [], [], [], []
        for k, r in enumerate(rq):
            for code in r.preferred_stalls:
                if code in self.stall_index:
                    pref_r.append(k)
                    pref_s.append(self.stall_index[code])
            for z in r.preferred_zones:
                if z in zone_index:
                    zone_r.append(k)
                    zone_z.append(zone_index[z])
        self.pref_stall = np.zeros((self.n_requests, n), dtype=bool)
        self.pref_stall[pref_r, pref_s] = True
        self.pref_zone = np.zeros((self.n_requests, len(zones)), dtype=bool)
        self.pref_zone[zone_r, zone_z] = True
        self._value: np.ndarray | None = None
        self._feasible: np.ndarray | None = None

    # -- per (request, stall) ------------------------------------------------------------------
    def value_of(self, r: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Value of request r holding stall s, element-wise (without spread and newcomer terms)."""
        w = self.weights
        preference = np.where(
            self.pref_stall[r, s], 1.0, np.where(self.pref_zone[r, self.s_zone[s]], 0.5, 0.0)
        )
        return (
            self.base[r]
            + w.preference * preference
            + w.shade * (self.r_shade[r] & self.s_shade[s])
            - w.prime_rotation * (self.r_prime[r] & self.s_prime[s])
        )

    def fits(self, r: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Whether stall s meets the needs of request r, element-wise."""
        return (
            (~self.r_power[r] | self.s_power[s])
            & (~self.r_water[r] | self.s_water[s])
            & (~self.r_food[r] | self.s_food[s])
            & (~self.r_access[r] | self.s_access[s])
        )

    @property
    def value(self) -> np.ndarray:
        if self._value is None:
            r, s = np.indices((self.n_requests, self.n_stalls))
            self._value = self.value_of(r, s)
        return self._value

    @property
    def feasible(self) -> np.ndarray:
        if self._feasible is None:
            r, s = np.indices((self.n_requests, self.n_stalls))
            self._feasible = self.fits(r, s)
        return self._feasible

    # -- whole assignments ---------------------------------------------------------------------
    def occupancy(self, holding: Mapping[int, Sequence[int]]) -> np.ndarray:
        """Request index per stall (-1 when free) from request index -> stall indices."""
        occ = np.full(self.n_stalls, -1, dtype=np.int64)
        for r, stalls in holding.items():
            occ[list(stalls)] = r
        return occ

    def objective(self, holding: Mapping[int, Sequence[int]]) -> float:
        """The objective of request index -> stall indices; see `score`."""
        if not holding:
            return 0.0
        rs = np.array([r for r, ss in holding.items() for _ in ss], dtype=np.int64)
        ss = np.array([s for _, x in holding.items() for s in x], dtype=np.int64)
        total = float(self.value_of(rs, ss).sum())
        newcomer_stalls = int(self.r_newcomer[rs].sum())
        total += self.weights.newcomer_bonus * min(newcomer_stalls, self.newcomer_target)
        total -= self.weights.category_spread * self.clashes(self.occupancy(holding))
        return total

    def clashes(self, occ: np.ndarray) -> int:
        """Adjacent stall pairs held by two different requests of the same category."""
        if len(self.edges) == 0:
            return 0
        a, b = occ[self.edges[:, 0]], occ[self.edges[:, 1]]
        both = (a >= 0) & (b >= 0) & (a != b)
        return int((both & (self.r_cat[np.maximum(a, 0)] == self.r_cat[np.maximum(b, 0)])).sum())

    def holding_of(self, pins: Sequence[Pin]) -> dict[int, list[int]]:
        """Request index -> stall indices of the pins (already validated)."""
        return {
            self.request_index[pin.application_id]: [self.stall_index[c] for c in pin.stall_codes]
            for pin in pins
        }

    def to_indices(self, assignments: Mapping[int, Sequence[str]]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for app, codes in assignments.items():
            if not codes:
                continue
            if app not in self.request_index:
                raise ValueError(f"unknown application {app}")
            unknown = [c for c in codes if c not in self.stall_index]
            if unknown:
                raise ValueError(f"unknown stall {unknown[0]}")
            out[self.request_index[app]] = [self.stall_index[c] for c in codes]
        return out

    def to_codes(self, holding: Mapping[int, Sequence[int]]) -> dict[int, tuple[str, ...]]:
        return {
            self.requests[r].application_id: tuple(self.stalls[s].code for s in sorted(ss))
            for r, ss in sorted(holding.items())
        }


def score(
    allocation_assignments: Mapping[int, Sequence[str]],
    stalls: Sequence[Stall],
    requests: Sequence[Request],
    weights: Weights | None = None,
) -> float:
    """The one objective of every method (higher is better). Summed over stalls let:
    `weights.stall` + the business's bonuses (HVNCL, club, local, fairness × last outcome) −
    no-shows + preference (stall asked for, or zone) + shade if wished − prime rotation; plus
    `newcomer_bonus` per newcomer stall up to the newcomer share; minus `category_spread` per
    pair of adjacent stalls held by two businesses of the same category. Hard rules are not part
    of it: `check_hard_rules` judges those."""
    problem = Problem(stalls, requests, weights or Weights())
    return problem.objective(problem.to_indices(allocation_assignments))
