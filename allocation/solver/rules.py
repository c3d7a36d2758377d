"""The hard rules: no method may return an allocation that breaks one, and pins that break one
are refused before any method runs."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from allocation.solver.model import Pin, PinError, Request, Stall, Violation, Weights


def _violation(rule: str, vi: str, en: str, apps=(), codes=()) -> Violation:
    return Violation(rule, vi, en, tuple(apps), tuple(codes))


def joined(a: Stall, b: Stall) -> bool:
    """Two stalls form a double when either side lists the other as joinable."""
    return b.code in a.joinable or a.code in b.joinable


def check_hard_rules(
    assignments: Mapping[int, Sequence[str]],
    stalls: Sequence[Stall],
    requests: Sequence[Request],
    pins: Sequence[Pin] = (),
    weights: Weights | None = None,
) -> list[Violation]:
    """Every broken hard rule of `assignments` (application id -> stall codes); empty when all
    hold. The category cap needs the weights; the defaults apply when none are given."""
    weights = weights or Weights()
    by_code = {s.code: s for s in stalls}
    by_app = {r.application_id: r for r in requests}
    found: list[Violation] = []
    holders: dict[str, list[int]] = {}
    per_category: Counter[str] = Counter()

    for app, codes in assignments.items():
        if not codes:
            continue
        request = by_app.get(app)
        if request is None:
            found.append(
                _violation(
                    "unknown_application",
                    f"Không có hồ sơ số {app}.",
                    f"No application {app}.",
                    [app],
                )
            )
            continue
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            found.append(
                _violation(
                    "unknown_stall",
                    f"Sơ đồ không có gian {', '.join(unknown)}.",
                    f"The map has no stall {', '.join(unknown)}.",
                    [app],
                    unknown,
                )
            )
            continue
        got = len(set(codes))
        if got != len(codes) or got != request.stalls:
            found.append(
                _violation(
                    "stall_count",
                    f"Hồ sơ {app} cần {request.stalls} gian nhưng được {got}.",
                    f"Application {app} asked for {request.stalls} stalls and got {got}.",
                    [app],
                    codes,
                )
            )
        for code in set(codes):
            holders.setdefault(code, []).append(app)
        per_category[request.category] += len(set(codes))
        held = [by_code[c] for c in dict.fromkeys(codes)]
        if len(held) == 2 and not joined(*held):
            found.append(
                _violation(
                    "not_joinable",
                    f"Gian {held[0].code} và {held[1].code} không ghép đôi được.",
                    f"Stalls {held[0].code} and {held[1].code} cannot be joined.",
                    [app],
                    codes,
                )
            )
        needs = (
            (
                request.food,
                "food_allowed",
                "food_not_allowed",
                "không được bán thực phẩm",
                "does not allow food",
            ),
            (request.needs_power, "power", "no_power", "không có điện", "has no power"),
            (request.needs_water, "water", "no_water", "không có nước", "has no water"),
            (
                request.needs_accessible,
                "accessible",
                "not_accessible",
                "không có lối đi cho người khuyết tật",
                "is not accessible",
            ),
        )
        for needed, attribute, rule, vi, en in needs:
            for stall in held:
                if needed and not getattr(stall, attribute):
                    found.append(
                        _violation(
                            rule,
                            f"Gian {stall.code} {vi} (hồ sơ {app}).",
                            f"Stall {stall.code} {en} (application {app}).",
                            [app],
                            [stall.code],
                        )
                    )

    for code, apps in sorted(holders.items()):
        if len(apps) > 1:
            found.append(
                _violation(
                    "stall_shared",
                    f"Gian {code} được phân cho nhiều doanh nghiệp.",
                    f"Stall {code} is given to more than one business.",
                    apps,
                    [code],
                )
            )

    for pin in pins:
        got = tuple(assignments.get(pin.application_id, ()))
        if sorted(got) != sorted(pin.stall_codes):
            found.append(
                _violation(
                    "pin_moved",
                    f"Hồ sơ {pin.application_id} phải giữ gian {', '.join(pin.stall_codes)}.",
                    f"Application {pin.application_id} must keep {', '.join(pin.stall_codes)}.",
                    [pin.application_id],
                    pin.stall_codes,
                )
            )

    cap = category_cap(len(stalls), weights)
    for category, count in sorted(per_category.items()):
        if count > cap:
            found.append(
                _violation(
                    "category_cap",
                    f"Ngành hàng {category} có {count} gian, vượt mức tối đa {cap}.",
                    f"Category {category} holds {count} stalls, above its cap of {cap}.",
                )
            )
    return found


def category_cap(n_stalls: int, weights: Weights) -> int:
    return max(1, math.floor(weights.category_cap * n_stalls + 1e-9))


def validate_pins(
    stalls: Sequence[Stall], requests: Sequence[Request], pins: Sequence[Pin], weights: Weights
) -> dict[int, tuple[str, ...]]:
    """The pins as assignments; raises PinError when they alone already break a hard rule."""
    pinned: dict[int, tuple[str, ...]] = {}
    found: list[Violation] = []
    for pin in pins:
        if pin.application_id in pinned:
            found.append(
                _violation(
                    "pin_twice",
                    f"Hồ sơ {pin.application_id} bị ghim hai lần.",
                    f"Application {pin.application_id} is pinned twice.",
                    [pin.application_id],
                )
            )
        pinned[pin.application_id] = tuple(pin.stall_codes)
    found += check_hard_rules(pinned, stalls, requests, (), weights)
    if found:
        raise PinError(found)
    return pinned
