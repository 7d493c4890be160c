"""ONVIF probe: identity, clock drift, profiles and URIs, storage and the camera's own events."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from probes import netguard
from probes.errors import ProbeFailure
from probes.faults import FaultCode
from probes.onvif_device import OnvifDevice
from probes.onvif_errors import ONVIF_EXPECTED_ERRORS, classify, is_auth_refusal
from probes.onvif_events import events_from_pull, map_events, recording_jobs_fault
from probes.result import (
    IDENTITY_FIELD_MAX_CHARS,
    Deadline,
    DeviceIdentity,
    ProbeConfig,
    ProbeResult,
    ProbeTarget,
)

logger = logging.getLogger(__name__)

KIND = "onvif"
EVENTS_NS = "http://www.onvif.org/ver10/events/wsdl"
RECORDING_NS = "http://www.onvif.org/ver10/recording/wsdl"
PULLPOINT_NS = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"
# Leave this much of the deadline for closing sessions and building the result.
RESERVE_SECONDS = 0.05
# A camera's media configuration is re-read after this many probes that reused it.
MEDIA_REFRESH_PROBES = 4
# How long a camera may hold a PullMessages request waiting for news (the subscription's
# initial "Initialized" messages, which carry current states, come at once).
PULL_WAIT_SECONDS = 1.0
# Query parameters some cameras use to embed credentials in the URIs they return.
SECRET_PARAMS = frozenset(
    {"user", "username", "usr", "password", "passwd", "pwd", "pass", "auth", "token", "key"}
)

_devices: dict[tuple[str, str, int, str], OnvifDevice] = {}
# Reused clients kept open at most (least recently used closed first, cameras in back-off kept):
# each holds aiohttp sessions and zeep clients, ~100 kB, so a 10,000-camera fleet must not keep
# one per camera. A camera probed every 15 min gains little from reuse anyway.
MAX_OPEN_DEVICES = 64


# onvif-zeep-async parses each WSDL once per process, but only caches it once parsed: probes
# started together before that all parse the same files (a fleet's start-up burned seconds of
# CPU so). The first probe of a process runs alone and fills the cache for the others.
_first_probe: asyncio.Lock | None = None
_warmed = False


async def probe(target: ProbeTarget, cfg: ProbeConfig, *, deadline: Deadline) -> ProbeResult:
    """Probe one camera over ONVIF within `deadline`; never raises for a camera's failure."""
    global _first_probe, _warmed
    if not _warmed:
        budget = deadline.remaining()
        _first_probe = _first_probe or asyncio.Lock()
        async with _first_probe:
            if not _warmed:
                try:
                    return await _probe(target, cfg, deadline=deadline)
                finally:
                    _warmed = True
        # The deadline counts from when the request goes out, not from the wait for the cache.
        deadline = Deadline(budget)
    return await _probe(target, cfg, deadline=deadline)


async def _probe(target: ProbeTarget, cfg: ProbeConfig, *, deadline: Deadline) -> ProbeResult:
    started = time.monotonic()
    try:
        # Resolved now, not at registration: a name may since point elsewhere (DNS rebinding).
        address = await netguard.resolve_checked(
            target.host, cfg.allowed_networks, fault=FaultCode.ONVIF_ERROR
        )
    except ProbeFailure as exc:
        logger.info("%s: ONVIF probe refused: %s", target.code, exc.reason)
        return ProbeResult.failure(KIND, exc.fault, exc.reason)
    device = await _device_for(target, address, cfg)
    wait = device.backoff_remaining()
    if wait > 0 and device.last_fault is not None:
        result = ProbeResult.failure(
            KIND,
            device.last_fault,
            f"{device.last_reason} (retrying in {wait:.0f} s)",
            consecutive_failures=device.consecutive_failures,
        )
        result.backed_off = True
        return result
    details: dict[str, Any] = {}
    metrics: dict[str, float] = {}
    budget = deadline.remaining()
    held = False
    try:
        async with asyncio.timeout(max(0.01, budget - RESERVE_SECONDS)), device.lock:
            held = True
            result = await _probe_device(device, target, cfg, deadline, details, metrics)
    except ONVIF_EXPECTED_ERRORS as exc:
        if held:
            fault, reason = classify(exc, timeout_seconds=budget)
            device.record_failure(fault, reason)
            await _reset(device)
        else:
            # Another probe of this camera held it for our whole budget; that one reports.
            fault = FaultCode.ONVIF_ERROR
            reason = "an earlier probe of this camera is still waiting for it"
        logger.info("%s: ONVIF probe failed: %s (%s)", target.code, fault, reason)
        result = ProbeResult.failure(KIND, fault, reason)
        result.details.update(details)
        result.metrics.update(metrics)
        result.details["consecutive_failures"] = device.consecutive_failures
    else:
        device.record_success()
    result.duration_seconds = time.monotonic() - started
    return result


async def close_all() -> None:
    """Close every cached device and its HTTP sessions (call at shutdown)."""
    devices = list(_devices.values())
    _devices.clear()
    for device in devices:
        await _close_device(device)


def end_backoff(target: ProbeTarget) -> None:
    """Let the next probe of this camera ask it again at once (it answered another probe)."""
    device = _devices.get(_key(target))
    if device is not None and device.backoff_remaining() > 0:
        device.retry_at = 0.0


async def forget(target: ProbeTarget) -> None:
    """Close and drop the cached device of one camera (after a repair or a credential change)."""
    device = _devices.pop(_key(target), None)
    if device is not None:
        await _close_device(device)


def _key(target: ProbeTarget) -> tuple[str, str, int, str]:
    return (target.code, target.host, int(target.onvif_port), target.username or "")


async def _device_for(target: ProbeTarget, address: str, cfg: ProbeConfig) -> OnvifDevice:
    key = _key(target)
    device = _devices.get(key)
    loop = asyncio.get_running_loop()
    stale = device is not None and (
        device.loop not in (None, loop)
        or not device.uses_password(target.password or "")
        or device.address != address
    )
    if device is not None and stale:
        # Sessions belong to the loop that made them (tests run one loop each) or to an old
        # password: start over with a fresh client.
        del _devices[key]
        await _close_device(device)
        device = None
    if device is None:
        device = OnvifDevice(
            target.code,
            address,
            int(target.onvif_port),
            target.username or "",
            target.password or "",
            max_answer_bytes=cfg.onvif_max_answer_bytes,
        )
        _devices[key] = device
        await _evict_idle()
    else:
        _devices[key] = _devices.pop(key)  # most recently used last
    return device


async def _evict_idle() -> None:
    """Close the least recently used idle clients beyond MAX_OPEN_DEVICES."""
    excess = len(_devices) - MAX_OPEN_DEVICES
    if excess <= 0:
        return
    evicted: list[OnvifDevice] = []
    for key, device in list(_devices.items()):
        if len(evicted) >= excess:
            break
        if device.lock.locked() or device.consecutive_failures > 0:
            continue  # in use, or its back-off state is still needed
        evicted.append(_devices.pop(key))
    for device in evicted:
        await _close_device(device)


async def _close_device(device: OnvifDevice) -> None:
    if device.loop is not None and device.loop is not asyncio.get_running_loop():
        # Its loop is gone; its sockets went with it and cannot be closed from here.
        return
    try:
        async with asyncio.timeout(2.0):
            await device.close()
    except (TimeoutError, OSError) as exc:
        logger.warning("%s: closing the ONVIF client failed: %s", device.code, type(exc).__name__)


async def _reset(device: OnvifDevice) -> None:
    # Closing sessions only drops sockets; bounded anyway so a result is never held up, and
    # under the lock so a probe that was waiting for the camera does not lose its sessions.
    try:
        async with asyncio.timeout(1.0), device.lock:
            await device.reset()
    except (TimeoutError, OSError) as exc:
        logger.warning("%s: dropping the ONVIF client failed: %s", device.code, type(exc).__name__)


async def _media_summary(device: OnvifDevice, firmware: str) -> dict[str, Any]:
    """Profiles and stream/snapshot URIs, read again only every MEDIA_REFRESH_PROBES probes."""
    if (
        device.media is not None
        and device.media_uses < MEDIA_REFRESH_PROBES
        and device.media_firmware == firmware
    ):
        device.media_uses += 1
        return device.media
    media = await device.camera.create_media_service()
    profiles = await media.GetProfiles()
    summary: dict[str, Any] = {"profiles": [_profile_summary(p) for p in profiles or []]}
    if profiles:
        token = profiles[0].token
        setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
        stream = await media.GetStreamUri({"StreamSetup": setup, "ProfileToken": token})
        summary["stream_uri"] = strip_credentials(_text(stream.Uri))
        snapshot = await media.GetSnapshotUri({"ProfileToken": token})
        summary["snapshot_uri"] = strip_credentials(_text(snapshot.Uri))
    device.media, device.media_uses, device.media_firmware = summary, 1, firmware
    return summary


async def _probe_device(
    device: OnvifDevice,
    target: ProbeTarget,
    cfg: ProbeConfig,
    deadline: Deadline,
    details: dict[str, Any],
    metrics: dict[str, float],
) -> ProbeResult:
    faults: list[FaultCode] = []
    reasons: list[str] = []
    device.set_timeouts(deadline.remaining())
    if device.connected:
        try:
            reading = await device.read_clock()
        except ONVIF_EXPECTED_ERRORS as exc:
            if not is_auth_refusal(exc):
                raise
            # Refused with credentials that worked before: the camera's clock may have jumped
            # out of the token window (reset to its epoch). Redo the handshake once.
            await device.reset()
            reading = await device.connect()
    else:
        reading = await device.connect()
    camera = device.camera
    device.set_timeouts(deadline.remaining())
    drift = reading.offset_seconds
    metrics["onvif_latency_seconds"] = round(reading.rtt_seconds, 4)
    metrics["clock_drift_seconds"] = round(drift, 1)
    if abs(drift) > cfg.clock_drift_tolerance_seconds:
        faults.append(FaultCode.CLOCK_DRIFT)
        reasons.append(f"camera clock is {drift:+.0f} s off true time")
    device.set_clock_offset(drift)

    devicemgmt = await camera.create_devicemgmt_service()
    info = await devicemgmt.GetDeviceInformation()
    identity = DeviceIdentity.from_dict(
        {
            "manufacturer": _text(info.Manufacturer),
            "model": _text(info.Model),
            "firmware": _text(info.FirmwareVersion),
            "serial": _text(info.SerialNumber),
            "hardware_id": _text(info.HardwareId),
        }
    )
    if target.known_serial and identity.serial and identity.serial != target.known_serial:
        faults.append(FaultCode.DEVICE_REPLACED)
        reasons.append("serial number changed since the last probe")
        details["previous_serial"] = target.known_serial
    if target.known_firmware and identity.firmware != target.known_firmware:
        details["firmware_changed"] = {"from": target.known_firmware, "to": identity.firmware}

    # GetServices (at connect) lists what the camera offers; GetCapabilities is only asked of
    # cameras without GetServices, by the library's fallback.
    details["capabilities"] = _capability_summary(camera._capabilities, camera.xaddrs)

    media = await _media_summary(device, identity.firmware)
    details["profiles"] = media.get("profiles", [])
    identity = DeviceIdentity.from_dict(
        {
            **identity.to_dict(),
            "stream_uri": _announced(media.get("stream_uri", ""), "rtsp", cfg, details),
            "snapshot_uri": _announced(media.get("snapshot_uri", ""), "snapshot", cfg, details),
        }
    )

    if RECORDING_NS in camera.xaddrs:
        fault = await _storage_fault(device, details)
        if fault is not None:
            faults.append(fault)
            reasons.append("the camera reports its recording has failed")

    if cfg.onvif_pull_events and EVENTS_NS in camera.xaddrs:
        verdict = await _pull_events(device, target, deadline, details)
        if verdict is not None:
            if verdict.boot_time is not None:
                identity = DeviceIdentity.from_dict(
                    {**identity.to_dict(), "boot_time": verdict.boot_time}
                )
            for fault in verdict.faults:
                if fault not in faults:
                    faults.append(fault)
                    reasons.append(f"the camera reports {fault}")

    ok = not faults
    return ProbeResult(
        kind=KIND,
        ok=ok,
        faults=faults,
        reason="; ".join(reasons),
        metrics=metrics,
        details=details,
        identity=identity,
    )


async def _storage_fault(device: OnvifDevice, details: dict[str, Any]) -> FaultCode | None:
    try:
        recording = await device.camera.create_recording_service()
        jobs = await recording.GetRecordingJobs() or []
        states = []
        for job in jobs:
            state = await recording.GetRecordingJobState({"JobToken": job.JobToken})
            states.append((_text(job.JobConfiguration.Mode), _text(state.State)))
    except ONVIF_EXPECTED_ERRORS as exc:
        if isinstance(exc, TimeoutError):
            raise
        details["recording_error"] = classify(exc)[1]
        return None
    details["recording_jobs"] = [{"mode": m, "state": s} for m, s in states]
    return recording_jobs_fault(states)


async def _pull_events(
    device: OnvifDevice, target: ProbeTarget, deadline: Deadline, details: dict[str, Any]
) -> Any:
    camera = device.camera
    subscription = None
    try:
        events_service = await camera.create_events_service()
        created = await events_service.CreatePullPointSubscription(
            {"InitialTerminationTime": "PT60S"}
        )
        address = _text(created.SubscriptionReference.Address._value_1)
        camera.xaddrs[PULLPOINT_NS] = camera.rewrite_url(address)
        subscription = await camera.create_subscription_service("PullPointSubscription")
        pullpoint = await camera.create_pullpoint_service()
        device.apply_timeout(pullpoint)
        wait = max(0.0, min(PULL_WAIT_SECONDS, deadline.remaining() - 1.0))
        reply = await pullpoint.PullMessages(
            {"Timeout": dt.timedelta(seconds=wait), "MessageLimit": 100}
        )
    except ONVIF_EXPECTED_ERRORS as exc:
        if isinstance(exc, TimeoutError):
            raise
        details["events_error"] = classify(exc)[1]
        return None
    finally:
        if subscription is not None:
            await _unsubscribe(subscription, device.code)
    events = events_from_pull(reply)
    details["events"] = [e.topic for e in events][:20]
    return map_events(events, known_boot_time=target.known_boot_time)


async def _unsubscribe(subscription: Any, code: str) -> None:
    try:
        async with asyncio.timeout(0.5):
            await subscription.Unsubscribe()
    except ONVIF_EXPECTED_ERRORS as exc:
        # The subscription expires by itself after its termination time.
        logger.debug("%s: Unsubscribe failed: %s", code, type(exc).__name__)


def _announced(uri: str, kind: str, cfg: ProbeConfig, details: dict[str, Any]) -> str:
    """The announced URI if its scheme and address may be probed; else "" and a note why."""
    if not uri:
        return ""
    if len(uri) > IDENTITY_FIELD_MAX_CHARS or not netguard.url_allowed(
        uri, cfg.allowed_networks, schemes=netguard.URL_SCHEMES[kind]
    ):
        details.setdefault("refused_uris", []).append(
            f"{kind} URI announced by the camera is outside the allowed networks or schemes"
        )
        return ""
    return uri


def strip_credentials(uri: str) -> str:
    """Remove user:password@ and credential query parameters from a URI."""
    if not uri:
        return uri
    parts = urlsplit(uri)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in SECRET_PARAMS
        ]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _profile_summary(profile: Any) -> dict[str, Any]:
    encoder = getattr(profile, "VideoEncoderConfiguration", None)
    resolution = getattr(encoder, "Resolution", None)
    summary: dict[str, Any] = {"token": _text(profile.token), "name": _text(profile.Name)}
    if encoder is not None:
        summary["encoding"] = _text(encoder.Encoding)
    if resolution is not None:
        summary["width"], summary["height"] = int(resolution.Width), int(resolution.Height)
    return summary


def _capability_summary(
    capabilities: dict[str, Any] | None, xaddrs: dict[str, str]
) -> dict[str, Any]:
    services = set()
    for namespace in xaddrs:
        parts = namespace.rstrip("/").split("/")
        if "wsdl" in parts[1:]:
            services.add(parts[parts.index("wsdl") - 1])
    summary: dict[str, Any] = {"services": sorted(services)}
    if capabilities:
        summary["categories"] = sorted(k for k, v in capabilities.items() if v)
    return summary
