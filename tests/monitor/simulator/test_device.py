"""A real ONVIF client (onvif-zeep-async) against simulated cameras."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
import zeep.exceptions
from onvif import ONVIFCamera

from monitor.simulator import SimCamera, SimulatedFleet


@asynccontextmanager
async def client(
    cam: SimCamera, password: str | None = None, *, adjust_time: bool = False
) -> AsyncIterator[ONVIFCamera]:
    """An onvif-zeep-async camera object, always closed."""
    device = ONVIFCamera(
        cam.address,
        cam.onvif_port,
        cam.username,
        cam.password if password is None else password,
        adjust_time=adjust_time,
    )
    try:
        yield device
    finally:
        await device.close()


def _subcodes(fault: zeep.exceptions.Fault) -> list[str]:
    return [code.localname for code in fault.subcodes or []]


async def test_identity_profiles_and_uris(one_camera: SimulatedFleet) -> None:
    cam = next(iter(one_camera.cameras.values()))
    async with client(cam) as device:
        await device.update_xaddrs()
        mgmt = await device.create_devicemgmt_service()
        info = await mgmt.GetDeviceInformation()
        media = await device.create_media_service()
        profiles = await media.GetProfiles()
        req = media.create_type("GetStreamUri")
        req.ProfileToken = profiles[0].token
        req.StreamSetup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
        stream = await media.GetStreamUri(req)
        snapshot_uri = await device.get_snapshot_uri(profiles[0].token)
        sources = await media.GetVideoSources()
        scopes = await mgmt.GetScopes()
    assert (info.Manufacturer, info.Model, info.SerialNumber, info.FirmwareVersion) == (
        cam.identity.manufacturer,
        cam.identity.model,
        cam.identity.serial,
        cam.identity.firmware,
    )
    assert info.HardwareId == cam.identity.hardware_id
    enc = profiles[0].VideoEncoderConfiguration
    assert (enc.Encoding, enc.Resolution.Width, enc.Resolution.Height) == ("H264", 640, 360)
    assert stream.Uri == cam.rtsp_url and "@" not in stream.Uri
    assert snapshot_uri == cam.snapshot_url
    assert sources[0].Resolution.Width == 640
    assert any(cam.code in s.ScopeItem for s in scopes)


@pytest.mark.parametrize("offset", [-1800.0, 45.0])
async def test_clock_offset_visible_and_token_signed_with_it(
    make_fleet: Callable[..., list[SimCamera]], offset: float
) -> None:
    cams = make_fleet(1)
    cams[0].faults.clock_offset_seconds = offset
    async with SimulatedFleet(cams), client(cams[0], adjust_time=True) as device:
        await device.update_xaddrs()  # authenticated calls: must use the camera's clock
        mgmt = await device.create_devicemgmt_service()
        reply = await mgmt.GetSystemDateAndTime()
        info = await mgmt.GetDeviceInformation()
    u = reply.UTCDateTime
    camera_time = dt.datetime(
        u.Date.Year,
        u.Date.Month,
        u.Date.Day,
        u.Time.Hour,
        u.Time.Minute,
        u.Time.Second,
        tzinfo=dt.UTC,
    )
    drift = (camera_time - dt.datetime.now(dt.UTC)).total_seconds()
    assert abs(drift - offset) < 3
    assert info.SerialNumber == cams[0].identity.serial


async def test_token_from_true_time_refused_by_camera_with_wrong_clock(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(1)
    cams[0].faults.clock_offset_seconds = 900.0  # beyond the 300 s a camera tolerates
    async with SimulatedFleet(cams), client(cams[0]) as device:
        mgmt = await device.create_devicemgmt_service()
        with pytest.raises(zeep.exceptions.Fault) as refused:
            await mgmt.GetDeviceInformation()
        # Asked without a token (PRE_AUTH), the clock is still readable.
        reply = await mgmt.authless_GetSystemDateAndTime()
    assert "NotAuthorized" in _subcodes(refused.value)
    assert reply.UTCDateTime.Date.Year >= 2024


async def test_wrong_password_refused_with_not_authorized(one_camera: SimulatedFleet) -> None:
    cam = next(iter(one_camera.cameras.values()))
    async with client(cam, password="not-the-password") as device:
        mgmt = await device.create_devicemgmt_service()
        with pytest.raises(zeep.exceptions.Fault) as refused:
            await mgmt.GetDeviceInformation()
    assert "NotAuthorized" in _subcodes(refused.value)
    assert refused.value.message == "Sender not Authorized"


async def test_auth_fault_refuses_inventory_password_until_restored(
    one_camera: SimulatedFleet,
) -> None:
    cam = next(iter(one_camera.cameras.values()))
    await one_camera.set_faults(cam.code, device_password="reset-by-installer")
    async with client(cam) as device:
        mgmt = await device.create_devicemgmt_service()
        with pytest.raises(zeep.exceptions.Fault):
            await mgmt.GetDeviceInformation()
    await one_camera.set_faults(cam.code, device_password=None)
    async with client(cam) as device:
        mgmt = await device.create_devicemgmt_service()
        assert (await mgmt.GetDeviceInformation()).SerialNumber == cam.identity.serial


async def test_onvif_error_fault_answers_soap_fault(one_camera: SimulatedFleet) -> None:
    cam = next(iter(one_camera.cameras.values()))
    await one_camera.set_faults(cam.code, faulty_operations={"GetProfiles"})
    async with client(cam) as device:
        await device.update_xaddrs()
        media = await device.create_media_service()
        with pytest.raises(zeep.exceptions.Fault) as failed:
            await media.GetProfiles()
        mgmt = await device.create_devicemgmt_service()
        info = await mgmt.GetDeviceInformation()  # the rest of the device still answers
    assert "Action" in _subcodes(failed.value)
    assert info.Model == cam.identity.model


async def test_replaced_device_reports_new_serial(one_camera: SimulatedFleet) -> None:
    cam = next(iter(one_camera.cameras.values()))
    old = cam.identity.serial
    new = one_camera.replace_device(cam.code)
    async with client(cam) as device:
        mgmt = await device.create_devicemgmt_service()
        info = await mgmt.GetDeviceInformation()
    assert info.SerialNumber == new != old


async def test_slow_camera_answers_late(one_camera: SimulatedFleet) -> None:
    cam = next(iter(one_camera.cameras.values()))
    await one_camera.set_faults(cam.code, slow_seconds=2.0)
    async with client(cam) as device:
        mgmt = await device.create_devicemgmt_service()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(mgmt.GetDeviceInformation(), timeout=0.5)
        await one_camera.set_faults(cam.code, slow_seconds=0.0)
        assert (await mgmt.GetDeviceInformation()).Model == cam.identity.model


def _events(messages: list) -> dict[str, tuple[str, dict[str, str]]]:
    """topic -> (property operation, data items) of pulled notification messages."""
    out = {}
    for m in messages:
        msg = m.Message._value_1
        items = {i.Name: i.Value for i in msg.Data.SimpleItem}
        out[m.Topic._value_1] = (msg.PropertyOperation, items)
    return out


async def test_pullpoint_reports_storage_failure_tamper_and_reboot(
    make_fleet: Callable[..., list[SimCamera]],
) -> None:
    cams = make_fleet(1)
    cams[0].faults.storage_failure = True
    cams[0].faults.tamper = True
    async with SimulatedFleet(cams) as fleet, client(cams[0]) as device:
        await device.update_xaddrs()
        events = await device.create_events_service()
        props = await events.GetEventProperties()
        manager = await device.create_pullpoint_manager(dt.timedelta(seconds=60), lambda: None)
        service = manager.get_service()
        req = service.create_type("PullMessages")
        req.MessageLimit = 20
        req.Timeout = dt.timedelta(seconds=1)
        first = _events((await service.PullMessages(req)).NotificationMessage)
        boot_before = first["tns1:Monitoring/OperatingTime/LastReboot"][1]["Status"]
        await asyncio.sleep(1.1)  # LastReboot has one-second resolution
        fleet.reboot(cams[0].code)
        await fleet.set_faults(cams[0].code, storage_failure=False)
        second = _events((await service.PullMessages(req)).NotificationMessage)
        await manager.stop()
    assert props.FixedTopicSet is True
    storage = "tns1:Device/HardwareFailure/StorageFailure"
    assert first[storage] == ("Initialized", {"Failed": "true"})
    assert first["tns1:RuleEngine/TamperDetector/Tamper"][1] == {"IsTamper": "true"}
    assert first["tns1:RecordingConfig/JobState"][1] == {"State": "Error"}
    assert second[storage] == ("Changed", {"Failed": "false"})
    assert second["tns1:Monitoring/OperatingTime/LastReboot"][1]["Status"] != boot_before
    assert "tns1:RuleEngine/TamperDetector/Tamper" not in second  # unchanged, not repeated


async def test_recording_job_state_follows_storage_failure(one_camera: SimulatedFleet) -> None:
    cam = next(iter(one_camera.cameras.values()))
    async with client(cam) as device:
        await device.update_xaddrs()
        recording = await device.create_recording_service()
        jobs = await recording.GetRecordingJobs()
        token = jobs[0].JobToken
        healthy = await recording.GetRecordingJobState({"JobToken": token})
        await one_camera.set_faults(cam.code, storage_failure=True)
        failed = await recording.GetRecordingJobState({"JobToken": token})
    assert jobs[0].JobConfiguration.Mode == "Active"
    assert (healthy.State, failed.State) == ("Active", "Error")
