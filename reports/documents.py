"""One report in the format asked for, with the file name the offices file it under."""

from __future__ import annotations

from importlib import import_module

from anyio import to_thread

from reports.figures import build_report
from reports.period import Period
from reports.scope import Scope

# Module and function of each format, loaded when first asked for: the workbook and chart
# libraries are heavy, and most workers never write a report.
RENDERERS = {
    "pdf": ("reports.pdf", "render_pdf"),
    "csv": ("reports.exports", "to_csv"),
    "xlsx": ("reports.exports", "to_xlsx"),
}


def filename(period: Period, scope: Scope, fmt: str) -> str:
    return f"bao-cao-{period.label}{scope.file_suffix}.{fmt}"


async def render_report(period: Period, scope: Scope, fmt: str) -> tuple[bytes, str]:
    report = await build_report(period, scope)
    module, function = RENDERERS[fmt]
    render = getattr(import_module(module), function)
    # Laying out a PDF or a workbook takes CPU seconds: in a thread, so the worker serves others.
    return await to_thread.run_sync(render, report), filename(period, scope, fmt)


async def write_report(
    *,
    start: str | None,
    end: str | None,
    period: str | None,
    fmt: str | None,
    ward: str | None,
    site: str | None,
    setting: str | None,
    out: str | None,
) -> str:
    """The command line's report: written to `out`, or under its own name in this folder."""
    from pathlib import Path

    from reports.period import parse_format, parse_period
    from reports.scope import resolve_scope

    chosen = parse_format(fmt)
    span = parse_period(start, end, period)
    scope = await resolve_scope(ward, site, setting)
    body, name = await render_report(span, scope, chosen)
    target = Path(out) if out else Path(name)
    target.write_bytes(body)
    return str(target)
