"""All web page routers of the outage/coverage/report pages, as one router for the app."""

from fastapi import APIRouter

from api.web import camera, camera_edit, coverage, login, movement, outages, reports, tickets

router = APIRouter()
for module in (login, outages, coverage, camera_edit, camera, tickets, reports, movement):
    router.include_router(module.router)
