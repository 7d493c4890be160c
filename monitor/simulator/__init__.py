"""A fleet of virtual cameras on loopback (ONVIF, snapshots, RTSP subset) for the demo and tests."""

from monitor.simulator.fleet import SimulatedFleet
from monitor.simulator.model import (
    PICTURE_FAULT_CODES,
    CameraFaults,
    Identity,
    PictureKind,
    SimCamera,
)
from monitor.simulator.spec import (
    DEMO_AREAS,
    INVENTORY_HEADERS,
    DemoArea,
    addresses,
    build_fleet,
    inventory_rows,
    write_inventory_csv,
)

__all__ = [
    "DEMO_AREAS",
    "INVENTORY_HEADERS",
    "PICTURE_FAULT_CODES",
    "CameraFaults",
    "DemoArea",
    "Identity",
    "PictureKind",
    "SimCamera",
    "SimulatedFleet",
    "addresses",
    "build_fleet",
    "inventory_rows",
    "write_inventory_csv",
]
