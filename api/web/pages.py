"""All web page routers of the outage/coverage/report pages, as one router for the app."""

from fastapi import APIRouter

from api.web import camera, camera_edit, coverage, home, login, movement, outages, reports, tickets
from api.web import map as map_page

router = APIRouter()
# home/map first: their fixed paths (/, /map, /search) never collide with the others' patterns.
for module in (home, map_page, login, outages, coverage, camera_edit, camera, tickets, reports):
    router.include_router(module.router)
router.include_router(movement.router)
router.include_router(camera.api_router)
