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

from monitor.core.cells import escape_row, unescape_cell
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


# Limits of an import file, whatever its size on the wire: a 300 KB XLSX can unzip to gigabytes,
# and a sheet whose only cell sits on row 1,048,576 makes openpyxl yield a million empty rows.
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELLS = 2_000_000
MAX_CELL_CHARS = 4_000
MAX_UNZIPPED_BYTES = 128 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000


def _too_big(reason: str, row: int = 0) -> ImportRejected:
    return ImportRejected([RowProblem(row, "", reason)])


def _check_zip(data: bytes) -> None:
    """Refuse an XLSX whose parts would unzip past the limit, before anything is decompressed.

    zipfile never yields more than an entry's declared size, so the declared sizes are a bound.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _too_big("file is not a readable XLSX workbook") from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _too_big(f"the workbook has more than {MAX_ZIP_ENTRIES} parts")
    if sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
        raise _too_big(f"the workbook unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB")


def _bounded_rows(rows: Iterable[Sequence[object]]) -> list[list[str]]:
    """The rows as texts, refusing a file past the row, column, cell or cell-length limits."""
    raw: list[list[str]] = []
    cells = 0
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise _too_big(f"the file has more than {MAX_ROWS} rows", number)
        texts = [_cell_text(v) for v in row]
        while texts and not texts[-1]:
            texts.pop()
        if len(texts) > MAX_COLUMNS:
            raise _too_big(f"the row has more than {MAX_COLUMNS} columns", number)
        cells += len(texts)
        if cells > MAX_CELLS:
            raise _too_big(f"the file has more than {MAX_CELLS} cells", number)
        if any(len(text) > MAX_CELL_CHARS for text in texts):
            raise _too_big(f"a cell is longer than {MAX_CELL_CHARS} characters", number)
        raw.append(texts)
    return raw


def read_table(data: bytes, filename: str) -> Table:
    """Parse CSV (UTF-8, comma or semicolon) or XLSX bytes; ImportRejected when unreadable.

    Files past the limits above are refused without being read whole; a problem never quotes
    more than a few words of the file. CPU-bound: call it from a worker thread in a server.
    """
    kind = format_of(filename)
    if kind == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRejected([RowProblem(exc.start, "", "file is not UTF-8 text")]) from exc
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        try:
            raw = _bounded_rows(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise ImportRejected([RowProblem(0, "", "file is not readable CSV")]) from exc
    else:
        _check_zip(data)
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
            raw = _bounded_rows(sheet.iter_rows(values_only=True))
        except (ValueError, KeyError, AttributeError, ElementTree.ParseError) as exc:
            raise ImportRejected(
                [RowProblem(0, "", "the first worksheet of the workbook cannot be read")]
            ) from exc
        finally:
            workbook.close()
    if not raw or not any(cell.strip() for cell in raw[0]):
        raise ImportRejected([RowProblem(1, "", "the first row must hold the column headers")])
    header = [unescape_cell(cell.strip()) for cell in raw[0]]
    while header and not header[-1]:
        header.pop()
    rows = [
        (number, [unescape_cell(cell.strip()) for cell in row])
        for number, row in enumerate(raw[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    return Table(header=header, rows=rows)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """CSV bytes with a BOM so spreadsheet programs read the Vietnamese text as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(escape_row(header))
    for row in rows:
        writer.writerow(escape_row("" if v is None else _cell_text(v) for v in row))
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], title: str) -> bytes:
    """XLSX bytes with one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(escape_row(header))
    for row in rows:
        sheet.append(escape_row("" if v is None else v for v in row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
