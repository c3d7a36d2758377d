"""Stall maps for the demo sites: rows of 3 × 3 m stalls along aisles, zones by row."""

from __future__ import annotations

from events.stallmap import replace_map
from events.tables import Site

STALL = 3.0
AISLE = 4.0


def layout(capacity: int) -> list[dict]:
    """Rows of up to ten stalls, two rows facing each aisle; zone A by the entrance is prime,
    the last row takes food (with water), every other stall has power."""
    per_row = 10
    rows = max(1, -(-capacity // per_row))
    stalls = []
    for index in range(capacity):
        row, place = divmod(index, per_row)
        zone = chr(ord("A") + row)
        food_row = row == rows - 1 and rows > 1
        # Rows stand back to back in pairs, with an aisle between the pairs.
        y = row * STALL + ((row + 1) // 2) * AISLE
        stalls.append(
            {
                "code": f"{zone}{place + 1:02d}",
                "zone": zone,
                "x": place * STALL,
                "y": y,
                "width": STALL,
                "depth": STALL,
                "power": place % 2 == 0 or food_row,
                "water": food_row,
                "food_allowed": food_row,
                "shade": row % 2 == 0,
                "accessible": row == 0,
                "corner": place in (0, per_row - 1),
                "prime": row == 0 and place < 4,
                "joinable": not food_row,
            }
        )
    return stalls


async def load_maps() -> None:
    for site in await Site.select(Site.id, Site.capacity).run():
        await replace_map(site["id"], layout(site["capacity"]))
