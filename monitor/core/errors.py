"""Domain exceptions of camwatch; the API maps each to one HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


class CamwatchError(Exception):
    """Base of every domain error."""


class NotFound(CamwatchError):
    """The record does not exist (or is outside what the user may see)."""


class Conflict(CamwatchError):
    """The change collides with existing data (a duplicate code, a record still in use)."""


class PermissionDenied(CamwatchError):
    """The user's role does not allow this."""


class InvalidData(CamwatchError):
    """The request is well-formed but its content is not acceptable."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem of an import file: where it is and why."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.reason}"


class ImportRejected(CamwatchError):
    """An import file had problems; nothing was written."""

    # A hostile file can yield a problem per cell, each quoting a huge header: answers stay small.
    MAX_PROBLEMS = 200
    MAX_TEXT = 200

    def __init__(self, problems: list[RowProblem]) -> None:
        self.total = len(problems)
        self.problems = [
            RowProblem(p.row, _clip(p.column, self.MAX_TEXT), _clip(p.reason, self.MAX_TEXT))
            for p in problems[: self.MAX_PROBLEMS]
        ]
        super().__init__(f"import rejected, nothing written: {self.total} problem(s)")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
