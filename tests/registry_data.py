"""A small, realistic registry for tests: one province, two clusters (former districts kept as
groupings), cameras, crews, users."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.models import AreaLevel, HostKind, Role
from monitor.registry import areas, cameras, crews, hosts, users
from monitor.registry.cameras import CameraRules
from monitor.registry.schemas import AreaCreate, CameraCreate, CrewCreate, HostCreate, UserCreate

PASSWORD = "correct horse battery"
CAMERA_PASSWORD = "Cam#Secret-2024"


@dataclass
class Seed:
    """Codes, ids and tokens of what was created."""

    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    crew_ids: dict[str, int] = field(default_factory=dict)
    host_ids: dict[str, int] = field(default_factory=dict)
    ticket_ids: dict[str, int] = field(default_factory=dict)


def seed_registry(db: Database, rules: CameraRules) -> Seed:
    """Create the test registry; one user per role (crew user in the Sơn Tịnh crew).

    Only the police user gets a login password: hashing one costs ~0.15 s of CPU by design.
    """
    seed = Seed()
    system = Actor.system("test")
    with db.session() as s:
        for code, name, level, kind, parent in [
            ("QNG", "Tỉnh Quảng Ngãi", AreaLevel.PROVINCE, "province", None),
            ("ST", "Huyện Sơn Tịnh", AreaLevel.CLUSTER, "former_district", "QNG"),
            ("BS", "Huyện Bình Sơn", AreaLevel.CLUSTER, "former_district", "QNG"),
            ("ST-TP", "Xã Tịnh Phong", AreaLevel.COMMUNE, "commune", "ST"),
            ("BS-BT", "Xã Bình Thuận", AreaLevel.COMMUNE, "commune", "BS"),
            ("ST-TP-1", "Thôn Trường Thọ", AreaLevel.VILLAGE, "village", "ST-TP"),
        ]:
            areas.create_area(
                s,
                system,
                AreaCreate(code=code, name=name, level=level, kind=kind, parent_code=parent),
            )
        for key, name, area, phone in [
            ("school", "Trường THCS Tịnh Phong", "ST-TP", "0905111222"),
            ("factory", "Công ty TNHH Dung Quất", "BS-BT", "0914333444"),
        ]:
            host = hosts.create_host(
                s,
                system,
                HostCreate(
                    name=name,
                    kind=HostKind.SCHOOL if key == "school" else HostKind.ENTERPRISE,
                    area_code=area,
                    contact_name="Nguyễn Văn A",
                    contact_phone=phone,
                ),
            )
            seed.host_ids[key] = host.id
        for code, area, host in [
            ("ST-0001", "ST-TP-1", "school"),
            ("ST-0002", "ST-TP", "school"),
            ("BS-0001", "BS-BT", "factory"),
        ]:
            cameras.create_camera(
                s,
                system,
                CameraCreate(
                    code=code,
                    name=f"Camera {code}",
                    area_code=area,
                    onvif_host="127.0.0.1",
                    host_id=seed.host_ids[host],
                    username="admin",
                    password=SecretStr(CAMERA_PASSWORD),
                    address="Quốc lộ 24B",
                    latitude=15.15,
                    longitude=108.78,
                ),
                rules,
            )
        crew = crews.create_crew(
            s, system, CrewCreate(name="Tổ sửa chữa Sơn Tịnh", area_codes=["ST"])
        )
        seed.crew_ids["st"] = crew.id
        for role in Role:
            user, token = users.create_user(
                s,
                system,
                UserCreate(
                    username=f"{role.value}1",
                    role=role,
                    crew_id=crew.id if role == Role.CREW else None,
                    password=SecretStr(PASSWORD) if role == Role.POLICE else None,
                ),
            )
            seed.tokens[role.value] = token
            seed.user_ids[role.value] = user.id
        # The police post of one commune: sees Tịnh Phong only.
        user, token = users.create_user(
            s,
            system,
            UserCreate(username="police_commune1", role=Role.POLICE, area_codes=["ST-TP"]),
        )
        seed.tokens["police_commune"] = token
        seed.user_ids["police_commune"] = user.id
    return seed


IMPORT_HEADER_EN = [
    "code",
    "name",
    "address",
    "area_code",
    "latitude",
    "longitude",
    "host_name",
    "host_phone",
    "vendor",
    "model",
    "onvif_host",
    "onvif_port",
    "username",
    "password",
    "expected_width",
    "expected_height",
    "importance",
    "enabled",
    "tags",
]

IMPORT_HEADER_VI = [
    "Mã camera",
    "Tên camera",
    "Địa chỉ",
    "Mã địa bàn",
    "Vĩ độ",
    "Kinh độ",
    "Hộ/đơn vị lắp đặt",
    "Số điện thoại",
    "Hãng",
    "Model",
    "Địa chỉ IP",
    "Cổng ONVIF",
    "Tên đăng nhập",
    "Mật khẩu",
    "Độ phân giải ngang",
    "Độ phân giải dọc",
    "Mức quan trọng",
    "Đang theo dõi",
    "Nhãn",
]


def camera_rows(
    count: int, *, prefix: str = "IMP", area_codes: tuple[str, ...] = ("ST-TP", "BS-BT", "ST-TP-1")
) -> list[list[str]]:
    """`count` valid import rows (in IMPORT_HEADER_* column order) on loopback addresses."""
    rows = []
    for i in range(count):
        rows.append(
            [
                f"{prefix}-{i:05d}",
                f"Camera số {i}",
                f"Thôn {i % 17}, Quốc lộ 1A",
                area_codes[i % len(area_codes)],
                f"{15.0 + (i % 1000) / 10000:.5f}",
                f"{108.7 + (i % 900) / 10000:.5f}",
                f"Hộ gia đình {i % 300}",
                f"0905{i % 1000000:06d}",
                "Hikvision" if i % 2 else "Dahua",
                "DS-2CD1023",
                f"127.{10 + i // 65536}.{i // 256 % 256}.{i % 256}",
                "80",
                "admin",
                f"pw-{i}",
                "1280",
                "720",
                str(1 + i % 5),
                "có",
                "trường học, cổng",
            ]
        )
    return rows


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """CSV bytes (UTF-8 with BOM, as spreadsheet programs save)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def seed_ticket(db: Database, settings: object, camera_code: str) -> int:
    """An open outage of a camera with its ticket (assigned if a crew covers its area)."""
    from sqlalchemy import select

    from monitor.core.models import Camera, Incident, IncidentKind
    from monitor.outages.tickets import open_ticket

    with db.session() as s:
        camera = s.scalar(select(Camera).where(Camera.code == camera_code))
        incident = Incident(
            kind=IncidentKind.CAMERA,
            camera=camera,
            area_id=camera.area_id,
            state="down",
            faults=["offline"],
            reason="no TCP answer",
        )
        s.add(incident)
        s.flush()
        return open_ticket(s, incident, settings).id
