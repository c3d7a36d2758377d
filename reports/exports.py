"""The report as CSV (UTF-8 with a byte-order mark, so Excel shows Vietnamese letters) and as
an Excel workbook with one sheet per section, numbers stored as numbers."""

from __future__ import annotations

import csv
import io

from core.spreadsheet import append_row, safe_row
from reports.layout import Section, sections
from reports.period import vi_date
from reports.schemas import Report

TITLE = "BÁO CÁO KẾT QUẢ TỔ CHỨC PHIÊN CHỢ HÀNG VIỆT"


def heading_lines(report: Report) -> list[str]:
    period = report.period
    return [
        TITLE,
        f"Kỳ báo cáo: {period.title_vi} (từ {vi_date(period.start)} đến {vi_date(period.end)})",
        f"Phạm vi: {report.scope.title_vi}",
    ]


def to_csv(report: Report) -> bytes:
    """One row per figure (section, figure, value, unit), then each table under its section."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def write(row: list) -> None:
        writer.writerow(safe_row(row))

    for line in heading_lines(report):
        write([line])
    write([])
    write(["Mục", "Chỉ tiêu", "Giá trị", "Đơn vị"])
    parts = sections(report)
    for section in parts:
        for figure in section.figures:
            write([section.heading, figure.label, figure.value, figure.unit])
    for section in parts:
        for table in section.tables:
            write([])
            write([section.heading, table.title])
            write(table.columns)
            for row in table.rows:
                write(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_name(section: Section) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    name = f"{section.number}. {section.title.capitalize()}"
    return "".join(c for c in name if c not in "[]:*?/\\")[:31]


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook  # heavy: loaded by the first workbook asked for
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)
    first = True
    for section in sections(report):
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = _sheet_name(section)
        for line in heading_lines(report):
            append_row(sheet, [line])
        sheet["A1"].font = Font(bold=True, size=13)
        append_row(sheet, [])
        append_row(sheet, [section.heading])
        sheet.cell(sheet.max_row, 1).font = bold
        if section.figures:
            append_row(sheet, ["Chỉ tiêu", "Giá trị", "Đơn vị"])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for figure in section.figures:
                append_row(sheet, [figure.label, figure.value, figure.unit])
        for table in section.tables:
            append_row(sheet, [])
            append_row(sheet, [table.title])
            sheet.cell(sheet.max_row, 1).font = bold
            append_row(sheet, table.columns)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in table.rows:
                append_row(sheet, row)
        widths: dict[int, int] = {}
        for row in sheet.iter_rows(min_row=5):
            for cell in row:
                if cell.value is not None:
                    widths[cell.column] = max(widths.get(cell.column, 0), len(str(cell.value)))
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
