"""A small PDF writer (fpdf2) with a Unicode font, so Vietnamese text comes out right.

Usage::

    doc = PdfReport("Danh sách sự cố", lang="vi", filters=[("Cụm", "Sơn Tịnh")])
    doc.heading("Theo cụm")            # optional sections
    doc.table(["Mã", "Tên"], [["ST-0001", "Cổng trường"]], widths=[30, 80])
    doc.svg(chart_svg_text, width=180)   # a server-side chart
    data: bytes = doc.output()

or, for a single table with its filters written at the top, `table_pdf(title, header, rows, ...)`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableCellFillMode

from monitor.core.i18n import DEFAULT_LANG, t
from monitor.core.localtime import format_local

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}


class _Document(FPDF):
    """FPDF with a page-number footer."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.set_text_color(110)
        self.cell(0, 6, f"{self.footer_text}    {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0)


class PdfReport:
    """A document: a title, the filters it was made with, then headings, text, tables, charts."""

    def __init__(
        self,
        title: str,
        *,
        lang: str = DEFAULT_LANG,
        filters: Sequence[tuple[str, str]] = (),
        landscape: bool = True,
        generated_at: datetime | None = None,
    ) -> None:
        """Start a document with its title and a block listing the filters (label, value)."""
        self.lang = lang
        self.pdf = _Document(orientation="L" if landscape else "P", unit="mm", format="A4")
        # Also under its real family name, which the SVG charts ask for.
        for family in (FONT, "DejaVu Sans"):
            for style, name in _FONT_FILES.items():
                self.pdf.add_font(family, style, str(FONT_DIR / name))
        self.pdf.set_title(title)
        self.pdf.set_creator("camwatch")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_margins(10, 10, 10)
        when = format_local(generated_at or datetime.now(UTC))
        self.pdf.footer_text = f"camwatch — {t('common.generated_at', lang)} {when}"
        self.pdf.add_page()
        self.pdf.set_font(FONT, "B", 15)
        self.pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)
        self.pdf.set_font(FONT, "", 9)
        self.pdf.set_text_color(60)
        if filters:
            text = "; ".join(f"{label}: {value}" for label, value in filters)
        else:
            text = t("common.no_filter", lang)
        self.pdf.multi_cell(
            0, 5, f"{t('common.filters', lang)}: {text}", new_x="LMARGIN", new_y="NEXT"
        )
        self.pdf.multi_cell(
            0, 5, f"{t('common.generated_at', lang)}: {when}", new_x="LMARGIN", new_y="NEXT"
        )
        self.pdf.set_text_color(0)
        self.pdf.ln(3)

    @property
    def usable_width(self) -> float:
        """Width between the margins, in mm."""
        return self.pdf.epw

    def heading(self, text: str) -> None:
        """A section heading."""
        self.pdf.ln(2)
        self.pdf.set_font(FONT, "B", 12)
        self.pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def paragraph(self, text: str) -> None:
        """A paragraph of plain text."""
        self.pdf.set_font(FONT, "", 9)
        self.pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        widths: Sequence[float] | None = None,
        font_size: float = 8,
    ) -> None:
        """A table with a bold repeated header; cells wrap; widths are relative (any unit)."""
        self.pdf.set_font(FONT, "", font_size)
        with self.pdf.table(
            col_widths=tuple(widths) if widths else None,
            width=self.usable_width,
            headings_style=_heading_style(),
            cell_fill_color=245,
            cell_fill_mode=TableCellFillMode.ROWS,
            line_height=font_size * 0.5,
            repeat_headings=1,
            text_align="LEFT",
        ) as table:
            head = table.row()
            for name in header:
                head.cell(str(name))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(_text(value))
        self.pdf.ln(2)

    def svg(self, svg_text: str, *, width: float = 180) -> None:
        """Embed an SVG drawing (a server-side chart) at the given width in mm."""
        self.pdf.image(io.BytesIO(svg_text.encode("utf-8")), w=width)
        self.pdf.ln(2)

    def output(self) -> bytes:
        """The finished PDF bytes."""
        return bytes(self.pdf.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD", fill_color=(220, 228, 240))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_local(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def table_pdf(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    filters: Sequence[tuple[str, str]] = (),
    lang: str = DEFAULT_LANG,
    widths: Sequence[float] | None = None,
) -> bytes:
    """A one-table PDF (landscape A4) with its title and filters written at the top."""
    doc = PdfReport(title, lang=lang, filters=filters)
    doc.table(header, rows, widths=widths)
    return doc.output()
