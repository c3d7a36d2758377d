"""Local search over single-stall placements, every move of a kind scored at once with NumPy.

Moves: two placed businesses swap stalls; an unplaced business takes the stall of a placed one
(replace), or takes it while the holder moves on to a free stall or to a weaker business's
stall, which leaves (chain); an unplaced business takes a free stall (insert); a placed one
moves to a free stall. Doubles and pins stay where they are (the MILP windows move doubles).
Each round applies the best improving moves whose stalls are far enough apart not to change
each other's gain, so a round costs a few matrix operations, not a Python loop per pair.
"""

from __future__ import annotations

import time

import numpy as np

from allocation.solver.problem import Problem

NEG = -1e18
TOP = 64  # best moves of each kind considered per round


class LocalSearch:
    def __init__(self, p: Problem, holding: dict[int, list[int]], pinned: set[int]) -> None:
        self.p = p
        self.pinned = pinned
        self.occ = p.occupancy(holding)
        self.holding = {r: list(ss) for r, ss in holding.items()}
        n_cat = len(p.categories)
        # near[s, c]: neighbours of stall s held by category c.
        self.near = np.zeros((p.n_stalls, n_cat))
        self.per_cat = np.zeros(n_cat, dtype=np.int64)
        self.newcomers = 0
        for r, ss in self.holding.items():
            self.per_cat[p.r_cat[r]] += len(ss)
            self.newcomers += len(ss) * int(p.r_newcomer[r])
            for s in ss:
                self.near[p.neighbours[s], p.r_cat[r]] += 1
        n = p.n_stalls
        self.adjacent = np.zeros((n, n), dtype=bool)
        if len(p.edges):
            self.adjacent[p.edges[:, 0], p.edges[:, 1]] = True
            self.adjacent[p.edges[:, 1], p.edges[:, 0]] = True

    def run(self, deadline: float, max_rounds: int = 10_000) -> dict[int, list[int]]:
        for _ in range(max_rounds):
            if time.perf_counter() >= deadline or not self._round():
                break
        return self.holding

    # -- bookkeeping --------------------------------------------------------------------------
    def _leave(self, r: int, s: int) -> None:
        self.occ[s] = -1
        self.near[self.p.neighbours[s], self.p.r_cat[r]] -= 1

    def _enter(self, r: int, s: int) -> None:
        self.occ[s] = r
        self.near[self.p.neighbours[s], self.p.r_cat[r]] += 1

    def _newcomer_gain(self, change: np.ndarray) -> np.ndarray:
        """Bonus gained when the newcomer stall count moves by `change` (-1, 0 or 1)."""
        p = self.p
        now = min(self.newcomers, p.newcomer_target)
        table = p.weights.newcomer_bonus * np.array(
            [
                min(self.newcomers - 1, p.newcomer_target) - now,
                0.0,
                min(self.newcomers + 1, p.newcomer_target) - now,
            ]
        )
        return table[np.asarray(change, dtype=np.int64) + 1]

    @staticmethod
    def _best(delta: np.ndarray) -> list[tuple[int, int]]:
        if not delta.size:
            return []
        k = min(TOP, delta.size - 1)
        flat = np.argpartition(-delta.ravel(), k)[: k + 1]
        return [divmod(int(f), delta.shape[1]) for f in flat if delta.flat[f] > 1e-9]

    # -- one round ----------------------------------------------------------------------------
    def _round(self) -> bool:
        p = self.p
        placed = np.zeros(p.n_requests, dtype=bool)
        placed[list(self.holding)] = True
        singles = np.array(
            [r for r, ss in self.holding.items() if len(ss) == 1 and r not in self.pinned],
            dtype=np.int64,
        )
        at = np.array([self.holding[r][0] for r in singles], dtype=np.int64)
        unplaced = np.flatnonzero(~placed & (p.r_size == 1))
        free = np.flatnonzero(self.occ < 0)
        # (gain, kind, a, b, target stall, the part of the gain that is newcomer bonus)
        moves: list[tuple[float, str, int, int, int, float]] = []
        if len(singles) > 1:
            moves += self._swaps(singles, at)
        if len(singles) and len(unplaced):
            moves += self._replacements(singles, at, unplaced, free)
        if len(free):
            moves += self._into_free(singles, at, unplaced, free)
        if not moves:
            return False
        moves.sort(key=lambda m: -m[0])
        locked = np.zeros(p.n_stalls, dtype=bool)
        used: set[int] = set()
        applied = 0
        for gain, kind, a, b, target, bonus in moves:
            out = int(self.occ[target]) if target >= 0 else -1
            involved = {r for r in (a, b, out) if r >= 0}
            if involved & used:
                continue
            touched = [s for s in (self._stall_of(a), self._stall_of(b), target) if s >= 0]
            area = np.concatenate([touched, *[p.neighbours[s] for s in touched]]).astype(int)
            if locked[area].any():
                continue
            if self._apply(gain - bonus, kind, a, b, target):
                applied += 1
                locked[area] = True
                used.update(involved)
        return applied > 0

    def _stall_of(self, r: int) -> int:
        ss = self.holding.get(r) if r >= 0 else None
        return ss[0] if ss else -1

    def _swaps(self, singles: np.ndarray, at: np.ndarray) -> list[tuple]:
        p = self.p
        spread = p.weights.category_spread
        cats = p.r_cat[singles]
        own = p.value[singles, at]
        onto = p.value[np.ix_(singles, at)]  # [i, j]: r_i on s_j
        fits = p.feasible[np.ix_(singles, at)]
        cross = self.near[at][:, cats]  # [j, i]: neighbours of s_j in r_i's category
        clash_own = cross[np.arange(len(singles)), np.arange(len(singles))]
        same = cats[:, None] == cats[None, :]
        adjacent = self.adjacent[np.ix_(at, at)]
        # Adjacent stalls each count the other's current holder; the edge between them clashes
        # after the swap exactly when it did before.
        clash = cross.T + cross - clash_own[:, None] - clash_own[None, :]
        clash = clash - adjacent * (2 - 2 * same)
        delta = onto + onto.T - own[:, None] - own[None, :] - spread * clash
        delta[~(fits & fits.T)] = NEG
        delta[np.tril_indices(len(singles))] = NEG
        return [
            (float(delta[i, j]), "swap", int(singles[i]), int(singles[j]), -1, 0.0)
            for i, j in self._best(delta)
        ]

    def _replacements(
        self, singles: np.ndarray, at: np.ndarray, unplaced: np.ndarray, free: np.ndarray
    ) -> list[tuple]:
        p = self.p
        spread = p.weights.category_spread
        cats_out, cats_in = p.r_cat[singles], p.r_cat[unplaced]
        own = p.value[singles, at] - spread * self.near[at, cats_out]
        take = p.value[np.ix_(unplaced, at)] - spread * self.near[at][:, cats_in].T
        take[~p.feasible[np.ix_(unplaced, at)]] = NEG
        capped = (self.per_cat[cats_in] + 1 > p.cap)[:, None]
        change = p.r_newcomer[unplaced][:, None].astype(int) - p.r_newcomer[singles][None, :]
        bonus = self._newcomer_gain(change)
        delta = take - own[None, :] + bonus
        delta[capped & (cats_in[:, None] != cats_out[None, :])] = NEG
        found = [
            (
                float(delta[u, i]),
                "replace",
                int(unplaced[u]),
                int(singles[i]),
                -1,
                float(bonus[u, i]),
            )
            for u, i in self._best(delta)
        ]
        return found + self._chains(singles, at, unplaced, take - own[None, :], free)

    def _chains(
        self,
        singles: np.ndarray,
        at: np.ndarray,
        unplaced: np.ndarray,
        take_gain: np.ndarray,
        free: np.ndarray,
    ) -> list[tuple]:
        """An unplaced business takes s_i while its holder r_i moves on, to a free stall or to
        the stall of a weaker business that leaves. Only targets not adjacent to s_i, so the
        two halves of the move do not change each other's clashes."""
        p = self.p
        spread = p.weights.category_spread
        n = len(singles)
        cats = p.r_cat[singles]
        own = p.value[singles, at] - spread * self.near[at, cats]
        onto = p.value[np.ix_(singles, at)] - spread * self.near[at][:, cats].T
        move = onto - own[None, :]  # [i, j]: r_i onto s_j, r_j out
        move[~p.feasible[np.ix_(singles, at)] | self.adjacent[np.ix_(at, at)]] = NEG
        np.fill_diagonal(move, NEG)
        best_j = move.argmax(axis=1)
        best = move[np.arange(n), best_j]
        target = at[best_j]
        evicted = singles[best_j]
        if len(free):
            to_free = p.value[np.ix_(singles, free)] - spread * self.near[free][:, cats].T
            to_free[~p.feasible[np.ix_(singles, free)] | self.adjacent[np.ix_(at, free)]] = NEG
            best_f = to_free.argmax(axis=1)
            free_gain = to_free[np.arange(n), best_f]
            better = free_gain > best
            best = np.where(better, free_gain, best)
            target = np.where(better, free[best_f], target)
            evicted = np.where(better, -1, evicted)
        out_new = np.where(evicted >= 0, p.r_newcomer[np.maximum(evicted, 0)], False)
        out_cat = np.where(evicted >= 0, p.r_cat[np.maximum(evicted, 0)], -1)
        cats_in = p.r_cat[unplaced]
        change = p.r_newcomer[unplaced][:, None].astype(int) - out_new[None, :].astype(int)
        bonus = self._newcomer_gain(change)
        total = take_gain + best[None, :] + bonus
        capped = (self.per_cat[cats_in] + 1 > p.cap)[:, None]
        total[capped & (cats_in[:, None] != out_cat[None, :])] = NEG
        total[:, best <= NEG / 2] = NEG
        return [
            (
                float(total[u, i]),
                "chain",
                int(unplaced[u]),
                int(singles[i]),
                int(target[i]),
                float(bonus[u, i]),
            )
            for u, i in self._best(total)
        ]

    def _into_free(
        self, singles: np.ndarray, at: np.ndarray, unplaced: np.ndarray, free: np.ndarray
    ) -> list[tuple]:
        p = self.p
        spread = p.weights.category_spread
        found: list[tuple] = []
        if len(unplaced):
            cats_in = p.r_cat[unplaced]
            bonus = self._newcomer_gain(p.r_newcomer[unplaced].astype(int))
            delta = (
                p.value[np.ix_(unplaced, free)]
                - spread * self.near[free][:, cats_in].T
                + bonus[:, None]
            )
            delta[self.per_cat[cats_in] + 1 > p.cap] = NEG
            delta[~p.feasible[np.ix_(unplaced, free)]] = NEG
            found += [
                (float(delta[u, f]), "insert", int(unplaced[u]), -1, int(free[f]), float(bonus[u]))
                for u, f in self._best(delta)
            ]
        if len(singles):
            cats = p.r_cat[singles]
            own = p.value[singles, at] - spread * self.near[at, cats]
            there = p.value[np.ix_(singles, free)] - spread * self.near[free][:, cats].T
            # Leaving s_i takes r_i's own category out of an adjacent free stall's count.
            there += spread * self.adjacent[np.ix_(at, free)]
            delta = there - own[:, None]
            delta[~p.feasible[np.ix_(singles, free)]] = NEG
            found += [
                (float(delta[i, f]), "move", int(singles[i]), -1, int(free[f]), 0.0)
                for i, f in self._best(delta)
            ]
        return found

    # -- applying -----------------------------------------------------------------------------
    def _apply(self, local_gain: float, kind: str, a: int, b: int, target: int) -> bool:
        """Apply a move whose local gain still holds (no earlier move of the round touched its
        neighbourhood); the newcomer count and the category room are global, so they are
        checked again here."""
        p = self.p
        if kind == "swap":
            sa, sb = self.holding[a][0], self.holding[b][0]
            for r, s in ((a, sa), (b, sb)):
                self._leave(r, s)
            self._place(a, sb)
            self._place(b, sa)
            return True
        if kind == "move":
            self._leave(a, self.holding[a][0])
            self._place(a, target)
            return True
        # replace, chain, insert: a comes in, whoever held the stall it takes (or, in a chain,
        # the stall its holder moves to) goes out.
        spot = self.holding[b][0] if kind in ("replace", "chain") else target
        out = b if kind == "replace" else (int(self.occ[target]) if kind == "chain" else -1)
        out_cat = p.r_cat[out] if out >= 0 else -1
        if p.r_cat[a] != out_cat and self.per_cat[p.r_cat[a]] + 1 > p.cap:
            return False
        change = int(p.r_newcomer[a]) - (int(p.r_newcomer[out]) if out >= 0 else 0)
        if local_gain + float(self._newcomer_gain(np.array(change))) <= 1e-9:
            return False
        if out >= 0:
            self._leave(out, self.holding.pop(out)[0])
            self.per_cat[out_cat] -= 1
        if kind == "chain":
            self._leave(b, spot)
            self._place(b, target)
        self._place(a, spot)
        self.per_cat[p.r_cat[a]] += 1
        self.newcomers += change
        return True

    def _place(self, r: int, s: int) -> None:
        self._enter(r, s)
        self.holding[r] = [s]
