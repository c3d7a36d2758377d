"""What an inspection checks, the kinds of violation it can find, and their labels (vi, en)."""

from __future__ import annotations

# The checklist of the plan, in the order an inspector walks a stall.
CHECKLIST: dict[str, tuple[str, str]] = {
    "vn_goods_displayed": (
        "Hàng Việt được trưng bày, ghi nhãn rõ ràng",
        "Vietnamese goods displayed and labelled",
    ),
    "origin_labelled": ("Có nhãn ghi xuất xứ hàng hóa", "Origin labels present"),
    "origin_truthful": ("Nhãn xuất xứ đúng sự thật", "Origin labels truthful"),
    "no_counterfeit": ("Không có hàng giả, hàng nhái", "No counterfeit goods"),
    "no_smuggled_or_unknown_origin": (
        "Không có hàng nhập lậu, hàng không rõ nguồn gốc",
        "No smuggled goods or goods of unknown origin",
    ),
    "no_relabelled_foreign": (
        "Không có hàng ngoại gắn nhãn hàng Việt",
        "No foreign goods relabelled as Vietnamese",
    ),
    "food_safety": ("Bảo đảm an toàn thực phẩm", "Food safety"),
    "prices_shown": ("Niêm yết giá", "Prices shown"),
}

VIOLATION_KINDS: dict[str, tuple[str, str]] = {
    "counterfeit": ("Hàng giả, hàng nhái", "Counterfeit goods"),
    "smuggled": ("Hàng nhập lậu", "Smuggled goods"),
    "unknown_origin": ("Hàng không rõ nguồn gốc", "Goods of unknown origin"),
    "relabelled_foreign": (
        "Hàng ngoại gắn nhãn hàng Việt",
        "Foreign goods relabelled as Vietnamese",
    ),
    "missing_origin_label": ("Thiếu nhãn xuất xứ", "Missing origin label"),
    "false_origin_label": ("Nhãn xuất xứ sai sự thật", "False origin label"),
    "food_safety": ("Vi phạm an toàn thực phẩm", "Food-safety violation"),
    "prices_not_shown": ("Không niêm yết giá", "Prices not shown"),
    "poor_display": ("Trưng bày hàng Việt chưa đạt", "Poor display of Vietnamese goods"),
    "other": ("Vi phạm khác", "Other violation"),
}

# A failed item is explained by a finding of one of these kinds (or by a note on the item).
EXPLAINED_BY: dict[str, frozenset[str]] = {
    "vn_goods_displayed": frozenset({"poor_display"}),
    "origin_labelled": frozenset({"missing_origin_label"}),
    "origin_truthful": frozenset({"false_origin_label", "relabelled_foreign"}),
    "no_counterfeit": frozenset({"counterfeit"}),
    "no_smuggled_or_unknown_origin": frozenset({"smuggled", "unknown_origin"}),
    "no_relabelled_foreign": frozenset({"relabelled_foreign"}),
    "food_safety": frozenset({"food_safety"}),
    "prices_shown": frozenset({"prices_not_shown"}),
}

RESULT_LABELS = {
    "pass": ("Đạt", "Pass"),
    "fail": ("Không đạt", "Fail"),
    "not_applicable": ("Không áp dụng", "Not applicable"),
}
SEVERITY_LABELS = {
    "minor": ("Nhẹ", "Minor"),
    "major": ("Nghiêm trọng", "Major"),
    "critical": ("Rất nghiêm trọng", "Critical"),
}
FOLLOW_UP_LABELS = {
    "none": ("Không", "None"),
    "warning": ("Cảnh cáo", "Warning"),
    "suspension": ("Đình chỉ kinh doanh tại phiên chợ", "Suspension"),
    "referral": ("Chuyển cơ quan quản lý thị trường", "Referral to market management"),
}
PLACE_KIND_LABELS = {
    "fair_stall": ("Gian hàng tại phiên chợ", "Stall at a fair"),
    "shop": ("Cửa hàng", "Shop"),
    "market_stall": ("Sạp chợ", "Market stall"),
    "supermarket": ("Siêu thị", "Supermarket"),
    "agency_purchase": ("Mua sắm của cơ quan", "Purchases of an agency"),
    "school_purchase": ("Mua sắm của trường học", "Purchases of a school"),
}
STATUS_LABELS = {
    "planned": ("Đã lên kế hoạch", "Planned"),
    "in_progress": ("Đang kiểm tra", "In progress"),
    "completed": ("Đã hoàn thành", "Completed"),
    "cancelled": ("Đã hủy", "Cancelled"),
}


def label(labels: dict[str, tuple[str, str]], key: str, language: str) -> str:
    vi, en = labels.get(key, (key, key))
    return en if language == "en" else vi
