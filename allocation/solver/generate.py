"""Realistic generated instances, for the tests and the benchmark.

Zones of back-to-back rows of up to ten stalls, as on the demo site plans: stalls touch their
left and right neighbours and the stall behind; left-right neighbours can mostly be joined into a
double. About 30 % of stalls have power (laid along pairs, so doubles with power exist), about
15 % water (mostly in the food zone, the last one), food only in that zone, shade by row, access
at row ends and the front row, prime spots at the front corners. Categories (the demo's slugs)
follow a skewed distribution: garments and processed food dominate, stationery is rare, so the
category cap binds for the largest ones.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from allocation.solver.model import Request, Stall

# (slug, weight, sells food)
CATEGORIES = (
    ("may-mac", 1.0, False),
    ("thuc-pham-che-bien", 0.8, True),
    ("gia-dung", 0.55, False),
    ("nong-san", 0.45, True),
    ("my-pham", 0.4, False),
    ("do-uong", 0.3, True),
    ("thu-cong", 0.28, False),
    ("giay-da", 0.25, False),
    ("dien-gia-dung", 0.2, False),
    ("do-choi", 0.15, False),
    ("van-phong-pham", 0.12, False),
)
ROW = 10


@dataclass(frozen=True)
class Instance:
    stalls: tuple[Stall, ...]
    requests: tuple[Request, ...]


def _zone_sizes(n_stalls: int) -> list[int]:
    if n_stalls < 4:
        return [n_stalls]
    food = max(1, round(0.2 * n_stalls))
    rest = n_stalls - food
    n_zones = max(1, round(rest / 40))
    sizes = [rest // n_zones + (1 if k < rest % n_zones else 0) for k in range(n_zones)]
    return [*sizes, food]


def _stalls(n_stalls: int, rng: random.Random) -> list[Stall]:
    sizes = _zone_sizes(n_stalls)
    digits = max(2, len(str(max(sizes, default=1))))
    raw: list[dict] = []
    for z, size in enumerate(sizes):
        zone = chr(ord("A") + z) if z < 26 else f"Z{z}"
        food_zone = z == len(sizes) - 1 and len(sizes) > 1
        row_len = min(ROW, size)
        n_rows = math.ceil(size / row_len)
        row_shade = [rng.random() < 0.4 for _ in range(n_rows)]
        base = len(raw)
        for k in range(size):
            row, place = divmod(k, row_len)
            last_in_row = place == row_len - 1 or k == size - 1
            raw.append(
                {
                    "code": f"{zone}{k + 1:0{digits}d}",
                    "zone": zone,
                    "row": row,
                    "place": place,
                    "food_allowed": food_zone,
                    "water": rng.random() < (0.5 if food_zone else 0.07),
                    "shade": row_shade[row] != (rng.random() < 0.1),
                    "accessible": row == 0 or place == 0 or last_in_row,
                    "corner": place == 0 or last_in_row,
                    "prime": row == 0 and (place == 0 or last_in_row or (z == 0 and place < 3)),
                }
            )
        # Power runs along pairs of stalls, so a double can have power on both halves.
        for k in range(0, size, 2):
            powered = rng.random() < 0.3
            raw[base + k]["power"] = powered
            if k + 1 < size:
                raw[base + k + 1]["power"] = powered if rng.random() < 0.85 else not powered
        # Neighbours: left-right in a row, and back to back between rows 2i and 2i+1.
        at = {(zone, s["row"], s["place"]): s["code"] for s in raw[base:]}
        for s in raw[base:]:
            row, place = s["row"], s["place"]
            beside = [at.get((zone, row, place - 1)), at.get((zone, row, place + 1))]
            behind = at.get((zone, row + 1 if row % 2 == 0 else row - 1, place))
            s["neighbours"] = {c for c in [*beside, behind] if c}
            s["joinable"] = set()
        by_code = {s["code"]: s for s in raw[base:]}
        for s in raw[base:]:
            right = at.get((zone, s["row"], s["place"] + 1))
            if right and rng.random() < 0.9:
                s["joinable"].add(right)
                by_code[right]["joinable"].add(s["code"])
    return [
        Stall(
            code=s["code"],
            zone=s["zone"],
            power=s["power"],
            water=s["water"],
            food_allowed=s["food_allowed"],
            shade=s["shade"],
            accessible=s["accessible"],
            corner=s["corner"],
            prime=s["prime"],
            neighbours=frozenset(s["neighbours"]),
            joinable=frozenset(s["joinable"]),
        )
        for s in raw
    ]


def _requests(n_requests: int, stalls: list[Stall], rng: random.Random) -> list[Request]:
    zones = sorted({s.zone for s in stalls})
    wanted = [s.code for s in stalls if s.prime or s.corner] or [s.code for s in stalls]
    slugs = [c[0] for c in CATEGORIES]
    weights = [c[1] for c in CATEGORIES]
    food_category = {c[0]: c[2] for c in CATEGORIES}
    order = list(range(1, n_requests + 1))
    rng.shuffle(order)
    requests = []
    for k in range(n_requests):
        category = rng.choices(slugs, weights)[0]
        food = food_category[category] and rng.random() < 0.85
        newcomer = rng.random() < 0.2
        preferred_zones: set[str] = set()
        if zones and rng.random() < 0.4:
            # The zone by the entrance is the one most asked for.
            preferred_zones = {zones[0] if rng.random() < 0.5 else rng.choice(zones)}
        preferred_stalls = (
            set(rng.sample(wanted, k=min(len(wanted), rng.randint(1, 3))))
            if rng.random() < 0.1
            else set()
        )
        requests.append(
            Request(
                application_id=1000 + k,
                business_id=500 + k,
                category=category,
                stalls=2 if rng.random() < 0.15 else 1,
                needs_power=rng.random() < (0.5 if food else 0.2),
                needs_water=rng.random() < (0.4 if food else 0.03),
                food=food,
                needs_accessible=rng.random() < 0.05,
                wants_shade=rng.random() < 0.3,
                preferred_zones=frozenset(preferred_zones),
                preferred_stalls=frozenset(preferred_stalls),
                hvncl=rng.random() < 0.2,
                club_member_here=rng.random() < 0.15,
                local=rng.random() < 0.3,
                newcomer=newcomer,
                last_outcome=(
                    rng.choice((0.0, 1.0))
                    if newcomer
                    else rng.choices((0.0, 0.5, 1.0), (0.7, 0.15, 0.15))[0]
                ),
                had_prime_recently=not newcomer and rng.random() < 0.1,
                no_shows=0 if newcomer else rng.choices((0, 1, 2, 3), (0.8, 0.12, 0.06, 0.02))[0],
                order=order[k],
            )
        )
    return requests


def generate_instance(n_requests: int, n_stalls: int, seed: int = 0) -> Instance:
    """A fair of `n_stalls` stalls and `n_requests` approved applications, the same for the
    same seed."""
    rng = random.Random(seed)
    stalls = _stalls(n_stalls, rng)
    return Instance(tuple(stalls), tuple(_requests(n_requests, stalls, rng)))
