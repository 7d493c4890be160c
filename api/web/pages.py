"""All web page routers of the outage/coverage/report pages, as one router for the app."""

from fastapi import APIRouter

from api.web import (
    admin_pages,
    camera,
    camera_edit,
    coverage,
    home,
    login,
    movement,
    org_pages,
    outages,
    registry_pages,
    reports,
    tickets,
)
from api.web import map as map_page

router = APIRouter()
# The new pages first: /cameras/import must win over the camera page's /cameras/{code}.
for module in (
    home,
    map_page,
    registry_pages,
    org_pages,
    admin_pages,
    login,
    outages,
    coverage,
    camera_edit,
    camera,
    tickets,
    reports,
):
    router.include_router(module.router)
router.include_router(movement.router)
