"""A fleet of virtual cameras on loopback (ONVIF, snapshots, RTSP subset) for the demo and tests.

    cameras = build_fleet(20, seed=0)              # SIM-0001.. on 127.20.0.1.., ONVIF port 8000
    write_inventory_csv(cameras, "fleet.csv")      # for `camwatch cameras import`
    async with SimulatedFleet(cameras) as fleet:   # or fleet.start_in_thread() / stop_thread()
        await fleet.set_faults("SIM-0001", offline=True)   # listener closed; False reopens it
        fleet.set_picture("SIM-0002", PictureKind.FROZEN)

Behaviour worth knowing:
- every camera has its own 127.x.y.z address; port 0 picks a free port at start (read it back
  from the camera afterwards);
- WS-Security is checked on every SOAP call except a GetSystemDateAndTime sent without a token
  (ONVIF's PRE_AUTH class), which is how a client learns a wrong camera clock;
- only the RTSP subset (`SimCamera.rtsp`) has an RTSP listener; the others return a stream URI
  nobody answers on, and are judged through their snapshots; RTSP asks for no credentials;
- events (PullPoint) publish storage failure, recording job state, tamper and last reboot as
  properties; the recording service answers GetRecordingJobs/GetRecordingJobState.
"""

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
