"""Why each application got what it got, and why each one left out is out, in Vietnamese and
English. Reasons are read off the final allocation, so every method explains itself the same
way; only the wording of "someone else came first" differs between the optimizer (priority) and
first-come-first-served (queue)."""

from __future__ import annotations

import numpy as np

from allocation.solver.model import Reason
from allocation.solver.problem import Problem

TEXTS: dict[str, tuple[str, str]] = {
    # Assignments.
    "pinned": ("Ban tổ chức đã giữ cố định gian này.", "The organizers pinned this stall."),
    "first_come": (
        "Phân theo thứ tự nộp hồ sơ (thứ {order}).",
        "Allocated in order of submission (no. {order}).",
    ),
    "double_stall": (
        "Hai gian liền kề ghép thành gian đôi như đăng ký.",
        "Two adjoining stalls joined into a double, as asked.",
    ),
    "preferred_stall": ("Được gian đã chọn.", "Got a stall it asked for."),
    "preferred_zone": ("Được gian trong khu vực mong muốn.", "Got a stall in a preferred zone."),
    "preference_not_met": (
        "Không xếp được vào gian hoặc khu vực mong muốn.",
        "Could not be placed at its preferred stall or zone.",
    ),
    "shade": ("Gian có mái che như mong muốn.", "A shaded stall, as wished."),
    "needs_met": ("Gian đáp ứng nhu cầu: {vi}.", "The stall meets its needs: {en}."),
    "hvncl_priority": (
        "Ưu tiên doanh nghiệp đạt danh hiệu Hàng Việt Nam chất lượng cao.",
        "Priority for holders of the High-quality Vietnamese Goods title.",
    ),
    "club_priority": (
        "Ưu tiên thành viên câu lạc bộ doanh nghiệp của phường sở tại.",
        "Priority for members of the host ward's sellers' club.",
    ),
    "local_priority": (
        "Ưu tiên doanh nghiệp của phường sở tại.",
        "Priority for businesses from the host ward.",
    ),
    "newcomer_share": (
        "Thuộc phần gian dành cho doanh nghiệp lần đầu tham gia.",
        "Within the share of stalls kept for newcomers.",
    ),
    "fairness_last_time": (
        "Lần trước không có gian hoặc gian chưa tốt, nên được ưu tiên lần này.",
        "Had no stall or a poor one last time, so it comes first now.",
    ),
    "prime_turn": ("Đến lượt được vị trí đẹp.", "Its turn for a prime spot."),
    "prime_rotation": (
        "Vị trí đẹp luân phiên: lần này nhường cho doanh nghiệp khác.",
        "Prime spots rotate: another business has one this time.",
    ),
    "free_stall": ("Gian phù hợp còn trống.", "A fitting stall was free."),
    # Left out.
    "no_fitting_stall": (
        "Sơ đồ không có gian nào đáp ứng nhu cầu: {vi}.",
        "No stall on the map meets its needs: {en}.",
    ),
    "no_adjacent_pair": (
        "Sơ đồ không có hai gian liền kề ghép đôi được đáp ứng nhu cầu.",
        "No pair of joinable stalls on the map meets its needs.",
    ),
    "no_show_record": (
        "Đã nhiều lần được phân gian nhưng không đến.",
        "Had a stall several times and did not come.",
    ),
    "category_cap": ("Ngành hàng đã đủ số gian tối đa.", "The category has reached its cap."),
    "low_value": (
        "Xếp vào sẽ làm giảm tổng điểm của cả phiên chợ.",
        "Placing it would lower the fair's total score.",
    ),
    "crowding": (
        "Gian còn trống chỉ nằm cạnh gian cùng ngành hàng, xếp vào sẽ làm giảm tổng điểm.",
        "The free stalls left sit next to the same category; placing it would lower the total.",
    ),
    "no_power_stall_left": ("Không còn gian hàng có điện.", "No stall with power left."),
    "no_water_stall_left": ("Không còn gian hàng có nước.", "No stall with water left."),
    "no_food_stall_left": (
        "Không còn gian được bán thực phẩm.",
        "No stall that allows food left.",
    ),
    "no_accessible_stall_left": (
        "Không còn gian có lối đi cho người khuyết tật.",
        "No accessible stall left.",
    ),
    "no_adjacent_pair_left": (
        "Không còn hai gian liền kề để ghép đôi.",
        "No pair of adjoining stalls left to join.",
    ),
    "no_fitting_stall_left": (
        "Không còn gian nào đáp ứng đủ nhu cầu.",
        "No stall meeting all its needs is left.",
    ),
    "outranked": (
        "Các gian phù hợp đã dành cho hồ sơ có điểm ưu tiên cao hơn.",
        "The fitting stalls went to applications with higher priority.",
    ),
    "queue": (
        "Đến lượt hồ sơ thì không còn gian phù hợp.",
        "By its turn in the queue no fitting stall was free.",
    ),
}

NEEDS = (
    ("power", "needs_power", "có điện", "power"),
    ("water", "needs_water", "có nước", "water"),
    ("food", "food", "được bán thực phẩm", "food allowed"),
    ("accessible", "needs_accessible", "lối đi cho người khuyết tật", "accessible"),
)


def reason(code: str, **values: object) -> Reason:
    vi, en = TEXTS[code]
    return Reason(code, vi.format(**values), en.format(**values))


def _needs_text(request) -> dict[str, str]:
    named = [(vi, en) for _, attr, vi, en in NEEDS if getattr(request, attr)]
    return {"vi": ", ".join(v for v, _ in named), "en": ", ".join(e for _, e in named)}


def explain(
    p: Problem, holding: dict[int, list[int]], pinned: set[int], queue: bool = False
) -> tuple[dict[int, list[Reason]], dict[int, Reason]]:
    """Reasons for each request index in `holding` and for each one not in it, keyed by
    application id. `queue` words them for first-come-first-served."""
    occ = p.occupancy(holding)
    free = occ < 0
    stalls = p.stalls
    reasons: dict[int, list[Reason]] = {}
    # The share is credited to the newcomers that needed it most: the lowest standing first.
    in_share: set[int] = set()
    room = p.newcomer_target if p.weights.newcomer_bonus > 0 else 0
    for r in sorted((r for r in holding if p.r_newcomer[r]), key=lambda r: p.base[r]):
        if room >= len(holding[r]):
            in_share.add(r)
            room -= len(holding[r])
    for r, ss in holding.items():
        req = p.requests[r]
        got: list[Reason] = []
        if r in pinned:
            got.append(reason("pinned"))
        elif queue:
            got.append(reason("first_come", order=req.order))
        if len(ss) == 2:
            got.append(reason("double_stall"))
        if any(stalls[s].code in req.preferred_stalls for s in ss):
            got.append(reason("preferred_stall"))
        elif any(stalls[s].zone in req.preferred_zones for s in ss):
            got.append(reason("preferred_zone"))
        elif req.preferred_stalls or req.preferred_zones:
            got.append(reason("preference_not_met"))
        if req.wants_shade and any(stalls[s].shade for s in ss):
            got.append(reason("shade"))
        if any(getattr(req, attr) for _, attr, _, _ in NEEDS):
            got.append(reason("needs_met", **_needs_text(req)))
        if not queue and r not in pinned:
            w = p.weights
            if req.hvncl and w.hvncl > 0:
                got.append(reason("hvncl_priority"))
            if req.club_member_here and w.club > 0:
                got.append(reason("club_priority"))
            if req.local and w.local > 0:
                got.append(reason("local_priority"))
            if r in in_share:
                got.append(reason("newcomer_share"))
            if req.last_outcome > 0 and w.fairness > 0:
                got.append(reason("fairness_last_time"))
        on_prime = any(stalls[s].prime for s in ss)
        if queue or r in pinned or p.weights.prime_rotation <= 0:
            pass  # the queue and the organizers do not rotate prime spots
        elif req.had_prime_recently and not on_prime:
            got.append(reason("prime_rotation"))
        elif on_prime and not req.had_prime_recently:
            got.append(reason("prime_turn"))
        if not got:
            got.append(reason("free_stall"))
        reasons[req.application_id] = got

    per_category = np.bincount(p.r_cat[occ[occ >= 0]], minlength=len(p.categories))
    holder_category = np.full(p.n_stalls, -1, dtype=np.int64)
    holder_category[occ >= 0] = p.r_cat[occ[occ >= 0]]
    left_out: dict[int, Reason] = {}
    for r in range(p.n_requests):
        if r not in holding:
            left_out[p.requests[r].application_id] = _left_out_reason(
                p, r, free, holder_category, per_category, queue
            )
    return reasons, left_out


def _left_out_reason(
    p: Problem,
    r: int,
    free: np.ndarray,
    holder_category: np.ndarray,
    per_category: np.ndarray,
    queue: bool,
) -> Reason:
    req = p.requests[r]
    fits = p.feasible[r]
    double = req.stalls == 2
    if not fits.any():
        return reason("no_fitting_stall", **_needs_text(req))
    if double:
        pair_fits = fits[p.pairs[:, 0]] & fits[p.pairs[:, 1]] if len(p.pairs) else np.zeros(0)
        if not pair_fits.any():
            return reason("no_adjacent_pair")
    if not queue and req.no_shows and (p.value[r][fits]).max() <= 0:
        return reason("no_show_record")
    if per_category[p.r_cat[r]] + req.stalls > p.cap:
        return reason("category_cap")
    open_fit = fits & free
    if double:
        spots = p.pairs[open_fit[p.pairs[:, 0]] & open_fit[p.pairs[:, 1]]] if len(p.pairs) else []
    else:
        spots = np.flatnonzero(open_fit)[:, None]
    if len(spots):
        # Left out with a fitting stall free: placing it would have cost more than it brings.
        crowded = all(
            any(holder_category[t] == p.r_cat[r] for s in spot for t in p.neighbours[s])
            for spot in spots
        )
        return reason("crowding" if crowded else "low_value")
    attributes = {
        "power": p.s_power,
        "water": p.s_water,
        "food": p.s_food,
        "accessible": p.s_access,
    }
    for name, attr, _, _ in NEEDS:
        if getattr(req, attr) and not (attributes[name] & free).any():
            return reason(f"no_{name}_stall_left")
    if double and open_fit.any():
        return reason("no_adjacent_pair_left")
    if any(getattr(req, attr) for _, attr, _, _ in NEEDS):
        return reason("no_fitting_stall_left")
    return reason("queue" if queue else "outranked")
