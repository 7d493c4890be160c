"""The movement-models report as XLSX (one sheet per section) and PDF (Unicode font)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from monitor.core.cells import escape_row
from monitor.core.i18n import fault_label, format_duration, t
from monitor.movement.labels import label
from monitor.movement.report import MovementReport
from monitor.reports.exports import MEDIA_TYPES, Export
from monitor.reports.pdf import PdfReport


@dataclass(frozen=True, slots=True)
class Section:
    """One table of the report: a title, its header and rows, and relative column widths."""

    key: str
    title: str
    header: list[str]
    rows: list[list[object]]
    widths: Sequence[float] | None = None


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f} %"


def sections(report: MovementReport, lang: str) -> list[Section]:
    """The report's tables, in the order the documents show them."""
    statuses = list(report.by_type_status[0].counts) if report.by_type_status else []
    return [
        Section(
            "by_type_status",
            t("mm.sec.by_type_status", lang),
            [
                t("mm.type", lang),
                *(label("status", s, lang) for s in statuses),
                t("mm.total", lang),
            ],
            [
                [r.type_name, *(r.counts[s] for s in statuses), r.total]
                for r in report.by_type_status
            ],
            [60, *([14] * len(statuses)), 12],
        ),
        Section(
            "targets",
            t("mm.sec.targets", lang),
            [
                t("mm.type", lang),
                t("mm.indicator", lang),
                t("mm.year", lang),
                t("mm.instances", lang),
                t("mm.target", lang),
                t("mm.achieved", lang),
                t("mm.percent", lang),
            ],
            [
                [
                    r.type_name,
                    r.indicator,
                    r.year,
                    r.instances,
                    r.target,
                    r.achieved,
                    "" if r.percent is None else r.percent,
                ]
                for r in report.targets
            ],
            [50, 50, 10, 12, 14, 14, 12],
        ),
        Section(
            "budgets",
            t("mm.sec.budgets", lang),
            [t("mm.type", lang), t("mm.year", lang), t("mm.budget", lang)],
            [[r.type_name, r.year, r.amount_vnd] for r in report.budgets],
            [80, 15, 30],
        ),
        Section(
            "dossiers",
            t("mm.sec.dossiers", lang),
            [
                t("mm.code", lang),
                t("mm.name", lang),
                t("mm.area", lang),
                t("mm.completeness", lang),
                t("mm.missing", lang),
            ],
            [
                [r.code, r.name, r.area, f"{r.completeness:.0f} %", "; ".join(r.missing)]
                for r in report.incomplete_dossiers
            ],
            [22, 55, 35, 18, 70],
        ),
        Section(
            "overdue",
            t("mm.sec.overdue", lang),
            [
                t("mm.code", lang),
                t("mm.name", lang),
                t("mm.area", lang),
                t("mm.status", lang),
                t("mm.last_review", lang),
                t("mm.due_on", lang),
            ],
            [
                [
                    r.code,
                    r.name,
                    r.area,
                    label("status", r.status, lang),
                    r.last_reviewed_on.isoformat() if r.last_reviewed_on else t("mm.never", lang),
                    r.due_on.isoformat(),
                ]
                for r in report.overdue
            ],
            [22, 60, 35, 25, 25, 22],
        ),
        Section(
            "camera_health",
            t("mm.sec.camera_health", lang),
            [
                t("mm.code", lang),
                t("mm.name", lang),
                t("mm.area", lang),
                t("mm.status", lang),
                t("mm.cameras", lang),
                t("mm.availability", lang),
                t("mm.incidents", lang),
                t("mm.downtime", lang),
                t("mm.faults", lang),
            ],
            [
                [
                    r.code,
                    r.name,
                    r.area,
                    label("status", r.status, lang),
                    r.cameras,
                    _percent(r.availability),
                    r.incidents,
                    format_duration(r.downtime_seconds, lang),
                    ", ".join(f"{fault_label(k, lang)} ×{n}" for k, n in r.faults.items()),
                ]
                for r in report.camera_models
            ],
            [20, 45, 30, 22, 12, 18, 12, 20, 40],
        ),
    ]


def filters(report: MovementReport, lang: str) -> list[tuple[str, str]]:
    """What the report was made for, written at the top of each document."""
    area = report.area_name or t("mm.province", lang)
    return [
        (t("mm.area", lang), area),
        (t("mm.year", lang), str(report.year)),
        (t("mm.as_of", lang), report.as_of.isoformat()),
        (t("mm.overdue_months", lang), str(report.overdue_months)),
        (
            t("mm.health_period", lang),
            f"{report.health_start.isoformat()} – {report.health_end.isoformat()}",
        ),
    ]


def report_xlsx(report: MovementReport, lang: str = "vi") -> bytes:
    """The report as an XLSX workbook: a cover sheet with the filters, then one sheet per table."""
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = t("mm.report", lang)[:31]
    cover.append(escape_row([t("mm.report.title", lang)]))
    for name, value in filters(report, lang):
        cover.append(escape_row([name, value]))
    for section in sections(report, lang):
        sheet = workbook.create_sheet(title=t(f"mm.sheet.{section.key}", lang)[:31])
        sheet.append(escape_row(section.header))
        for row in section.rows:
            sheet.append(escape_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_pdf(report: MovementReport, lang: str = "vi") -> bytes:
    """The report as a PDF with its filters at the top and one table per section."""
    doc = PdfReport(
        t("mm.report.title", lang),
        lang=lang,
        filters=filters(report, lang),
        generated_at=report.generated_at,
    )
    for section in sections(report, lang):
        doc.heading(section.title)
        if section.rows:
            doc.table(section.header, section.rows, widths=section.widths)
        else:
            doc.paragraph(t("common.none", lang))
    return doc.output()


def report_file(report: MovementReport, fmt: str, lang: str = "vi") -> Export:
    """The movement report as an XLSX or PDF file, named after its area and date."""
    data = report_xlsx(report, lang) if fmt == "xlsx" else report_pdf(report, lang)
    place = report.area.code if report.area else "province"
    return Export(data, MEDIA_TYPES[fmt], f"movement-report-{place}-{report.as_of}.{fmt}")
