"""Inputs and outputs of the stall allocation: plain frozen dataclasses, no database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stall:
    """One stall of the fair's open map (closed stalls are simply not passed in)."""

    code: str
    zone: str
    power: bool = False
    water: bool = False
    food_allowed: bool = False
    shade: bool = False
    accessible: bool = False
    corner: bool = False
    prime: bool = False
    neighbours: frozenset[str] = frozenset()
    joinable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Request:
    """One approved application, with what the allocation needs to know about its business."""

    application_id: int
    business_id: int
    category: str
    stalls: int = 1
    needs_power: bool = False
    needs_water: bool = False
    food: bool = False
    needs_accessible: bool = False
    wants_shade: bool = False
    preferred_zones: frozenset[str] = frozenset()
    preferred_stalls: frozenset[str] = frozenset()
    hvncl: bool = False
    club_member_here: bool = False
    local: bool = False
    newcomer: bool = False
    last_outcome: float = 0.0
    had_prime_recently: bool = False
    no_shows: int = 0
    order: int = 0


@dataclass(frozen=True)
class Pin:
    """An organizer's fixed assignment: every method keeps it exactly as it is."""

    application_id: int
    stall_codes: tuple[str, ...]


@dataclass(frozen=True)
class Weights:
    """How the allocation weighs what organizers care about. Every value term counts per stall a
    request holds, so a double-stall request weighs as much as two single ones with the same
    standing; the total is what `score` returns and what every method is compared by."""

    stall: float = 10.0
    """Value of every stall that is let: filling the fair comes first."""
    preference: float = 2.0
    """Bonus per stall the business asked for by code; half of it for a stall in a preferred
    zone."""
    shade: float = 1.0
    """Bonus per shaded stall for a business that wished for shade."""
    hvncl: float = 3.0
    """Bonus per stall for holders of the "Hàng Việt Nam chất lượng cao" title."""
    club: float = 2.0
    """Bonus per stall for members of the sellers' club of the site's own ward."""
    local: float = 1.5
    """Bonus per stall for businesses from the site's ward."""
    newcomer_share: float = 0.1
    """Share of the fair's stalls (0..1) kept for businesses that never had a stall: up to that
    many stalls, each one a newcomer holds earns `newcomer_bonus`."""
    newcomer_bonus: float = 12.0
    """Bonus per newcomer stall within `newcomer_share`; larger than all the other bonuses
    together, so the share is in effect reserved whenever enough newcomers apply."""
    category_spread: float = 3.0
    """Penalty per pair of adjacent stalls held by two businesses of the same category."""
    category_cap: float = 0.25
    """Largest share (0..1] of the fair's stalls one category may take (a hard rule; at least
    one stall per category)."""
    fairness: float = 4.0
    """Bonus per stall times `last_outcome` (1 = had no stall last time, 0.5 = a poor one):
    who lost out last time comes first this time."""
    prime_rotation: float = 2.0
    """Penalty per prime stall given to a business that had a prime spot recently."""
    no_show: float = 3.0
    """Penalty per stall for every earlier fair the business had a stall at and did not come
    to. A business whose stall value falls to zero or below gets no stall."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.newcomer_share <= 1.0:
            raise ValueError("newcomer_share must be within 0..1")
        if not 0.0 < self.category_cap <= 1.0:
            raise ValueError("category_cap must be within (0, 1]")
        if self.category_spread < 0 or self.newcomer_bonus < 0:
            raise ValueError("category_spread and newcomer_bonus cannot be negative")


@dataclass(frozen=True)
class Reason:
    """Why an application got what it got, or why it got nothing: a stable code for programs and
    one sentence each in Vietnamese and English for people."""

    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class Violation:
    """A broken hard rule."""

    rule: str
    vi: str
    en: str
    application_ids: tuple[int, ...] = ()
    stall_codes: tuple[str, ...] = ()


@dataclass
class Allocation:
    """The outcome of one method; `objective` is `score` of `assignments`, whatever the method."""

    assignments: dict[int, tuple[str, ...]]
    reasons: dict[int, list[Reason]]
    left_out: dict[int, Reason]
    objective: float
    solve_seconds: float
    method: str = ""
    bound: float | None = None
    """An upper bound on the best objective, where the method proves one (the exact solve)."""
    stats: dict[str, float] = field(default_factory=dict)


class PinError(ValueError):
    """The organizer's pins break a hard rule, so no allocation can keep them."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(v.en for v in violations))
