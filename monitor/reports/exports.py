"""Exports of the outage list and the availability report as CSV, XLSX and PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from monitor.core.access import Actor
from monitor.core.cells import escape_row
from monitor.core.errors import InvalidData
from monitor.core.i18n import fault_labels, format_duration, level_label, t
from monitor.core.localtime import format_local
from monitor.registry.sheets import write_csv, write_xlsx
from monitor.reports.availability import AvailabilityReport
from monitor.reports.charts import bar_chart
from monitor.reports.outages import OutageFilter, OutageRow, list_outages
from monitor.reports.pdf import PdfReport

EXPORT_LIMIT = 10_000
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True, slots=True)
class Export:
    """A finished file: its bytes, media type and a download name."""

    data: bytes
    media_type: str
    filename: str


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise InvalidData(f"format must be one of {', '.join(allowed)}")


def outage_header(lang: str) -> list[str]:
    """Column titles of the outage export."""
    keys = [
        "col.kind",
        "col.camera_code",
        "col.camera_name",
        "col.address",
        "col.commune",
        "col.cluster",
        "col.start",
        "col.end",
        "col.duration",
        "col.faults",
        "col.ticket_state",
    ]
    return [t(key, lang) for key in keys]


def _outage_cells(row: OutageRow, lang: str, *, member: bool) -> list[object]:
    kind = t(f"incident.{row.kind}", lang)
    if member:
        kind = f"  └ {kind}"
    elif row.kind == "group":
        kind = f"{kind} ({len(row.members)})"
    return [
        kind,
        row.camera_code or group_label(row.group_key, row.commune, lang),
        row.camera_name,
        row.address,
        row.commune,
        row.cluster,
        format_local(row.started_at),
        format_local(row.ended_at) if row.ended_at else t("common.ongoing", lang),
        format_duration(row.duration_seconds, lang),
        fault_labels(row.faults, lang),
        t(f"ticket.{row.ticket_state}", lang) if row.ticket_state else t("ticket.none", lang),
    ]


def group_label(key: str, commune: str, lang: str) -> str:
    """What a group shares, readable: the commune's name or the network device."""
    kind, _, value = key.partition(":")
    if kind == "commune":
        return commune or value
    if kind == "upstream":
        return f"{t('incident.upstream', lang)} {value}"
    return key


def outage_rows(rows: list[OutageRow], lang: str) -> list[list[object]]:
    """The export's rows: each outage, a group followed by its member cameras."""
    cells = []
    for row in rows:
        cells.append(_outage_cells(row, lang, member=False))
        cells.extend(_outage_cells(m, lang, member=True) for m in row.members)
    return cells


def export_outages(
    session: Session,
    actor: Actor,
    flt: OutageFilter,
    fmt: str,
    *,
    lang: str = "vi",
    sort: str = "start",
    descending: bool = True,
    now: datetime | None = None,
) -> Export:
    """The filtered outage list as a file, the filters written on the document."""
    _check_format(fmt, ("csv", "xlsx", "pdf"))
    rows, total = list_outages(
        session, actor, flt, sort=sort, descending=descending, limit=EXPORT_LIMIT, now=now
    )
    if total > EXPORT_LIMIT:
        raise InvalidData(f"{total} outages match: narrow the filter to {EXPORT_LIMIT} or fewer")
    header = outage_header(lang)
    cells = outage_rows(rows, lang)
    title = t("outages.title", lang)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M")
    name = f"outages-{stamp}.{fmt}"
    filters = flt.describe(session, lang)
    if fmt == "csv":
        data = write_csv(header, cells)
    elif fmt == "xlsx":
        data = _xlsx_with_filters(header, cells, title, filters, lang)
    else:
        doc = PdfReport(title, lang=lang, filters=filters, generated_at=now)
        doc.table(header, cells, widths=[10, 12, 18, 18, 14, 14, 13, 13, 11, 16, 11], font_size=7)
        data = doc.output()
    return Export(data, MEDIA_TYPES[fmt], name)


def _xlsx_with_filters(
    header: list[str],
    cells: list[list[object]],
    title: str,
    filters: list[tuple[str, str]],
    lang: str,
) -> bytes:
    """XLSX with the data on the first sheet and the filters on a second one."""
    import io

    from openpyxl import load_workbook

    data = write_xlsx(header, cells, title)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.create_sheet(_sheet_title(t("common.filters", lang)))
    sheet.append(escape_row([title]))
    for label, value in filters or [(t("common.filters", lang), t("common.no_filter", lang))]:
        sheet.append(escape_row([label, value]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(text: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join("-" if ch in "[]:*?/\\" else ch for ch in text)[:31]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.2f}%"


def availability_tables(
    report: AvailabilityReport, lang: str
) -> list[tuple[str, list[str], list[list[object]]]]:
    """The report's tables as (title, header, rows), in the order they are shown."""
    area_header = [
        t("col.name", lang),
        t("col.cameras", lang),
        t("col.availability", lang),
        t("col.outages", lang),
        t("col.outage_hours", lang),
    ]
    camera_header = [
        t("col.camera_code", lang),
        t("col.camera_name", lang),
        t("col.commune", lang),
        t("col.cluster", lang),
        t("col.availability", lang),
        t("col.outages", lang),
        t("col.outage_hours", lang),
        t("col.longest_hours", lang),
    ]

    def area_rows(groups):
        return [
            [
                g.name,
                g.cameras,
                _pct(g.availability),
                g.outages,
                round(g.unavailable_seconds / 3600, 2),
            ]
            for g in groups
        ]

    def camera_rows(cameras):
        return [
            [
                c.code,
                c.name,
                c.commune,
                c.cluster,
                _pct(c.availability),
                c.outages,
                round(c.unavailable_seconds / 3600, 2),
                round(c.longest_outage_seconds / 3600, 2),
            ]
            for c in cameras
        ]

    crews = [[c.crew, c.tickets, round(c.mean_repair_seconds / 3600, 2)] for c in report.crews]
    return [
        (t("reports.by_cluster", lang), area_header, area_rows(report.clusters)),
        (t("reports.by_commune", lang), area_header, area_rows(report.communes)),
        (t("col.village", lang), area_header, area_rows(report.villages)),
        (t("reports.worst", lang), camera_header, camera_rows(report.worst)),
        (
            t("reports.by_crew", lang),
            [t("col.crew", lang), t("col.tickets", lang), t("col.mttr_hours", lang)],
            crews,
        ),
        (t("reports.by_camera", lang), camera_header, camera_rows(report.cameras)),
    ]


def availability_chart(report: AvailabilityReport, lang: str) -> str:
    """Bar chart of availability per cluster (per commune when one area is asked, or when the
    province has no clusters)."""
    groups = (
        report.communes
        if report.area or not any(g.name != "—" for g in report.clusters)
        else report.clusters
    )
    items = [(g.name, g.availability * 100) for g in groups if g.availability is not None]
    return bar_chart(items, title=t("col.availability", lang))


def export_availability(
    session: Session, report: AvailabilityReport, fmt: str, *, lang: str = "vi"
) -> Export:
    """The availability report as XLSX (one sheet per table) or PDF (tables and chart)."""
    _check_format(fmt, ("xlsx", "pdf"))
    filters = [(t("reports.period", lang), report.period.label)]
    if report.area:
        from monitor.reports.common import area_by_code

        asked = area_by_code(session, report.area)
        filters.append((level_label(asked.level.value, lang), asked.name))
    tables = availability_tables(report, lang)
    title = f"{t('reports.title', lang)} {report.period.label}"
    name = f"availability-{report.period.label}.{fmt}"
    if fmt == "xlsx":
        import io

        from openpyxl import Workbook

        workbook = Workbook()
        info = workbook.active
        info.title = _sheet_title(t("common.filters", lang))
        info.append(escape_row([title]))
        for label, value in filters:
            info.append(escape_row([label, value]))
        for sheet_title, header, rows in tables:
            sheet = workbook.create_sheet(_sheet_title(sheet_title))
            sheet.append(escape_row(header))
            for row in rows:
                sheet.append(escape_row(row))
        out = io.BytesIO()
        workbook.save(out)
        return Export(out.getvalue(), MEDIA_TYPES[fmt], name)
    doc = PdfReport(title, lang=lang, filters=filters)
    doc.svg(availability_chart(report, lang), width=170)
    for sheet_title, header, rows in tables:
        doc.heading(sheet_title)
        doc.table(header, rows or [[t("common.none", lang)] + [""] * (len(header) - 1)])
    return Export(doc.output(), MEDIA_TYPES[fmt], name)
