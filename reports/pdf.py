"""The report as the committee's official document (A4): the two-column header of an
administrative report, the title with its period, numbered sections with their figures and
tables, charts drawn with reportlab's own graphics, the recipients and the signature block."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.pdf import nfc, register_fonts
from core.timezone import local
from core.units import ward_title
from reports.layout import Figure, Section, TableBlock, sections
from reports.period import vi_date
from reports.schemas import Report

PALETTE = [
    colors.HexColor(c)
    for c in ("#c0392b", "#2471a3", "#d4ac0d", "#229954", "#7d3c98", "#ca6f1e", "#566573")
]
WIDTH = A4[0] - 50 * mm  # 30 mm left margin, 20 mm right, as administrative documents use

CITY = "Thành phố Hồ Chí Minh"
COMMITTEE = "BAN CHỈ ĐẠO CUỘC VẬN ĐỘNG<br/>“NGƯỜI VIỆT NAM ƯU TIÊN<br/>DÙNG HÀNG VIỆT NAM”"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def vi_number(value: float, unit: str = "") -> str:
    """1.234 and 62,5%: Vietnamese separators."""
    if unit == "%":
        return f"{value:.1f}".replace(".", ",") + "%"
    return f"{int(value):,}".replace(",", ".")


def author(report: Report) -> str:
    """Who sends the report: a ward's body reports on its own fairs to the city's committee;
    the city's committee sends the roll-up (and any other scope)."""
    if report.scope.kind == "organizer":
        return report.scope.name
    return f"Ban Chỉ đạo Cuộc vận động {CITY}"


def recipients(report: Report) -> list[str]:
    if report.scope.kind == "organizer":
        ward = report.scope.name.removeprefix("Ủy ban nhân dân ")
        return [
            f"Ban Chỉ đạo Cuộc vận động {CITY} (qua Tổ giúp việc);",
            f"Ủy ban Mặt trận Tổ quốc Việt Nam {ward};",
            "Lưu: VT.",
        ]
    committees = (
        f"Ủy ban nhân dân {ward_title(report.scope.name)}"
        if report.scope.kind == "ward"
        else "Ủy ban nhân dân các phường, xã, đặc khu"
    )
    return [
        f"Ban Chỉ đạo Cuộc vận động {CITY} (qua Tổ giúp việc);",
        f"Ủy ban Mặt trận Tổ quốc Việt Nam {CITY};",
        f"{committees};",
        "Các thành viên và Tổ thư ký Ban Chỉ đạo;",
        "Lưu: VT.",
    ]


class _Styles:
    def __init__(self) -> None:
        regular, bold = register_fonts()
        # <b> inside a paragraph looks up the bold face of the family.
        registerFontFamily(regular, normal=regular, bold=bold, italic=regular, boldItalic=bold)
        base = ParagraphStyle("base", fontName=regular, fontSize=11, leading=15)
        self.body = ParagraphStyle("body", base, alignment=TA_JUSTIFY)
        self.center = ParagraphStyle("center", base, alignment=TA_CENTER, fontSize=10, leading=13)
        self.center_bold = ParagraphStyle("center_bold", self.center, fontName=bold)
        self.title = ParagraphStyle(
            "title", base, fontName=bold, fontSize=15, leading=20, alignment=TA_CENTER
        )
        self.subtitle = ParagraphStyle(
            "subtitle", base, fontName=bold, fontSize=12, leading=16, alignment=TA_CENTER
        )
        self.heading = ParagraphStyle(
            "heading", base, fontName=bold, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4
        )
        self.caption = ParagraphStyle("caption", base, fontName=bold, fontSize=10, spaceBefore=6)
        self.cell = ParagraphStyle("cell", base, fontSize=9, leading=11)
        self.small = ParagraphStyle("small", base, fontSize=9, leading=12)
        self.small_bold = ParagraphStyle("small_bold", self.small, fontName=bold)
        self.regular, self.bold = regular, bold


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(nfc(text), style)


def _header(report: Report, st: _Styles) -> list:
    made = local(report.generated_at)
    place_date = f"{CITY}, ngày {made.day:02d} tháng {made.month:02d} năm {made.year}"
    # The People's Committee over the reporting body, on two lines as documents set it.
    unit = (
        report.scope.name.removeprefix("Ủy ban nhân dân ")
        if report.scope.kind == "organizer"
        else CITY
    )
    over = f"ỦY BAN NHÂN DÂN<br/>{unit.upper()}"
    left = [
        _p(over, st.center),
        _p(f"<b>{COMMITTEE}</b>", st.center),
        _p("Số:      /BC-BCĐ", st.center),
    ]
    right = [
        _p(f"<b>{NATION}</b>", st.center),
        _p(f"<b><u>{MOTTO}</u></b>", st.center),
        Spacer(1, 10),
        _p(place_date, st.center),
    ]
    table = Table([[left, right]], colWidths=[WIDTH * 0.45, WIDTH * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    period = report.period
    # Only the first word goes lower case: a ward's or a site's name keeps its capitals.
    scope = report.scope.title_vi[:1].lower() + report.scope.title_vi[1:]
    return [
        table,
        Spacer(1, 8 * mm),
        _p("BÁO CÁO", st.title),
        _p(f"Kết quả tổ chức Phiên chợ hàng Việt {period.title_vi}", st.subtitle),
        _p(
            f"(Từ ngày {vi_date(period.start)} đến ngày {vi_date(period.end)}; phạm vi: {scope})",
            st.center,
        ),
        Spacer(1, 6 * mm),
        _p(
            "Thực hiện Cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam”, "
            f"{author(report)} báo cáo kết quả tổ chức các Phiên chợ hàng Việt trong kỳ như sau:",
            st.body,
        ),
    ]


def _grid(rows: list[list], widths: Sequence[float], st: _Styles, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), st.regular),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ]
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), st.bold),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ]
    table.setStyle(TableStyle(style))
    return table


def _figures(figures: list[Figure], st: _Styles) -> Table:
    rows = [[_p(f.label, st.cell), vi_number(f.value, f.unit)] for f in figures]
    return _grid(rows, [WIDTH * 0.75, WIDTH * 0.25], st, header=False)


def _table(block: TableBlock, st: _Styles) -> list:
    if not block.rows:
        return [_p(block.title, st.caption), _p("Không có số liệu trong kỳ.", st.small)]
    first = WIDTH * (0.34 if len(block.columns) > 3 else 0.6)
    others = (WIDTH - first) / (len(block.columns) - 1)
    rows: list[list] = [[_p(f"<b>{c}</b>", st.cell) for c in block.columns]]
    for row in block.rows:
        rows.append([_cell(value, st) for value in row])
    return [_p(block.title, st.caption), _grid(rows, [first, *[others] * (len(rows[0]) - 1)], st)]


def _cell(value: object, st: _Styles) -> object:
    if isinstance(value, str):
        return _p(value, st.cell)
    return vi_number(value)  # type: ignore[arg-type]


def _legend(drawing: Drawing, names: list[str], x: float, y: float, st: _Styles) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = st.regular, 8
    legend.alignment = "right"
    legend.columnMaximum = 8
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], nfc(n)) for i, n in enumerate(names)]
    drawing.add(legend)


def _bars(
    title: str, categories: list[str], series: list[tuple[str, list[int]]], st: _Styles
) -> Drawing:
    drawing = Drawing(WIDTH, 190)
    drawing.add(String(0, 178, nfc(title), fontName=st.bold, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 30, WIDTH - 170, 135
    chart.data = [values for _, values in series]
    chart.categoryAxis.categoryNames = categories
    chart.categoryAxis.labels.fontName = st.regular
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = st.regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max([max(v, default=0) for _, v in series] + [1])
    chart.valueAxis.valueMax = top + max(1, top // 5)
    chart.valueAxis.valueStep = max(1, -(-chart.valueAxis.valueMax // 5))
    for index in range(len(series)):
        chart.bars[index].fillColor = PALETTE[index]
    drawing.add(chart)
    _legend(drawing, [name for name, _ in series], chart.x + chart.width + 15, 150, st)
    return drawing


def _horizontal(title: str, items: list[tuple[str, int]], st: _Styles) -> Drawing:
    height = 40 + 18 * len(items)
    drawing = Drawing(WIDTH, height + 20)
    drawing.add(String(0, height + 8, nfc(title), fontName=st.bold, fontSize=10))
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 170, 20, WIDTH - 200, height - 30
    chart.data = [[value for _, value in reversed(items)]]
    chart.categoryAxis.categoryNames = [nfc(name)[:30] for name, _ in reversed(items)]
    chart.categoryAxis.labels.fontName = st.regular
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = st.regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, -(-max(v for _, v in items) // 5))
    chart.bars[0].fillColor = PALETTE[1]
    drawing.add(chart)
    return drawing


def _pie(title: str, items: list[tuple[str, int]], st: _Styles) -> Drawing:
    drawing = Drawing(WIDTH, 180)
    drawing.add(String(0, 168, nfc(title), fontName=st.bold, fontSize=10))
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 10, 140, 140
    pie.data = [value for _, value in items]
    pie.labels = [vi_number(value) for _, value in items]
    pie.slices.fontName = st.regular
    pie.slices.fontSize = 8
    for index in range(len(items)):
        pie.slices[index].fillColor = PALETTE[index % len(PALETTE)]
    drawing.add(pie)
    _legend(drawing, [f"{n} ({vi_number(v)})" for n, v in items], 200, 150, st)
    return drawing


def _charts(section: Section, report: Report, st: _Styles) -> list:
    months = [f"{m.name[5:]}/{m.name[2:4]}" for m in report.by_month]
    if section.number == "I":
        return [
            _bars(
                "Biểu đồ 1. Số phiên chợ theo tháng",
                months,
                [
                    ("Đã tổ chức", [m.held for m in report.by_month]),
                    ("Đã hủy", [m.cancelled for m in report.by_month]),
                ],
                st,
            )
        ]
    if section.number == "IV":
        return [
            _bars(
                "Biểu đồ 2. Lượt doanh nghiệp có mặt và vắng mặt theo tháng",
                months,
                [
                    ("Có mặt", [m.arrivals for m in report.by_month]),
                    ("Vắng mặt", [m.no_shows for m in report.by_month]),
                ],
                st,
            )
        ]
    if section.number == "V" and report.categories:
        items = [(c.name, c.businesses) for c in report.categories]
        return [_horizontal("Biểu đồ 3. Số doanh nghiệp theo ngành hàng", items, st)]
    if section.number == "VI":
        table = next(t for t in section.tables if t.title == "Vi phạm theo loại")
        if table.rows:
            items = [(str(r[0]), int(r[1])) for r in table.rows]
            return [_pie("Biểu đồ 4. Vi phạm theo loại", items, st)]
    return []


def _closing(report: Report, st: _Styles) -> Table:
    to = [_p("<b>Nơi nhận:</b>", st.small_bold)]
    to += [_p(f"- {line}", st.small) for line in recipients(report)]
    sign = [
        _p("<b>T/M BAN CHỈ ĐẠO</b>", st.center),
        _p("<b>TRƯỞNG BAN</b>", st.center),
        Spacer(1, 22 * mm),
        _p("(Ký, ghi rõ họ tên, đóng dấu)", st.center),
    ]
    table = Table([[to, sign]], colWidths=[WIDTH * 0.55, WIDTH * 0.45])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _page_number(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(register_fonts()[0], 9)
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {doc.page} -")
    canvas.restoreState()


def render_pdf(report: Report) -> bytes:
    st = _Styles()
    story: list = _header(report, st)
    for section in sections(report):
        story.append(_p(section.heading, st.heading))
        story.append(_figures(section.figures, st))
        for block in section.tables:
            story.extend(_table(block, st))
        for chart in _charts(section, report, st):
            story.append(Spacer(1, 4 * mm))
            story.append(KeepTogether([chart]))
    story.append(Spacer(1, 10 * mm))
    story.append(KeepTogether([_closing(report, st)]))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=30 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=nfc(f"Báo cáo Phiên chợ hàng Việt {report.period.title_vi}"),
        author=nfc(author(report)),
    )
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()
