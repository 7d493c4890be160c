"""The OpenAPI document, corrected where FastAPI's default does not describe the answers.

A 422 comes in two shapes: FastAPI's request validation (`detail` is a list of errors) and a
domain rule (`detail` is one sentence, e.g. "a maintenance window must end after it starts";
an import adds `problems` with row and column). Found by schemathesis (bench/api_fuzz.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi


def install_openapi(app: FastAPI) -> None:
    """Serve the corrected document at /openapi.json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if error is not None:
                listed = error["properties"]["detail"]
                error["properties"]["detail"] = {
                    "title": "Detail",
                    "anyOf": [
                        {k: v for k, v in listed.items() if k != "title"},
                        {"type": "string"},
                    ],
                }
                error["properties"]["problems"] = {
                    "title": "Problems",
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "row": {"type": "integer"},
                            "column": {"type": "string"},
                            "reason": {"type": "string"},
                        },
                        "required": ["row", "column", "reason"],
                    },
                }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
