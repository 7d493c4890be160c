"""The HTTP side of simulated cameras: ONVIF SOAP services and the JPEG snapshot endpoint."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web
from lxml import etree

from monitor.simulator import httpauth, soap
from monitor.simulator.events import Subscription, current_state, new_subscription, parse_duration
from monitor.simulator.model import SimCamera
from monitor.simulator.scene import PictureSource, encode_jpeg
from monitor.simulator.wsse import TokenCheck, check_token

logger = logging.getLogger(__name__)

SOAP_CONTENT_TYPE = "application/soap+xml; charset=utf-8"
# Longest a PullMessages call waits for an event before answering empty (a camera long-polls).
MAX_PULL_WAIT_SECONDS = 1.0
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(eq=False, slots=True)
class CameraRuntime:
    """A running simulated camera: its spec, its picture and its open event subscriptions."""

    cam: SimCamera
    source: PictureSource
    subscriptions: dict[int, Subscription] = field(default_factory=dict)
    site: web.BaseSite | None = None
    rtsp_server: object | None = None

    def now(self) -> dt.datetime:
        """The camera's own clock (true UTC plus its configured offset)."""
        offset = dt.timedelta(seconds=self.cam.faults.clock_offset_seconds)
        return dt.datetime.now(dt.UTC) + offset


Lookup = Callable[[str], CameraRuntime | None]


def _soap_response(body: str, status: int = 200) -> web.Response:
    return web.Response(
        body=body.encode(), status=status, content_type="application/soap+xml", charset="utf-8"
    )


def _fault(status: int, code: str, subcodes: tuple[str, ...], reason: str) -> web.Response:
    return _soap_response(soap.fault(code, subcodes, reason), status)


def not_authorized() -> web.Response:
    """A camera's answer to a refused UsernameToken (ONVIF Core: HTTP 400, ter:NotAuthorized)."""
    return _fault(400, "s:Sender", ("ter:NotAuthorized",), "Sender not Authorized")


def _camera_for(request: web.Request, lookup: Lookup) -> CameraRuntime | None:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return lookup(sockname[0]) if sockname else None


def _drop_connection(request: web.Request) -> web.Response:
    """An offline camera: the socket dies without an answer (existing keep-alive connections)."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=503)


class DeviceHandlers:
    """aiohttp handlers serving every camera of a fleet, told apart by the local address."""

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup

    def app(self) -> web.Application:
        """The aiohttp application (one for the whole fleet)."""
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post("/onvif/{service:.*}", self.soap)
        app.router.add_get("/snapshot.jpg", self.snapshot)
        return app

    async def snapshot(self, request: web.Request) -> web.StreamResponse:
        """GET /snapshot.jpg: the camera's current picture, behind digest (or basic) auth."""
        rt = _camera_for(request, self._lookup)
        if rt is None:
            raise web.HTTPNotFound()
        cam = rt.cam
        if cam.faults.offline:
            return _drop_connection(request)
        if cam.faults.slow_seconds:
            await asyncio.sleep(cam.faults.slow_seconds)
        header = request.headers.get("Authorization")
        if not httpauth.check_authorization(
            header, request.method, cam.username, cam.device_password()
        ):
            logger.debug("%s snapshot refused: bad or missing credentials", cam.code)
            return web.Response(
                status=401, text="Unauthorized", headers={"WWW-Authenticate": httpauth.challenge()}
            )
        loop = asyncio.get_running_loop()
        jpeg = await loop.run_in_executor(None, lambda: encode_jpeg(rt.source.grab()))
        return web.Response(
            body=jpeg, content_type="image/jpeg", headers={"Cache-Control": "no-store"}
        )

    async def soap(self, request: web.Request) -> web.StreamResponse:
        """POST /onvif/...: one SOAP request to the device, media or events service."""
        rt = _camera_for(request, self._lookup)
        if rt is None:
            raise web.HTTPNotFound()
        cam = rt.cam
        if cam.faults.offline:
            return _drop_connection(request)
        raw = await request.read()
        try:
            root = etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError:
            return _fault(
                400,
                "s:Sender",
                ("ter:InvalidArgs", "ter:WellFormed"),
                "The request is not well-formed XML",
            )
        body = root.find(f"{{{soap.NS['s']}}}Body")
        operation_el = body[0] if body is not None and len(body) else None
        if operation_el is None:
            return _fault(400, "s:Sender", ("ter:InvalidArgs",), "Empty SOAP body")
        operation = etree.QName(operation_el).localname
        if cam.faults.slow_seconds:
            await asyncio.sleep(cam.faults.slow_seconds)
        now = rt.now()
        check = check_token(root, cam.username, cam.device_password(), now)
        # ONVIF Core puts GetSystemDateAndTime in the PRE_AUTH class: a client asks it
        # without a token to learn the camera clock before signing anything.
        preauth = operation == "GetSystemDateAndTime" and check is TokenCheck.MISSING
        if check is not TokenCheck.OK and not preauth:
            logger.debug("%s %s refused: token %s", cam.code, operation, check)
            return not_authorized()
        if operation in cam.faults.faulty_operations:
            return _fault(
                500,
                "s:Receiver",
                ("ter:Action", "ter:HardwareFailure"),
                f"{operation} failed: internal device error",
            )
        return await self._dispatch(rt, request, operation, operation_el, now)

    async def _dispatch(
        self,
        rt: CameraRuntime,
        request: web.Request,
        operation: str,
        el: etree._Element,
        now: dt.datetime,
    ) -> web.Response:
        cam = rt.cam
        simple: dict[str, Callable[[], str]] = {
            "GetSystemDateAndTime": lambda: soap.system_date_and_time(now),
            "GetDeviceInformation": lambda: soap.device_information(cam),
            "GetCapabilities": lambda: soap.capabilities(cam),
            "GetServices": lambda: soap.services(cam),
            "GetScopes": lambda: soap.scopes(cam),
            "GetHostname": lambda: soap.hostname(cam),
            "GetProfiles": lambda: soap.profiles(cam),
            "GetVideoSources": lambda: soap.video_sources(cam),
            "GetEventProperties": soap.event_properties,
            "GetRecordingJobs": soap.recording_jobs,
        }
        if operation in simple:
            return _soap_response(soap.envelope(simple[operation]()))
        if operation in ("GetStreamUri", "GetSnapshotUri"):
            token = _child_text(el, "ProfileToken")
            if token != soap.PROFILE_TOKEN:
                return _fault(
                    400,
                    "s:Sender",
                    ("ter:InvalidArgVal", "ter:NoProfile"),
                    "The requested profile token does not exist",
                )
            uri = cam.rtsp_url if operation == "GetStreamUri" else cam.snapshot_url
            return _soap_response(soap.envelope(soap.media_uri(operation, uri)))
        if operation == "GetRecordingJobState":
            if _child_text(el, "JobToken") != soap.RECORDING_JOB_TOKEN:
                return _fault(
                    400, "s:Sender", ("ter:InvalidArgVal", "ter:NoRecordingJob"), "No such job"
                )
            return _soap_response(
                soap.envelope(soap.recording_job_state(cam.faults.storage_failure))
            )
        if operation == "CreatePullPointSubscription":
            seconds = parse_duration(_child_text(el, "InitialTerminationTime"), now)
            sub = new_subscription(rt.subscriptions, now, seconds)
            address = f"http://{cam.address}:{cam.onvif_port}/onvif/subscription/{sub.id}"
            return _soap_response(soap.envelope(soap.create_pull_point(address, now, sub.until)))
        if operation in ("PullMessages", "Renew", "Unsubscribe", "SetSynchronizationPoint"):
            return await self._subscription_call(rt, request, operation, el, now)
        return _fault(
            400,
            "s:Sender",
            ("ter:ActionNotSupported",),
            f"Optional action {operation} not implemented",
        )

    async def _subscription_call(
        self,
        rt: CameraRuntime,
        request: web.Request,
        operation: str,
        el: etree._Element,
        now: dt.datetime,
    ) -> web.Response:
        tail = request.match_info["service"].rsplit("/", 1)[-1]
        sub = rt.subscriptions.get(int(tail)) if tail.isdigit() else None
        if sub is None or sub.until < now:
            return _fault(
                400,
                "s:Sender",
                ("ter:InvalidArgVal", "ter:NoSubscription"),
                "Unknown or expired subscription",
            )
        if operation == "Unsubscribe":
            del rt.subscriptions[sub.id]
            return _soap_response(soap.envelope(soap.empty("wsnt", "Unsubscribe")))
        if operation == "SetSynchronizationPoint":
            sub.delivered.clear()
            return _soap_response(soap.envelope(soap.empty("tev", "SetSynchronizationPoint")))
        if operation == "Renew":
            seconds = parse_duration(_child_text(el, "TerminationTime"), now)
            sub.until = now + dt.timedelta(seconds=seconds)
            return _soap_response(soap.envelope(soap.renew(now, sub.until)))
        limit = int(_child_text(el, "MessageLimit") or 100)
        wait = min(parse_duration(_child_text(el, "Timeout"), now), MAX_PULL_WAIT_SECONDS)
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            messages = sub.take(current_state(rt.cam, rt.now()), limit)
            if messages or asyncio.get_running_loop().time() >= deadline:
                break
            await asyncio.sleep(0.1)
        return _soap_response(soap.envelope(soap.pull_messages(rt.now(), sub.until, messages)))


def _child_text(el: etree._Element, name: str) -> str | None:
    """Text of the first descendant with local name `name`, namespace-agnostic."""
    for child in el.iter():
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip()
    return None
