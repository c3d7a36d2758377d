"""What a report covers: a period of local dates (Asia/Ho_Chi_Minh, both ends included) and a
scope (the district, one ward, one site or one setting), read from query or command-line text."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.errors import AppError
from core.timezone import LOCAL_TZ

FORMATS = ("pdf", "csv", "xlsx")
# A report over decades would draw hundreds of monthly bars: ten years is plenty for any review.
MAX_DAYS = 3660

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>H[12]|Q[1-4]))?$")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included

    @property
    def start_utc(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), LOCAL_TZ).astimezone(dt.UTC)

    @property
    def end_utc(self) -> dt.datetime:
        """The first moment after the period (exclusive bound)."""
        after = self.end + dt.timedelta(days=1)
        return dt.datetime.combine(after, dt.time(), LOCAL_TZ).astimezone(dt.UTC)

    @property
    def label(self) -> str:
        """2026-H1, 2026-Q3, 2026 for whole half-years, quarters and years; else the dates."""
        year = self.start.year
        if self.end.year == year:
            for name, (first, last) in _PARTS.items():
                if (self.start.month, self.start.day) == first and (
                    self.end.month,
                    self.end.day,
                ) == last:
                    return f"{year}-{name}" if name else str(year)
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def title_vi(self) -> str:
        """The period as the title of an official report says it."""
        label = self.label
        year = self.start.year
        if label == str(year):
            return f"năm {year}"
        if label == f"{year}-H1":
            return f"6 tháng đầu năm {year}"
        if label == f"{year}-H2":
            return f"6 tháng cuối năm {year}"
        if label.startswith(f"{year}-Q"):
            return f"quý {('I', 'II', 'III', 'IV')[int(label[-1]) - 1]} năm {year}"
        return f"từ ngày {vi_date(self.start)} đến ngày {vi_date(self.end)}"

    def months(self) -> list[str]:
        """Every month the period touches, as YYYY-MM."""
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


_PARTS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "": ((1, 1), (12, 31)),
    "H1": ((1, 1), (6, 30)),
    "H2": ((7, 1), (12, 31)),
    "Q1": ((1, 1), (3, 31)),
    "Q2": ((4, 1), (6, 30)),
    "Q3": ((7, 1), (9, 30)),
    "Q4": ((10, 1), (12, 31)),
}


def vi_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _bad(vi: str, en: str, field: str) -> AppError:
    return AppError(400, vi, en, extra={"field": field})


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _bad(
            f"Ngày “{text}” không hợp lệ: hãy viết theo dạng NNNN-TT-NN, ví dụ 2026-01-01.",
            f"The date “{text}” is not valid: write it as YYYY-MM-DD, e.g. 2026-01-01.",
            field,
        ) from None


def parse_period(start: str | None, end: str | None, period: str | None) -> Period:
    """`period` (2026, 2026-H1, 2026-Q2) or both `from` and `to`."""
    if period:
        if start or end:
            raise _bad(
                "Chỉ dùng hoặc “period”, hoặc “from” và “to”, không dùng cả hai.",
                "Give either “period” or “from” and “to”, not both.",
                "period",
            )
        match = _PERIOD.match(period.strip().upper())
        if not match:
            raise _bad(
                f"Kỳ báo cáo “{period}” không hợp lệ: dùng ví dụ 2026, 2026-H1, 2026-H2, 2026-Q3.",
                f"The period “{period}” is not valid: use e.g. 2026, 2026-H1, 2026-H2, 2026-Q3.",
                "period",
            )
        year = int(match["year"])
        (m1, d1), (m2, d2) = _PARTS[match["part"] or ""]
        if not 1 <= year <= 9998:
            raise _bad("Năm không hợp lệ.", "The year is not valid.", "period")
        return Period(dt.date(year, m1, d1), dt.date(year, m2, d2))
    if not start or not end:
        raise _bad(
            "Cần kỳ báo cáo: “from” và “to” (NNNN-TT-NN), hoặc “period” (ví dụ 2026-H1).",
            "A period is needed: “from” and “to” (YYYY-MM-DD), or “period” (e.g. 2026-H1).",
            "from" if not start else "to",
        )
    first, last = _date(start, "from"), _date(end, "to")
    if first > last:
        raise _bad(
            f"Ngày bắt đầu ({vi_date(first)}) sau ngày kết thúc ({vi_date(last)}).",
            f"The start date ({first.isoformat()}) is after the end date ({last.isoformat()}).",
            "from",
        )
    if (last - first).days >= MAX_DAYS:
        raise _bad(
            "Kỳ báo cáo dài nhất là 10 năm.",
            "A report covers at most ten years.",
            "to",
        )
    if first.year < 2 or last.year > 9998:
        raise _bad("Năm không hợp lệ.", "The year is not valid.", "from")
    return Period(first, last)


def parse_format(value: str | None) -> str:
    fmt = (value or "pdf").strip().lower()
    if fmt not in FORMATS:
        raise _bad(
            f"Định dạng “{value}” không được hỗ trợ: chọn pdf, csv hoặc xlsx.",
            f"The format “{value}” is not supported: choose pdf, csv or xlsx.",
            "format",
        )
    return fmt


MEDIA_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
