"""A realistic simulated fleet and its inventory (the CSV `camwatch cameras import` reads)."""

from __future__ import annotations

import csv
import ipaddress
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.simulator.model import (
    DEFAULT_FAULTY_OPERATIONS,
    CameraFaults,
    Identity,
    PictureKind,
    SimCamera,
)


@dataclass(frozen=True, slots=True)
class DemoArea:
    """An administrative area the demo fleet is spread over (codes are demo codes)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    latitude: float
    longitude: float


DEMO_AREAS: tuple[DemoArea, ...] = (
    DemoArea("QNG", "Tỉnh Quảng Ngãi", "province", None, 15.12, 108.80),
    DemoArea("QNG-TP", "Thành phố Quảng Ngãi", "district", "QNG", 15.12, 108.80),
    DemoArea("QNG-TP-TRANPHU", "Phường Trần Phú", "commune", "QNG-TP", 15.1205, 108.7923),
    DemoArea("QNG-TP-LHP", "Phường Lê Hồng Phong", "commune", "QNG-TP", 15.1140, 108.8010),
    DemoArea("QNG-TP-NGHIADUNG", "Xã Nghĩa Dũng", "commune", "QNG-TP", 15.1330, 108.8310),
    DemoArea("QNG-ST", "Huyện Sơn Tịnh", "district", "QNG", 15.16, 108.75),
    DemoArea("QNG-ST-TINHHA", "Xã Tịnh Hà", "commune", "QNG-ST", 15.1600, 108.7500),
    DemoArea("QNG-TN", "Huyện Tư Nghĩa", "district", "QNG", 15.09, 108.80),
    DemoArea("QNG-TN-LAHA", "Thị trấn La Hà", "commune", "QNG-TN", 15.0880, 108.8080),
)
_COMMUNES = tuple(a for a in DEMO_AREAS if a.level == "commune")

# (manufacturer, model, firmware, serial prefix) of camera families common in the network.
_VENDORS = (
    ("Hikvision", "DS-2CD1023G0E-I", "V5.7.3 build 220112", "DS-2CD1023G0E-I20220315AAWR"),
    ("Dahua", "IPC-HFW1230S1-S5", "V2.820.0000000.9.R", "7B0A"),
    ("KBVision", "KX-A2111N2", "V2.622.0000000.31.R", "KBA"),
    ("EZVIZ", "CS-H3c", "V5.3.2 build 230607", "BD"),
    ("Imou", "IPC-F22P", "V2.800.0000000.3.R", "6H0"),
    ("Vantech", "VP-2224IP", "V4.1.0 build 210915", "VT"),
)
_STREETS = (
    "Quang Trung",
    "Hùng Vương",
    "Phan Đình Phùng",
    "Lê Lợi",
    "Nguyễn Nghiêm",
    "Trần Hưng Đạo",
    "Phạm Văn Đồng",
    "Lê Trung Đình",
    "Bà Triệu",
    "Hai Bà Trưng",
)
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ")
_GIVEN = (
    "Văn An",
    "Thị Bình",
    "Văn Cường",
    "Thị Dung",
    "Minh Hải",
    "Thị Lan",
    "Quốc Tuấn",
    "Thị Hoa",
    "Văn Phúc",
    "Ngọc Trâm",
)
_PLACES = (
    "Ngã tư",
    "Cổng chợ",
    "Trường THCS",
    "UBND phường",
    "Cầu",
    "Bến xe",
    "Trạm y tế",
    "Chùa",
    "Hẻm",
    "Công viên",
)

# One RTSP camera per picture the assessor must tell apart, healthy first.
RTSP_PICTURES = (
    PictureKind.HEALTHY,
    PictureKind.BLURRED,
    PictureKind.COVERED,
    PictureKind.DARK,
    PictureKind.FROZEN,
    PictureKind.TURNED_AWAY,
    PictureKind.NOISY,
    PictureKind.NO_SIGNAL,
)
# Faults shown once each right after the RTSP subset, so even a small demo fleet has them all.
_SHOWCASE = (
    "offline",
    "auth",
    "clock",
    "storage",
    "tamper",
    "onvif_error",
    "slow",
    "overexposed",
    "color_cast",
)
# The rest of the fleet: mostly healthy, a realistic sprinkle of faults.
_RANDOM_MIX = (
    ("healthy", 0.80),
    ("offline", 0.05),
    ("clock", 0.03),
    ("auth", 0.02),
    ("storage", 0.02),
    ("picture", 0.05),
    ("tamper", 0.01),
    ("onvif_error", 0.01),
    ("slow", 0.01),
)
_SNAPSHOT_PICTURE_FAULTS = (
    PictureKind.BLURRED,
    PictureKind.COVERED,
    PictureKind.DARK,
    PictureKind.FROZEN,
    PictureKind.TURNED_AWAY,
    PictureKind.NOISY,
    PictureKind.NO_SIGNAL,
    PictureKind.OVEREXPOSED,
    PictureKind.COLOR_CAST,
)


def addresses(base: str, count: int) -> list[str]:
    """`count` loopback addresses from `base` up, skipping .0 and .255 host octets."""
    start = ipaddress.IPv4Address(base)
    loopback = ipaddress.IPv4Network("127.0.0.0/8")
    out: list[str] = []
    current = int(start)
    while len(out) < count:
        addr = ipaddress.IPv4Address(current)
        if addr not in loopback or addr == loopback.broadcast_address:
            raise ValueError(f"{count} addresses from {base} leave 127.0.0.0/8")
        if str(addr).rsplit(".", 1)[1] not in ("0", "255"):
            out.append(str(addr))
        current += 1
    return out


def _apply(kind: str, cam: SimCamera, rng: random.Random) -> None:
    """Give a camera one named fault."""
    f = cam.faults
    if kind == "offline":
        f.offline = True
    elif kind == "auth":
        f.device_password = f"changed-{rng.randrange(10**6):06d}"
    elif kind == "clock":
        f.clock_offset_seconds = rng.choice((-1, 1)) * rng.randint(120, 3600)
    elif kind == "storage":
        f.storage_failure = True
    elif kind == "tamper":
        f.tamper = True
        cam.picture = PictureKind.COVERED
    elif kind == "onvif_error":
        f.faulty_operations = DEFAULT_FAULTY_OPERATIONS
    elif kind == "slow":
        f.slow_seconds = 3.0
    elif kind == "picture":
        cam.picture = rng.choice(_SNAPSHOT_PICTURE_FAULTS)
    elif kind in PictureKind.__members__.values():
        cam.picture = PictureKind(kind)
    elif kind != "healthy":
        raise ValueError(f"unknown fault {kind!r}")


def _identity(rng: random.Random, index: int) -> Identity:
    maker, model, firmware, prefix = rng.choice(_VENDORS)
    serial = f"{prefix}{rng.randrange(16**8):08X}{index:04d}"
    return Identity(maker, model, firmware, serial, f"HW-{rng.randrange(16**6):06X}")


def build_fleet(
    count: int,
    seed: int = 0,
    *,
    base_address: str = "127.20.0.1",
    onvif_port: int = 8000,
    rtsp_port: int = 8554,
    rtsp_count: int | None = None,
    username: str = "admin",
    code_prefix: str = "SIM",
    width: int = 640,
    height: int = 360,
    fps: int = 5,
    faults: bool = True,
) -> list[SimCamera]:
    """A deterministic fleet: an RTSP subset (one per picture fault), a showcase, then a mix.

    With `faults=False` every camera outside the RTSP subset is healthy (load tests).
    """
    rng = random.Random(seed)
    n_rtsp = min(count, len(RTSP_PICTURES) if rtsp_count is None else rtsp_count)
    cams: list[SimCamera] = []
    for index, address in enumerate(addresses(base_address, count)):
        area = _COMMUNES[index % len(_COMMUNES)]
        surname, given = rng.choice(_SURNAMES), rng.choice(_GIVEN)
        place = f"{rng.choice(_PLACES)} {rng.choice(_STREETS)}"
        cam = SimCamera(
            code=f"{code_prefix}-{index + 1:04d}",
            name=place,
            address=address,
            identity=_identity(rng, index + 1),
            onvif_port=onvif_port,
            rtsp_port=rtsp_port,
            username=username,
            password=f"cam{rng.randrange(10**8):08d}",
            faults=CameraFaults(),
            rtsp=index < n_rtsp,
            width=width,
            height=height,
            fps=fps,
            scene_seed=seed * 100_003 + index,
            latitude=round(area.latitude + rng.uniform(-0.008, 0.008), 6),
            longitude=round(area.longitude + rng.uniform(-0.008, 0.008), 6),
            area_code=area.code,
            street_address=f"{rng.randint(1, 400)} {rng.choice(_STREETS)}, {area.name}",
            host_name=f"Hộ {surname} {given}",
            host_contact=f"{surname} {given}",
            host_phone=f"0{rng.choice((3, 5, 7, 8, 9))}{rng.randrange(10**8):08d}",
            importance=rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 4, 2, 1))[0],
            upstream_device=f"SW-{area.code}-{index // 16 + 1:02d}",
        )
        if index < n_rtsp:
            cam.picture = RTSP_PICTURES[index % len(RTSP_PICTURES)]
        elif not faults:
            pass
        elif index - n_rtsp < len(_SHOWCASE):
            _apply(_SHOWCASE[index - n_rtsp], cam, rng)
        else:
            names, weights = zip(*_RANDOM_MIX, strict=True)
            _apply(rng.choices(names, weights=weights)[0], cam, rng)
        cam.tags = ("sim", "rtsp" if cam.rtsp else "snapshot-only")
        cams.append(cam)
    return cams


INVENTORY_HEADERS = (
    "code",
    "name",
    "address",
    "area_code",
    "latitude",
    "longitude",
    "host_name",
    "host_contact",
    "host_phone",
    "vendor",
    "model",
    "serial",
    "firmware",
    "onvif_host",
    "onvif_port",
    "rtsp_port",
    "rtsp_url",
    "snapshot_url",
    "username",
    "password",
    "expected_width",
    "expected_height",
    "expected_codec",
    "importance",
    "upstream_device",
    "enabled",
    "tags",
)


def inventory_rows(cameras: Iterable[SimCamera]) -> list[dict[str, object]]:
    """One import row per camera, as the registry knew it when it was installed."""
    rows = []
    for cam in cameras:
        rows.append(
            {
                "code": cam.code,
                "name": cam.name,
                "address": cam.street_address,
                "area_code": cam.area_code,
                "latitude": cam.latitude,
                "longitude": cam.longitude,
                "host_name": cam.host_name,
                "host_contact": cam.host_contact,
                "host_phone": cam.host_phone,
                "vendor": cam.identity.manufacturer,
                "model": cam.identity.model,
                "serial": cam.identity.serial,
                "firmware": cam.identity.firmware,
                "onvif_host": cam.address,
                "onvif_port": cam.onvif_port,
                "rtsp_port": cam.rtsp_port,
                "rtsp_url": cam.rtsp_url,
                "snapshot_url": cam.snapshot_url,
                "username": cam.username,
                # The installer's password; under an `auth` fault the device has another.
                "password": cam.password,
                "expected_width": cam.width,
                "expected_height": cam.height,
                "expected_codec": "h264",
                "importance": cam.importance,
                "upstream_device": cam.upstream_device,
                "enabled": "yes",
                "tags": ",".join(cam.tags),
            }
        )
    return rows


def write_inventory_csv(cameras: Sequence[SimCamera], path: Path | str) -> Path:
    """Write the inventory CSV (UTF-8, English headers) and return its path."""
    out = Path(path)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=INVENTORY_HEADERS)
        writer.writeheader()
        writer.writerows(inventory_rows(cameras))
    return out
