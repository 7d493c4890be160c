"""SOAP 1.2 envelopes a simulated camera answers with (device, media, events services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from monitor.simulator.model import SimCamera

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "trc": "http://www.onvif.org/ver10/recording/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "ter": "http://www.onvif.org/ver10/error",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "tns1": "http://www.onvif.org/ver10/topics",
}
_XMLNS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
PROFILE_TOKEN = "Profile_1"
VIDEO_SOURCE_TOKEN = "VideoSource_1"
TOPIC_DIALECT = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"


def envelope(body: str) -> str:
    """Wrap a body in a SOAP 1.2 envelope declaring every prefix used here."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope {_XMLNS}>'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    )


def fault(code: str, subcodes: tuple[str, ...], reason: str) -> str:
    """A SOAP 1.2 fault with nested ONVIF subcodes (e.g. ter:NotAuthorized)."""
    sub = ""
    for value in reversed(subcodes):
        sub = f"<s:Subcode><s:Value>{value}</s:Value>{sub}</s:Subcode>"
    return envelope(
        f"<s:Fault><s:Code><s:Value>{code}</s:Value>{sub}</s:Code>"
        f'<s:Reason><s:Text xml:lang="en">{escape(reason)}</s:Text></s:Reason></s:Fault>'
    )


def xsd_datetime(when: dt.datetime) -> str:
    """xsd:dateTime in Zulu form."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def system_date_and_time(camera_now: dt.datetime) -> str:
    """GetSystemDateAndTimeResponse for the camera's own (possibly wrong) clock."""
    u = camera_now.astimezone(dt.UTC)
    local = u + dt.timedelta(hours=7)  # Indochina Time, no daylight saving
    return (
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
        "<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
        "<tt:TimeZone><tt:TZ>ICT-7</tt:TZ></tt:TimeZone>"
        f"<tt:UTCDateTime><tt:Time><tt:Hour>{u.hour}</tt:Hour><tt:Minute>{u.minute}</tt:Minute>"
        f"<tt:Second>{u.second}</tt:Second></tt:Time><tt:Date><tt:Year>{u.year}</tt:Year>"
        f"<tt:Month>{u.month}</tt:Month><tt:Day>{u.day}</tt:Day></tt:Date></tt:UTCDateTime>"
        f"<tt:LocalDateTime><tt:Time><tt:Hour>{local.hour}</tt:Hour>"
        f"<tt:Minute>{local.minute}</tt:Minute><tt:Second>{local.second}</tt:Second></tt:Time>"
        f"<tt:Date><tt:Year>{local.year}</tt:Year><tt:Month>{local.month}</tt:Month>"
        f"<tt:Day>{local.day}</tt:Day></tt:Date></tt:LocalDateTime>"
        "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
    )


def device_information(cam: SimCamera) -> str:
    """GetDeviceInformationResponse from the camera's identity."""
    i = cam.identity
    return (
        "<tds:GetDeviceInformationResponse>"
        f"<tds:Manufacturer>{escape(i.manufacturer)}</tds:Manufacturer>"
        f"<tds:Model>{escape(i.model)}</tds:Model>"
        f"<tds:FirmwareVersion>{escape(i.firmware)}</tds:FirmwareVersion>"
        f"<tds:SerialNumber>{escape(i.serial)}</tds:SerialNumber>"
        f"<tds:HardwareId>{escape(i.hardware_id)}</tds:HardwareId>"
        "</tds:GetDeviceInformationResponse>"
    )


def _base(cam: SimCamera) -> str:
    return f"http://{cam.address}:{cam.onvif_port}/onvif"


def capabilities(cam: SimCamera) -> str:
    """GetCapabilitiesResponse advertising device, events and media services."""
    base = _base(cam)
    return (
        "<tds:GetCapabilitiesResponse><tds:Capabilities>"
        f"<tt:Device><tt:XAddr>{base}/device_service</tt:XAddr>"
        "<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve>"
        "<tt:DiscoveryBye>false</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery>"
        "<tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging>"
        "<tt:FirmwareUpgrade>false</tt:FirmwareUpgrade>"
        "<tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions>"
        "</tt:System></tt:Device>"
        f"<tt:Events><tt:XAddr>{base}/events_service</tt:XAddr>"
        "<tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>"
        "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
        "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
        "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>"
        f"<tt:Media><tt:XAddr>{base}/media_service</tt:XAddr><tt:StreamingCapabilities>"
        "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
        "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
        "</tds:Capabilities></tds:GetCapabilitiesResponse>"
    )


def services(cam: SimCamera) -> str:
    """GetServicesResponse: namespace and XAddr of each service."""
    base = _base(cam)
    entries = (
        (NS["tds"], "device_service"),
        (NS["trt"], "media_service"),
        (NS["tev"], "events_service"),
        (NS["trc"], "recording_service"),
    )
    body = "".join(
        f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{base}/{path}</tds:XAddr>"
        "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>"
        for ns, path in entries
    )
    return f"<tds:GetServicesResponse>{body}</tds:GetServicesResponse>"


def scopes(cam: SimCamera) -> str:
    """GetScopesResponse with name, hardware and location scopes."""
    items = (
        ("Fixed", "onvif://www.onvif.org/type/video_encoder"),
        ("Fixed", "onvif://www.onvif.org/Profile/Streaming"),
        ("Fixed", f"onvif://www.onvif.org/hardware/{cam.identity.model}"),
        ("Configurable", f"onvif://www.onvif.org/name/{cam.code}"),
        ("Configurable", f"onvif://www.onvif.org/location/area/{cam.area_code}"),
    )
    body = "".join(
        f"<tds:Scopes><tt:ScopeDef>{d}</tt:ScopeDef><tt:ScopeItem>{escape(i)}</tt:ScopeItem>"
        "</tds:Scopes>"
        for d, i in items
    )
    return f"<tds:GetScopesResponse>{body}</tds:GetScopesResponse>"


def hostname(cam: SimCamera) -> str:
    """GetHostnameResponse."""
    return (
        "<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>"
        f"<tt:Name>{escape(cam.code.lower())}</tt:Name></tds:HostnameInformation>"
        "</tds:GetHostnameResponse>"
    )


def _video_source_configuration(cam: SimCamera) -> str:
    return (
        '<tt:VideoSourceConfiguration token="VideoSourceConfig_1">'
        "<tt:Name>VideoSourceConfig</tt:Name>"
        f"<tt:UseCount>1</tt:UseCount><tt:SourceToken>{VIDEO_SOURCE_TOKEN}</tt:SourceToken>"
        f'<tt:Bounds x="0" y="0" width="{cam.width}" height="{cam.height}"/>'
        "</tt:VideoSourceConfiguration>"
    )


def _video_encoder_configuration(cam: SimCamera) -> str:
    return (
        '<tt:VideoEncoderConfiguration token="VideoEncoderConfig_1"><tt:Name>MainStream</tt:Name>'
        "<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>"
        f"<tt:Resolution><tt:Width>{cam.width}</tt:Width><tt:Height>{cam.height}</tt:Height>"
        "</tt:Resolution><tt:Quality>5</tt:Quality><tt:RateControl>"
        f"<tt:FrameRateLimit>{cam.fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>"
        "<tt:BitrateLimit>1024</tt:BitrateLimit></tt:RateControl>"
        f"<tt:H264><tt:GovLength>{2 * cam.fps}</tt:GovLength>"
        "<tt:H264Profile>Baseline</tt:H264Profile>"
        "</tt:H264><tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type>"
        "<tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port>"
        "<tt:TTL>0</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>"
        "<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>"
    )


def profiles(cam: SimCamera) -> str:
    """GetProfilesResponse with one H.264 main profile."""
    return (
        f'<trt:GetProfilesResponse><trt:Profiles token="{PROFILE_TOKEN}" fixed="true">'
        "<tt:Name>MainProfile</tt:Name>"
        f"{_video_source_configuration(cam)}{_video_encoder_configuration(cam)}"
        "</trt:Profiles></trt:GetProfilesResponse>"
    )


def video_sources(cam: SimCamera) -> str:
    """GetVideoSourcesResponse."""
    return (
        f'<trt:GetVideoSourcesResponse><trt:VideoSources token="{VIDEO_SOURCE_TOKEN}">'
        f"<tt:Framerate>{cam.fps}</tt:Framerate><tt:Resolution><tt:Width>{cam.width}</tt:Width>"
        f"<tt:Height>{cam.height}</tt:Height></tt:Resolution></trt:VideoSources>"
        "</trt:GetVideoSourcesResponse>"
    )


def media_uri(operation: str, uri: str) -> str:
    """GetStreamUriResponse or GetSnapshotUriResponse."""
    return (
        f"<trt:{operation}Response><trt:MediaUri><tt:Uri>{escape(uri)}</tt:Uri>"
        "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
        "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
        f"</trt:MediaUri></trt:{operation}Response>"
    )


def event_properties() -> str:
    """GetEventPropertiesResponse listing the topics this camera can raise."""
    return (
        "<tev:GetEventPropertiesResponse>"
        "<tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml"
        "</tev:TopicNamespaceLocation><wsnt:FixedTopicSet>true</wsnt:FixedTopicSet>"
        "<wstop:TopicSet><tns1:Device><tns1:HardwareFailure>"
        '<tns1:StorageFailure wstop:topic="true"/>'
        "</tns1:HardwareFailure></tns1:Device>"
        '<tns1:Monitoring><tns1:OperatingTime><tns1:LastReboot wstop:topic="true"/>'
        "</tns1:OperatingTime></tns1:Monitoring>"
        '<tns1:RuleEngine><tns1:TamperDetector><tns1:Tamper wstop:topic="true"/>'
        "</tns1:TamperDetector></tns1:RuleEngine>"
        '<tns1:RecordingConfig><tns1:JobState wstop:topic="true"/></tns1:RecordingConfig>'
        "</wstop:TopicSet>"
        f"<wsnt:TopicExpressionDialect>{TOPIC_DIALECT}</wsnt:TopicExpressionDialect>"
        "<tev:MessageContentFilterDialect>http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
        "</tev:MessageContentFilterDialect>"
        "<tev:MessageContentSchemaLocation>http://www.onvif.org/onvif/ver10/schema/onvif.xsd"
        "</tev:MessageContentSchemaLocation></tev:GetEventPropertiesResponse>"
    )


def create_pull_point(address: str, now: dt.datetime, until: dt.datetime) -> str:
    """CreatePullPointSubscriptionResponse pointing at a subscription URL."""
    return (
        "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
        f"<wsa:Address>{escape(address)}</wsa:Address></tev:SubscriptionReference>"
        f"<wsnt:CurrentTime>{xsd_datetime(now)}</wsnt:CurrentTime>"
        f"<wsnt:TerminationTime>{xsd_datetime(until)}</wsnt:TerminationTime>"
        "</tev:CreatePullPointSubscriptionResponse>"
    )


@dataclass(frozen=True, slots=True)
class Notification:
    """One event message: a topic, its source item, its data items and the property operation."""

    topic: str
    source: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, str], ...]
    operation: str = "Changed"


def _items(items: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"<tt:SimpleItem Name={quoteattr(n)} Value={quoteattr(v)}/>" for n, v in items)


def pull_messages(now: dt.datetime, until: dt.datetime, messages: list[Notification]) -> str:
    """PullMessagesResponse carrying ONVIF notification messages."""
    body = "".join(
        "<wsnt:NotificationMessage>"
        f'<wsnt:Topic Dialect="{TOPIC_DIALECT}">{m.topic}</wsnt:Topic><wsnt:Message>'
        f'<tt:Message UtcTime="{xsd_datetime(now)}" PropertyOperation="{m.operation}">'
        f"<tt:Source>{_items(m.source)}</tt:Source><tt:Data>{_items(m.data)}</tt:Data>"
        "</tt:Message></wsnt:Message></wsnt:NotificationMessage>"
        for m in messages
    )
    return (
        f"<tev:PullMessagesResponse><tev:CurrentTime>{xsd_datetime(now)}</tev:CurrentTime>"
        f"<tev:TerminationTime>{xsd_datetime(until)}</tev:TerminationTime>{body}"
        "</tev:PullMessagesResponse>"
    )


def renew(now: dt.datetime, until: dt.datetime) -> str:
    """RenewResponse."""
    return (
        f"<wsnt:RenewResponse><wsnt:TerminationTime>{xsd_datetime(until)}</wsnt:TerminationTime>"
        f"<wsnt:CurrentTime>{xsd_datetime(now)}</wsnt:CurrentTime></wsnt:RenewResponse>"
    )


def empty(prefix: str, operation: str) -> str:
    """An empty <prefix:OperationResponse/> (Unsubscribe, SetSynchronizationPoint)."""
    return f"<{prefix}:{operation}Response/>"


RECORDING_JOB_TOKEN = "RecordingJob_1"
_RECORDING_TOKEN = "Recording_1"


def recording_jobs() -> str:
    """GetRecordingJobsResponse: one continuous recording job to the SD card."""
    return (
        "<trc:GetRecordingJobsResponse><trc:JobItem>"
        f"<tt:JobToken>{RECORDING_JOB_TOKEN}</tt:JobToken><tt:JobConfiguration>"
        f"<tt:RecordingToken>{_RECORDING_TOKEN}</tt:RecordingToken><tt:Mode>Active</tt:Mode>"
        "<tt:Priority>1</tt:Priority></tt:JobConfiguration></trc:JobItem>"
        "</trc:GetRecordingJobsResponse>"
    )


def recording_job_state(failed: bool) -> str:
    """GetRecordingJobStateResponse: Active while recording, Error when the medium failed."""
    state = "Error" if failed else "Active"
    return (
        "<trc:GetRecordingJobStateResponse><trc:State>"
        f"<tt:RecordingToken>{_RECORDING_TOKEN}</tt:RecordingToken><tt:State>{state}</tt:State>"
        "</trc:State></trc:GetRecordingJobStateResponse>"
    )
