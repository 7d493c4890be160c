"""Fleet lifecycle: many addresses, offline and back, background thread."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import httpx
import pytest

from monitor.simulator import SimCamera, SimulatedFleet


async def _connects(address: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(address, port), timeout=2)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def test_two_hundred_cameras_on_distinct_addresses_all_answer(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(200)
    assert len({c.address for c in cams}) == 200
    async with SimulatedFleet(cams):
        answers = await asyncio.gather(*(_connects(c.address, c.onvif_port) for c in cams))
        # Each listener is bound to its own address only: another camera's address is not it.
        foreign = (
            await _connects(cams[0].address, cams[1].onvif_port)
            if cams[0].onvif_port != cams[1].onvif_port
            else False
        )
    assert all(answers)
    assert not foreign


async def test_offline_closes_listener_and_restoring_reopens(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(2)
    cam = cams[0]
    auth = httpx.DigestAuth(cam.username, cam.password)
    async with SimulatedFleet(cams) as fleet, httpx.AsyncClient(auth=auth, timeout=3) as http:
        assert (await http.get(cam.snapshot_url)).status_code == 200
        boot = cam.boot_time
        await fleet.set_faults(cam.code, offline=True)
        assert not await _connects(cam.address, cam.onvif_port)
        # The kept-alive connection of the client dies too: no answer from an offline camera.
        with pytest.raises(httpx.TransportError):
            await http.get(cam.snapshot_url)
        assert await _connects(cams[1].address, cams[1].onvif_port)  # the others stay up
        await fleet.set_faults(cam.code, offline=False)
        assert (await http.get(cam.snapshot_url)).status_code == 200
        assert cam.boot_time > boot


async def test_camera_configured_offline_never_listens(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(1, onvif_port=0)
    cams[0].faults.offline = True
    with socket.socket() as probe:
        probe.bind((cams[0].address, 0))
        port = probe.getsockname()[1]
    cams[0].onvif_port = port
    async with SimulatedFleet(cams):
        assert not await _connects(cams[0].address, port)


def test_background_thread_serves_sync_callers(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(2)
    fleet = SimulatedFleet(cams).start_in_thread()
    try:
        auth = httpx.DigestAuth(cams[0].username, cams[0].password)
        assert httpx.get(cams[0].snapshot_url, auth=auth, timeout=3).status_code == 200
        fleet.call(fleet.set_faults(cams[0].code, offline=True))
        with pytest.raises(httpx.ConnectError):
            httpx.get(cams[0].snapshot_url, auth=auth, timeout=3)
    finally:
        fleet.stop_thread()
    with pytest.raises(httpx.ConnectError):
        httpx.get(cams[1].snapshot_url, timeout=3)


def test_two_cameras_cannot_share_an_address(make_fleet: Callable[..., list[SimCamera]]) -> None:
    cams = make_fleet(2)
    cams[1].address = cams[0].address
    with pytest.raises(ValueError, match="own address"):
        SimulatedFleet(cams)
