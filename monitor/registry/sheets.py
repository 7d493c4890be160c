"""Reading and writing simple tables as CSV or XLSX files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from monitor.core.errors import ImportRejected, RowProblem

FORMATS = ("csv", "xlsx")


@dataclass(slots=True)
class Table:
    """A header row and the data rows under it, each with its row number in the file."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def format_of(filename: str) -> str:
    """'csv' or 'xlsx' from a file name; ValueError for anything else."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"unsupported file type {suffix!r}: use .csv or .xlsx")
    return suffix


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str) -> Table:
    """Parse CSV (UTF-8, comma or semicolon) or XLSX bytes; ImportRejected when unreadable."""
    kind = format_of(filename)
    if kind == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRejected([RowProblem(exc.start, "", "file is not UTF-8 text")]) from exc
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        try:
            raw = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise ImportRejected([RowProblem(0, "", f"file is not readable CSV: {exc}")]) from exc
    else:
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ImportRejected(
                [RowProblem(0, "", "file is not a readable XLSX workbook")]
            ) from exc
        try:
            if not workbook.worksheets:
                raise ValueError("the workbook has no worksheet")
            sheet = workbook.worksheets[0]
            raw = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except (ValueError, KeyError, AttributeError, ElementTree.ParseError) as exc:
            raise ImportRejected(
                [RowProblem(0, "", "the first worksheet of the workbook cannot be read")]
            ) from exc
        finally:
            workbook.close()
    if not raw or not any(cell.strip() for cell in raw[0]):
        raise ImportRejected([RowProblem(1, "", "the first row must hold the column headers")])
    header = [cell.strip() for cell in raw[0]]
    while header and not header[-1]:
        header.pop()
    rows = [
        (number, [cell.strip() for cell in row])
        for number, row in enumerate(raw[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    return Table(header=header, rows=rows)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV bytes with a BOM so spreadsheet programs read the Vietnamese text as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _cell_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], title: str) -> bytes:
    """XLSX bytes with one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
