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
    """An administrative area of the demo province (codes are demo codes, see DEMO_AREAS)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    latitude: float
    longitude: float
    kind: str = ""


# The new Quảng Ngãi (merged with Kon Tum on 1 July 2025): 96 commune-level units, 86 xã, 9 phường
# and the Lý Sơn special zone, two tiers only. The province code 51 is the official one; every other
# code here is a DEMO code, not the official unit code. Names: the 9 wards, Lý Sơn and the xã
# named after the former district they absorbed (plus Tịnh Khê, Vạn Tường, Măng Đen) are real
# names as far as we know them; the "Xã Giả lập NN" units are INVENTED to reach the real count
# of 86 xã. The clusters ("cụm") are an invented work organisation for the repair crews; Lý Sơn
# sits directly under the province (no cluster, no crew: its tickets go to the technicians).
_CLUSTERS = (
    # code, name, latitude, longitude (cluster centres, for placing the invented units)
    ("QNG-C-TT", "Cụm Trung tâm", 15.12, 108.80),
    ("QNG-C-BAC", "Cụm phía Bắc", 15.28, 108.73),
    ("QNG-C-NAM", "Cụm phía Nam", 14.88, 108.90),
    ("QNG-C-TAY", "Cụm miền núi phía Tây", 15.02, 108.50),
    ("QNG-C-KT", "Cụm Kon Tum", 14.35, 108.00),
)
# code, name, kind, cluster, latitude, longitude
_REAL_UNITS = (
    ("QNG-CAMTHANH", "Phường Cẩm Thành", "ward", "QNG-C-TT", 15.1205, 108.7923),
    ("QNG-NGHIALO", "Phường Nghĩa Lộ", "ward", "QNG-C-TT", 15.1140, 108.8100),
    ("QNG-TQTRONG", "Phường Trương Quang Trọng", "ward", "QNG-C-TT", 15.1450, 108.7850),
    ("QNG-TINHKHE", "Xã Tịnh Khê", "commune", "QNG-C-TT", 15.1700, 108.8650),
    ("QNG-SONTINH", "Xã Sơn Tịnh", "commune", "QNG-C-TT", 15.1600, 108.7500),
    ("QNG-TUNGHIA", "Xã Tư Nghĩa", "commune", "QNG-C-TT", 15.0880, 108.8080),
    ("QNG-NGHIAHANH", "Xã Nghĩa Hành", "commune", "QNG-C-NAM", 15.0400, 108.7700),
    ("QNG-MODUC", "Xã Mộ Đức", "commune", "QNG-C-NAM", 14.9600, 108.8800),
    ("QNG-DUCPHO", "Phường Đức Phổ", "ward", "QNG-C-NAM", 14.8100, 108.9600),
    ("QNG-TRACAU", "Phường Trà Câu", "ward", "QNG-C-NAM", 14.8400, 108.9300),
    ("QNG-SAHUYNH", "Phường Sa Huỳnh", "ward", "QNG-C-NAM", 14.6700, 109.0600),
    ("QNG-BINHSON", "Xã Bình Sơn", "commune", "QNG-C-BAC", 15.2900, 108.7500),
    ("QNG-VANTUONG", "Xã Vạn Tường", "commune", "QNG-C-BAC", 15.3800, 108.8000),
    ("QNG-TRABONG", "Xã Trà Bồng", "commune", "QNG-C-TAY", 15.2400, 108.5300),
    ("QNG-SONHA", "Xã Sơn Hà", "commune", "QNG-C-TAY", 15.0400, 108.4800),
    ("QNG-SONTAY", "Xã Sơn Tây", "commune", "QNG-C-TAY", 14.9800, 108.3500),
    ("QNG-MINHLONG", "Xã Minh Long", "commune", "QNG-C-TAY", 14.9500, 108.7000),
    ("QNG-BATO", "Xã Ba Tơ", "commune", "QNG-C-TAY", 14.7700, 108.7300),
    ("QNG-KONTUM", "Phường Kon Tum", "ward", "QNG-C-KT", 14.3500, 108.0000),
    ("QNG-DAKCAM", "Phường Đăk Cấm", "ward", "QNG-C-KT", 14.3900, 107.9900),
    ("QNG-DAKBLA", "Phường Đăk Bla", "ward", "QNG-C-KT", 14.3300, 108.0400),
    ("QNG-DAKHA", "Xã Đăk Hà", "commune", "QNG-C-KT", 14.5200, 107.9300),
    ("QNG-DAKTO", "Xã Đăk Tô", "commune", "QNG-C-KT", 14.6800, 107.8300),
    ("QNG-NGOCHOI", "Xã Ngọc Hồi", "commune", "QNG-C-KT", 14.7000, 107.6800),
    ("QNG-SATHAY", "Xã Sa Thầy", "commune", "QNG-C-KT", 14.4200, 107.7900),
    ("QNG-KONRAY", "Xã Kon Rẫy", "commune", "QNG-C-KT", 14.5400, 108.2100),
    ("QNG-DAKGLEI", "Xã Đăk Glei", "commune", "QNG-C-KT", 15.0800, 107.7400),
    ("QNG-TUMORONG", "Xã Tu Mơ Rông", "commune", "QNG-C-KT", 14.9000, 107.9600),
    ("QNG-IAHDRAI", "Xã Ia H'Drai", "commune", "QNG-C-KT", 14.1000, 107.5500),
    ("QNG-MANGDEN", "Xã Măng Đen", "commune", "QNG-C-KT", 14.6000, 108.2900),
    ("QNG-LYSON", "Đặc khu Lý Sơn", "special_zone", None, 15.3800, 109.1200),
)


def _demo_areas() -> tuple[DemoArea, ...]:
    areas = [DemoArea("51", "Tỉnh Quảng Ngãi", "province", None, 15.12, 108.80, "province")]
    centres = {}
    for code, name, lat, lon in _CLUSTERS:
        areas.append(DemoArea(code, name, "cluster", "51", lat, lon, "cluster"))
        centres[code] = (lat, lon)
    for code, name, kind, cluster, lat, lon in _REAL_UNITS:
        areas.append(DemoArea(code, name, "commune", cluster or "51", lat, lon, kind))
    real_xa = sum(1 for unit in _REAL_UNITS if unit[2] == "commune")
    rng = random.Random(51)
    cluster_codes = [c[0] for c in _CLUSTERS]
    for n in range(1, 86 - real_xa + 1):  # INVENTED units up to the real count of 86 xã
        cluster = cluster_codes[n % len(cluster_codes)]
        lat, lon = centres[cluster]
        areas.append(
            DemoArea(
                f"QNG-GL{n:02d}",
                f"Xã Giả lập {n:02d}",
                "commune",
                cluster,
                round(lat + rng.uniform(-0.12, 0.12), 4),
                round(lon + rng.uniform(-0.12, 0.12), 4),
                "commune",
            )
        )
    # A few residential groups and villages (generic numbered names, as most are).
    for parent, kind, word in (
        ("QNG-CAMTHANH", "residential_group", "Tổ dân phố"),
        ("QNG-TINHKHE", "village", "Thôn"),
        ("QNG-LYSON", "village", "Thôn"),
    ):
        unit = next(a for a in areas if a.code == parent)
        for n in (1, 2, 3):
            areas.append(
                DemoArea(
                    f"{parent}-{n}",
                    f"{word} {n}",
                    "village",
                    parent,
                    unit.latitude,
                    unit.longitude,
                    kind,
                )
            )
    return tuple(areas)


DEMO_AREAS: tuple[DemoArea, ...] = _demo_areas()
# The communes the demo's simulated cameras are spread over (around the provincial centre).
CAMERA_COMMUNES = (
    "QNG-CAMTHANH",
    "QNG-NGHIALO",
    "QNG-TQTRONG",
    "QNG-TINHKHE",
    "QNG-SONTINH",
    "QNG-TUNGHIA",
    "QNG-NGHIAHANH",
)
_COMMUNES = tuple(a for code in CAMERA_COMMUNES for a in DEMO_AREAS if a.code == code)

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
