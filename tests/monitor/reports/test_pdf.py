"""The PDF writer: Vietnamese text survives a round trip through a PDF reader; long tables page."""

from __future__ import annotations

import io

from pypdf import PdfReader

from monitor.reports.charts import bar_chart
from monitor.reports.pdf import PdfReport, table_pdf

VIETNAMESE = "Camera cổng trường THCS Tịnh Phong — mất kết nối, hình mờ, ống kính bị che"


def text_of(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_vietnamese_title_filters_and_cells_read_back() -> None:
    filters = [("Huyện/thị xã", "Huyện Sơn Tịnh"), ("Loại lỗi", "Hình mờ")]
    rows = [["ST-0001", VIETNAMESE]]
    data = table_pdf("Danh sách sự cố camera", ["Mã camera", "Ghi chú"], rows, filters=filters)
    assert data.startswith(b"%PDF-")
    pages, text = text_of(data)
    assert pages == 1
    assert "Danh sách sự cố camera" in text
    assert "Điều kiện lọc: Huyện/thị xã: Huyện Sơn Tịnh; Loại lỗi: Hình mờ" in text
    assert VIETNAMESE in text.replace("\n", " ")


def test_long_table_repeats_its_header_on_every_page_and_english_labels() -> None:
    doc = PdfReport("Camera outages", lang="en")
    doc.table(["Code", "Name"], [[f"CAM-{i:04d}", "Đường Quang Trung"] for i in range(120)])
    doc.heading("Chart")
    doc.svg(bar_chart([("Huyện Sơn Tịnh", 97.5), ("Huyện Bình Sơn", 30.4)], title="Availability"))
    pages, text = text_of(doc.output())
    assert pages >= 3
    reader = PdfReader(io.BytesIO(doc.output()))
    for page in reader.pages[:-1]:
        assert "Code Name" in page.extract_text()  # the header row is repeated
    assert "Filters: No filter" in text and "CAM-0119" in text
