"""Mapping of domain exceptions to HTTP answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from monitor.core.errors import Conflict, ImportRejected, InvalidData, NotFound, PermissionDenied

STATUS: dict[type[Exception], int] = {
    NotFound: 404,
    Conflict: 409,
    PermissionDenied: 403,
    InvalidData: 422,
}


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per domain exception."""

    async def domain_error(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=STATUS[type(exc)])

    async def import_rejected(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ImportRejected)
        problems = [{"row": p.row, "column": p.column, "reason": p.reason} for p in exc.problems]
        return JSONResponse({"detail": str(exc), "problems": problems}, status_code=422)

    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        # FastAPI's default answer echoes each bad value back, a mistyped password included.
        assert isinstance(exc, RequestValidationError)
        errors = [
            {k: v for k, v in e.items() if k not in ("input", "ctx", "url")} for e in exc.errors()
        ]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    async def out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        # A number past the database's integer (an id of 2**70), or a value the column refuses:
        # the client's input, not a server fault (found by bench/api_fuzz.py).
        return JSONResponse({"detail": "a value is out of the range the database holds"}, 422)

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(OverflowError, out_of_range)
    app.add_exception_handler(DataError, out_of_range)
    for exc_type in STATUS:
        app.add_exception_handler(exc_type, domain_error)
    app.add_exception_handler(ImportRejected, import_rejected)
