"""Paging of the web pages: a `?page=` that is not a page never ends in an error.

A handler reads the page with `requested_page(request)` and fetches rows through `fetch_page`,
which clamps a page beyond the end to the last page; the template shows `pager(p)` from
`_pager.html` (the links, and a note when the asked page did not exist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from monitor.core import i18n

i18n.add_strings(
    {
        "paging.beyond": {
            "vi": "Không có trang {asked}: chỉ có {pages} trang, đang hiện trang {page}.",
            "en": "There is no page {asked}: there are {pages} pages; showing page {page}.",
        },
    }
)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, and the page that was asked for when it did not exist."""

    rows: list[Any]
    total: int
    page: int
    pages: int
    asked: int

    @property
    def beyond(self) -> bool:
        """True when the asked page was past the end (the last page is shown instead)."""
        return self.asked != self.page


def requested_page(request: Request) -> int:
    """The `page` query parameter as a page number; anything else (-1, 'abc') is page 1."""
    raw = request.query_params.get("page", "1").strip()
    try:
        return max(1, int(raw))
    except ValueError:
        return 1


def fetch_page(fetch: Callable[[int, int], tuple[list[Any], int]], asked: int, size: int) -> Page:
    """Rows of the asked page via `fetch(limit, offset)`; past the end, the last page's rows."""
    rows, total = fetch(size, (asked - 1) * size)
    pages = max(1, -(-total // size))
    page = min(asked, pages)
    if page != asked and total:
        rows, total = fetch(size, (page - 1) * size)
    return Page(list(rows), total, page, pages, asked)
