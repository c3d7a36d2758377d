"""Checking an imported stall map: 1,500 to 12,000 stalls, against reading the same JSON.

The check (codes, numbers, attributes, overlaps) must grow like the map, not like its square:
the figure that matters is how the time per stall changes as the map doubles. The floor is
`json.loads` of the same payload, measured in the same run.

Run: .venv/bin/python bench/map_import_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from events.stallmap import parse_rows


def big_map(stalls: int) -> list[dict]:
    per_aisle = 100
    return [
        {
            "code": f"K{n // per_aisle:03d}{n % per_aisle:03d}",
            "x": (n // per_aisle) * 5.0,
            "y": (n % per_aisle) * 3.0,
            "width": 3,
            "depth": 3,
            "attributes": ["power"] if n % 10 == 0 else [],
        }
        for n in range(stalls)
    ]


def median_seconds(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and sizes")
    args = parser.parse_args()
    sizes = (1_500, 3_000, 6_000) if args.quick else (1_500, 3_000, 6_000, 12_000)
    runs = 3 if args.quick else 7
    print("| stalls | check, median ms | µs a stall | JSON read, ms | check / JSON read |")
    print("|---|---|---|---|---|")
    for size in sizes:
        rows = big_map(size)
        payload = json.dumps(rows)
        check = median_seconds(lambda rows=rows: parse_rows(rows), runs)
        read = median_seconds(lambda payload=payload: json.loads(payload), runs)
        print(
            f"| {size:,} | {check * 1000:.1f} | {check / size * 1e6:.1f} | {read * 1000:.1f} "
            f"| {check / read:.1f} |"
        )
    print(f"\n{runs} runs a size; a time per stall that stays flat as the map doubles is linear.")


if __name__ == "__main__":
    main()
