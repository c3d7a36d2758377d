"""A report laid out as the committee reads it: numbered sections, each with its figures (label,
value) and tables. PDF, CSV and the workbook all render this one layout, so they agree."""

from __future__ import annotations

from dataclasses import dataclass, field

from events.tables import ApplicationStatus
from inspections.checklist import (
    FOLLOW_UP_LABELS,
    PLACE_KIND_LABELS,
    SEVERITY_LABELS,
    VIOLATION_KINDS,
)
from reports.schemas import FairCounts, Report

Number = int | float

APPLICATION_LABELS = {
    ApplicationStatus.SUBMITTED.value: "Chờ xét duyệt",
    ApplicationStatus.APPROVED.value: "Được duyệt",
    ApplicationStatus.WAITLISTED.value: "Danh sách chờ",
    ApplicationStatus.REJECTED.value: "Không được duyệt",
    ApplicationStatus.WITHDRAWN.value: "Doanh nghiệp rút đơn",
}
INSPECTION_KIND_LABELS = {"planned": "Kiểm tra định kỳ", "surprise": "Kiểm tra đột xuất"}


@dataclass
class Figure:
    label: str
    value: Number
    unit: str = ""  # "%" for shares


@dataclass
class TableBlock:
    title: str
    columns: list[str]
    rows: list[list[str | Number]]


@dataclass
class Section:
    number: str  # I, II, …
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"


FAIR_COLUMNS = [
    "Đã tổ chức",
    "Đã hủy",
    "Gian hàng",
    "Gian có DN",
    "Lượt DN có mặt",
    "Vắng mặt",
]


def _fair_row(line: FairCounts) -> list[str | Number]:
    return [
        line.name,
        line.held,
        line.cancelled,
        line.stalls_offered,
        line.stalls_filled,
        line.arrivals,
        line.no_shows,
    ]


def _counts(title: str, head: str, counts: dict[str, int], labels: dict[str, str]) -> TableBlock:
    keys = [k for k in labels if counts.get(k)] + sorted(k for k in counts if k not in labels)
    return TableBlock(
        title, [head, "Số lượng"], [[labels.get(k, k), counts[k]] for k in keys if counts[k]]
    )


def _vi(labels: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {key: pair[0] for key, pair in labels.items()}


def sections(report: Report) -> list[Section]:
    fairs, businesses, inspections = report.fairs, report.businesses, report.inspections
    fair_tables = [
        TableBlock("Theo tháng", ["Tháng", *FAIR_COLUMNS], [_fair_row(m) for m in report.by_month]),
        TableBlock(
            "Theo đơn vị tổ chức",
            ["Đơn vị tổ chức", *FAIR_COLUMNS],
            [_fair_row(b) for b in report.by_body],
        ),
        TableBlock(
            "Theo phường", ["Phường", *FAIR_COLUMNS], [_fair_row(w) for w in report.by_ward]
        ),
        TableBlock(
            "Theo địa điểm", ["Địa điểm", *FAIR_COLUMNS], [_fair_row(s) for s in report.by_site]
        ),
        TableBlock(
            "Theo khu vực", ["Khu vực", *FAIR_COLUMNS], [_fair_row(s) for s in report.by_setting]
        ),
    ]
    for table in fair_tables:
        if table.title == "Theo tháng":
            for row in table.rows:
                year, month = str(row[0]).split("-")
                row[0] = f"{month}/{year}"
    return [
        Section(
            "I",
            "PHIÊN CHỢ HÀNG VIỆT",
            [
                Figure("Số phiên chợ đã tổ chức", fairs.held),
                Figure("Số phiên chợ bị hủy", fairs.cancelled),
                Figure("Số phiên chợ đã lên lịch, chưa tổ chức", fairs.planned),
            ],
            fair_tables,
        ),
        Section(
            "II",
            "DOANH NGHIỆP THAM GIA",
            [
                Figure("Doanh nghiệp đăng ký mới", businesses.registered),
                Figure("Doanh nghiệp được xác minh", businesses.verified),
                Figure("Doanh nghiệp bị đình chỉ", businesses.suspended),
                Figure("Doanh nghiệp có gian hàng tại phiên chợ", businesses.taking_part),
                Figure("Doanh nghiệp có sản phẩm đạt HVNCL", businesses.hvncl),
                Figure("Tỷ lệ doanh nghiệp có sản phẩm HVNCL", businesses.hvncl_share, "%"),
            ],
        ),
        Section(
            "III",
            "ĐĂNG KÝ GIAN HÀNG",
            [
                Figure("Tổng số đơn đăng ký", report.applications_total),
                *[
                    Figure(f"Đơn {label.lower()}", report.applications.get(status, 0))
                    for status, label in APPLICATION_LABELS.items()
                ],
            ],
        ),
        Section(
            "IV",
            "GIAN HÀNG VÀ ĐIỂM DANH",
            [
                Figure("Số gian hàng bố trí", fairs.stalls_offered),
                Figure("Số gian hàng có doanh nghiệp", fairs.stalls_filled),
                Figure("Tỷ lệ lấp đầy gian hàng", fairs.fill_rate, "%"),
                Figure("Số thẻ gian hàng đã cấp", fairs.passes),
                Figure("Lượt doanh nghiệp có mặt", fairs.arrivals),
                Figure("Lượt doanh nghiệp vắng mặt", fairs.no_shows),
                Figure("Tỷ lệ có mặt", fairs.arrival_rate, "%"),
            ],
        ),
        Section(
            "V",
            "NGÀNH HÀNG",
            [Figure("Số ngành hàng có mặt tại phiên chợ", len(report.categories))],
            [
                TableBlock(
                    "Ngành hàng tại các phiên chợ đã tổ chức",
                    ["Ngành hàng", "Doanh nghiệp", "Sản phẩm"],
                    [[c.name, c.businesses, c.products] for c in report.categories],
                )
            ],
        ),
        Section(
            "VI",
            "KIỂM TRA VÀ XỬ LÝ VI PHẠM",
            [
                Figure("Số cuộc kiểm tra đã hoàn thành", inspections.completed),
                Figure("Số vi phạm phát hiện", inspections.findings),
                Figure("Số trường hợp cảnh cáo", inspections.follow_ups.get("warning", 0)),
                Figure("Số trường hợp đình chỉ", inspections.follow_ups.get("suspension", 0)),
                Figure(
                    "Số trường hợp chuyển cơ quan chức năng",
                    inspections.follow_ups.get("referral", 0),
                ),
                Figure("Số trường hợp được gỡ đình chỉ", inspections.lifted),
            ],
            [
                _counts(
                    "Cuộc kiểm tra theo hình thức",
                    "Hình thức",
                    inspections.by_kind,
                    INSPECTION_KIND_LABELS,
                ),
                _counts(
                    "Cuộc kiểm tra theo nơi kiểm tra",
                    "Nơi kiểm tra",
                    inspections.by_place,
                    _vi(PLACE_KIND_LABELS),
                ),
                _counts(
                    "Vi phạm theo loại",
                    "Loại vi phạm",
                    inspections.by_violation,
                    _vi(VIOLATION_KINDS),
                ),
                _counts(
                    "Vi phạm theo mức độ",
                    "Mức độ",
                    inspections.by_severity,
                    _vi(SEVERITY_LABELS),
                ),
                _counts(
                    "Hình thức xử lý",
                    "Hình thức xử lý",
                    inspections.follow_ups,
                    _vi(FOLLOW_UP_LABELS),
                ),
            ],
        ),
        Section(
            "VII",
            "ĐỀ NGHỊ KHEN THƯỞNG",
            [
                Figure("Doanh nghiệp đề nghị khen thưởng", len(report.commended_businesses)),
                Figure("Phường đề nghị khen thưởng", len(report.commended_wards)),
            ],
            [
                TableBlock(
                    "Doanh nghiệp tham gia nhiều phiên chợ, không vi phạm",
                    ["Doanh nghiệp", "Phường", "Số phiên có mặt"],
                    [[b.name, b.ward, b.fairs] for b in report.commended_businesses],
                ),
                TableBlock(
                    "Phường tổ chức phiên chợ, không có vi phạm",
                    ["Phường", "Phiên đã tổ chức", "Lượt DN có mặt"],
                    [[w.name, w.held, w.arrivals] for w in report.commended_wards],
                ),
            ],
        ),
    ]
