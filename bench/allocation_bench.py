"""Stall allocation on generated fairs: the optimizer against first-come-first-served, and
against the exact optimum where that can be had.

Prints one row per fair size and method: median solve time over several runs, the objective
(the one `score` every method reports), how far it is above the baseline, its gap to the exact
optimum (100 × 40) or to the LP upper bound (500 × 150; 2,000 × 600 with --bound, which adds
~30 s), and the number of broken hard rules, which must be 0. Times are reported, not asserted.

Run: .venv/bin/python bench/allocation_bench.py [--runs 3] [--seed 1] [--bound]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from allocation.solver import (
    allocate,
    check_hard_rules,
    exact,
    first_come_first_served,
    generate_instance,
    upper_bound,
)

SIZES = ((100, 40), (500, 150), (2000, 600))


def timed(method, runs: int, *args, **kwargs):
    results = [method(*args, **kwargs) for _ in range(runs)]
    return results[-1], statistics.median(r.solve_seconds for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per method (median time)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated fairs")
    parser.add_argument("--bound", action="store_true", help="LP bound at 2,000 × 600 too")
    args = parser.parse_args()

    header = (
        f"{'fair (applications × stalls)':<30}{'method':<26}{'time s':>8}{'objective':>11}"
        f"{'vs FCFS':>9}{'gap':>8}  {'to':<6}{'violations':>11}"
    )
    print(header)
    print("-" * len(header))
    for n_requests, n_stalls in SIZES:
        fair = generate_instance(n_requests, n_stalls, seed=args.seed)
        stalls, requests = fair.stalls, fair.requests
        rows = [
            timed(first_come_first_served, max(args.runs, 5), stalls, requests),
            timed(allocate, args.runs, stalls, requests),
        ]
        reference, against = None, ""
        if n_stalls <= 40:
            rows.append(timed(exact, args.runs, stalls, requests))
            reference, against = rows[-1][0].objective, "exact"
        elif n_stalls <= 150 or args.bound:
            reference, against = upper_bound(stalls, requests), "LP"
        baseline = rows[0][0].objective
        for result, seconds in rows:
            broken = len(check_hard_rules(result.assignments, stalls, requests))
            above = (result.objective - baseline) / abs(baseline) * 100 if baseline else 0.0
            gap = (
                f"{(reference - result.objective) / abs(reference) * 100:7.2f}%"
                if reference
                else f"{'':>8}"
            )
            print(
                f"{f'{n_requests:,} × {n_stalls:,}':<30}{result.method:<26}{seconds:>8.3f}"
                f"{result.objective:>11.1f}{above:>8.1f}%{gap}  {against:<6}{broken:>11}"
            )
        print()


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
