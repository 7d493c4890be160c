"""A small, realistic registry for tests: one province, two districts, cameras, crews, users."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr

from monitor.db import Database
from monitor.models import AreaLevel, HostKind, Role
from monitor.registry import areas, cameras, crews, hosts, users
from monitor.registry.cameras import CameraRules
from monitor.registry.schemas import AreaCreate, CameraCreate, CrewCreate, HostCreate, UserCreate
from monitor.registry.scope import Actor

PASSWORD = "correct horse battery"
CAMERA_PASSWORD = "Cam#Secret-2024"


@dataclass
class Seed:
    """Codes, ids and tokens of what was created."""

    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    crew_ids: dict[str, int] = field(default_factory=dict)
    host_ids: dict[str, int] = field(default_factory=dict)


def seed_registry(db: Database, rules: CameraRules) -> Seed:
    """Create the test registry; one user per role (crew user in the Sơn Tịnh crew).

    Only the police user gets a login password: hashing one costs ~0.15 s of CPU by design.
    """
    seed = Seed()
    system = Actor.system("test")
    with db.session() as s:
        for code, name, level, parent in [
            ("QNG", "Tỉnh Quảng Ngãi", AreaLevel.PROVINCE, None),
            ("ST", "Huyện Sơn Tịnh", AreaLevel.DISTRICT, "QNG"),
            ("BS", "Huyện Bình Sơn", AreaLevel.DISTRICT, "QNG"),
            ("ST-TP", "Xã Tịnh Phong", AreaLevel.COMMUNE, "ST"),
            ("BS-BT", "Xã Bình Thuận", AreaLevel.COMMUNE, "BS"),
            ("ST-TP-1", "Thôn Trường Thọ", AreaLevel.VILLAGE, "ST-TP"),
        ]:
            areas.create_area(
                s, system, AreaCreate(code=code, name=name, level=level, parent_code=parent)
            )
        for key, name, area, phone in [
            ("school", "Trường THCS Tịnh Phong", "ST-TP", "0905111222"),
            ("factory", "Công ty TNHH Dung Quất", "BS-BT", "0914333444"),
        ]:
            host = hosts.create_host(
                s, system,
                HostCreate(name=name, kind=HostKind.SCHOOL if key == "school" else
                           HostKind.ENTERPRISE, area_code=area, contact_name="Nguyễn Văn A",
                           contact_phone=phone),
            )  # fmt: skip
            seed.host_ids[key] = host.id
        for code, area, host in [
            ("ST-0001", "ST-TP-1", "school"),
            ("ST-0002", "ST-TP", "school"),
            ("BS-0001", "BS-BT", "factory"),
        ]:
            cameras.create_camera(
                s, system,
                CameraCreate(code=code, name=f"Camera {code}", area_code=area,
                             onvif_host="127.0.0.1", host_id=seed.host_ids[host],
                             username="admin", password=SecretStr(CAMERA_PASSWORD),
                             address="Quốc lộ 24B", latitude=15.15, longitude=108.78),
                rules,
            )  # fmt: skip
        crew = crews.create_crew(
            s, system, CrewCreate(name="Tổ sửa chữa Sơn Tịnh", district_codes=["ST"])
        )
        seed.crew_ids["st"] = crew.id
        for role in Role:
            user, token = users.create_user(
                s, system,
                UserCreate(username=f"{role.value}1", role=role,
                           crew_id=crew.id if role == Role.CREW else None,
                           password=SecretStr(PASSWORD) if role == Role.POLICE else None),
            )  # fmt: skip
            seed.tokens[role.value] = token
            seed.user_ids[role.value] = user.id
    return seed
