"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.guard import RequestGuard
from api.openapi import install_openapi
from api.routers import (
    areas,
    audit,
    auth,
    camera_state,
    cameras,
    coverage,
    crews,
    health,
    hosts,
    metrics,
    movement,
    notifications,
    outages,
    overview,
    references,
    reports,
    thumbnails,
    tickets,
    users,
)
from api.signin import login_throttle
from api.web import downloads as web_downloads
from api.web import pages as web_pages
from api.web.auth import install_web
from api.web.docs import install_docs
from monitor.core.db import Database
from monitor.core.settings import Settings
from monitor.registry.cameras import CameraRules

logger = logging.getLogger(__name__)

ROUTERS = (
    health,
    auth,
    areas,
    hosts,
    camera_state,
    cameras,
    crews,
    users,
    audit,
    tickets,
    references,
    thumbnails,
    metrics,
    outages,
    coverage,
    reports,
    movement,
    notifications,
    overview,
    web_pages,
    web_downloads,
)


def create_app(
    settings: Settings, db: Database | None = None, *, monitoring: bool = False
) -> FastAPI:
    """Build the app for these settings (and an already open database, if given).

    With `monitoring`, the scheduler and runner run in the app's event loop (the default role of
    `camwatch serve`); otherwise the app only serves.
    """
    database = db or Database.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = None
        if monitoring:
            from monitor.monitoring.scheduler import MonitorService

            service = MonitorService(database, settings)
            service.start()
        app.state.monitor = service
        yield
        if service is not None:
            await service.stop()
        if db is None:
            database.dispose()

    app = FastAPI(
        title="camwatch",
        version="0.1.0",
        summary="Health monitoring of the community security-camera network (Camera an ninh)",
        lifespan=lifespan,
        docs_url=None,  # served by api.web.docs from the project's own files
        redoc_url=None,  # ReDoc would load its script from a CDN
    )
    app.state.settings = settings
    app.state.db = database
    app.state.camera_rules = CameraRules.from_settings(settings)
    app.state.login_throttle = login_throttle(settings)
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(RequestGuard, settings=settings, db=database)
    install_web(app)
    install_docs(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
