"""Paging of select statements."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PAGE = 1000
# Past any real table; beyond 2**63 the databases refuse the number (SQLite: OverflowError).
MAX_OFFSET = 2**31


def clamp_offset(offset: int) -> int:
    """An offset the database accepts: a huge one only means "past the end"."""
    return max(0, min(offset, MAX_OFFSET))


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a listing, as every list route answers it."""

    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(session: Session, stmt: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    """Rows of one page and the total number of rows the statement selects."""
    limit = max(1, min(limit, MAX_PAGE))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(limit).offset(clamp_offset(offset))).all()
    return list(rows), total
