"""A finished file (an export, a picture) as a download response."""

from __future__ import annotations

from fastapi.responses import Response

from monitor.reports.exports import Export


def attachment(export: Export) -> Response:
    """The file as an attachment with its download name."""
    disposition = f'attachment; filename="{export.filename}"'
    return Response(
        export.data, media_type=export.media_type, headers={"Content-Disposition": disposition}
    )
