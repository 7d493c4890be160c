"""Every row of docs/permissions.md, for every role: allowed or refused as the table says."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth
from tests.movement_data import ensure_builtin_types
from tests.registry_data import Seed, seed_ticket

TABLE = Path(__file__).parents[2] / "docs" / "permissions.md"
ROLES = ("admin", "technician", "police", "police_commune", "crew")

BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/cameras"): {
        "code": "NEW-{role}",
        "name": "Camera mới",
        "area_code": "ST-TP",
        "onvif_host": "127.0.0.9",
    },
    ("PATCH", "/api/v1/cameras/ST-0001"): {"name": "Cổng trường"},
    ("POST", "/api/v1/cameras/ST-0001/maintenance"): {
        "starts_at": "2026-12-01T08:00:00+07:00",
        "ends_at": "2026-12-01T12:00:00+07:00",
    },
    ("POST", "/api/v1/areas"): {
        "code": "ST-TP-{role}",
        "name": "Thôn mới",
        "level": "village",
        "parent_code": "ST-TP",
    },
    ("PATCH", "/api/v1/areas/ST-TP"): {"name": "Xã Tịnh Phong"},
    ("POST", "/api/v1/hosts"): {"name": "Hộ {role}", "area_code": "ST-TP"},
    ("PATCH", "/api/v1/hosts/{school}"): {"contact_name": "Trần Thị B"},
    ("POST", "/api/v1/crews"): {"name": "Tổ {role}", "area_codes": ["BS"]},
    ("POST", "/api/v1/users"): {"username": "new-{role}", "role": "police"},
    ("POST", "/api/v1/auth/tokens"): {"name": "script"},
    ("PATCH", "/api/v1/users/{police_user}"): {"full_name": "Lê Văn C"},
    ("PATCH", "/api/v1/crews/{st_crew}"): {"phone": "0255 3822 000"},
    ("POST", "/api/v1/tickets/{new_ticket}/state"): {"state": "in_progress"},
    ("POST", "/api/v1/tickets/{st_ticket}/comments"): {"comment": "đã kiểm tra nguồn"},
    ("POST", "/api/v1/movement/types"): {"code": "ben-do-{role}", "name_vi": "Bến đò an toàn"},
    ("PATCH", "/api/v1/movement/types/{new_type}"): {"name_en": "Safe ferry landing"},
    ("POST", "/api/v1/movement/instances"): {
        "code": "MM-{role}",
        "type_code": "ho-an-toan",
        "name": "Hộ an toàn thôn Trường Thọ",
        "unit_name": "Thôn Trường Thọ",
        "area_code": "ST-TP-1",
    },
    ("PATCH", "/api/v1/movement/instances/{new_instance}"): {"camera_codes": ["ST-0001"]},
    ("POST", "/api/v1/movement/instances/{new_instance}/reviews"): {
        "reviewed_on": "2025-12-20",
        "period_start": "2025-01-01",
        "period_end": "2025-12-15",
        "rating": "good",
        "decision": "keep",
        "reviewer": "Ban Chỉ đạo 138 huyện Sơn Tịnh",
    },
}


def _rows() -> list[tuple[str, str, dict[str, bool]]]:
    rows = []
    for line in TABLE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
            allowed = {role: cell == "✔" for role, cell in zip(ROLES, cells[2:], strict=True)}
            rows.append((cells[0], cells[1], allowed))
    return rows


ROWS = _rows()


def test_table_covers_every_registry_route(client: TestClient) -> None:
    documented = {
        (m, re.sub(r"/(ST|BS)[-\w]*|/\{\w+\}", "/{}", p.split("?")[0])) for m, p, _ in ROWS
    }
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith(
            ("/api/v1/auth/log", "/api/v1/auth/password")
        ):
            continue
        for method in methods:
            key = (method.upper(), re.sub(r"\{\w+\}", "{}", path))
            assert key in documented, f"{key} is not in docs/permissions.md"


def _fresh(client: TestClient, seed: Seed, kind: str, tag: str) -> str:
    """Create a record as admin for a request that will consume it (a delete, a state change)."""
    admin = auth(seed, "admin")
    if kind == "new_dead_notification":
        from tests.monitor.notifiers.tickets_data import dead_notification

        return str(dead_notification(client.app.state.db))
    if kind == "new_ticket":
        app = client.app
        return str(seed_ticket(app.state.db, app.state.settings, "ST-0002"))
    if kind == "new_type":
        body = {"code": f"xoa-{tag.replace('_', '-')}", "name_vi": "Loại mới"}
        return client.post("/api/v1/movement/types", json=body, headers=admin).json()["code"]
    if kind == "new_instance":
        body = {
            "code": f"MM-NEW-{tag}",
            "type_code": "camera-an-ninh",
            "name": "Camera an ninh",
            "unit_name": "Công an xã Tịnh Phong",
            "area_code": "ST-TP",
        }
        return client.post("/api/v1/movement/instances", json=body, headers=admin).json()["code"]
    if kind == "new_camera":
        body = {
            "code": f"DEL-{tag}",
            "name": "Xoá",
            "area_code": "ST-TP",
            "onvif_host": "127.0.0.7",
        }
        return client.post("/api/v1/cameras", json=body, headers=admin).json()["code"]
    if kind == "new_area":
        body = {"code": f"DEL-{tag}", "name": "Xoá", "level": "village", "parent_code": "ST-TP"}
        return client.post("/api/v1/areas", json=body, headers=admin).json()["code"]
    if kind == "new_host":
        body = {"name": f"Hộ xoá {tag}", "area_code": "ST-TP"}
        return str(client.post("/api/v1/hosts", json=body, headers=admin).json()["id"])
    body = {"name": f"Tổ xoá {tag}", "area_codes": ["BS"]}
    return str(client.post("/api/v1/crews", json=body, headers=admin).json()["id"])


def _store_thumbnails(client: TestClient, code: str) -> None:
    from sqlalchemy import select

    from monitor.core.models import Camera, CameraStatus

    jpeg = b"\xff\xd8\xff\xe0 test picture \xff\xd9"
    with client.app.state.db.session() as s:
        camera_id = s.scalar(select(Camera.id).where(Camera.code == code))
        s.merge(CameraStatus(camera_id=camera_id, last_good_jpeg=jpeg, last_fault_jpeg=jpeg))


def _png() -> bytes:
    import cv2
    import numpy as np

    rng = np.random.default_rng(1)
    return cv2.imencode(".png", rng.integers(0, 255, (90, 160, 3), dtype=np.uint8))[1].tobytes()


def _request(client: TestClient, seed: Seed, method: str, path: str, role: str) -> int:
    body = BODIES.get((method, path))
    names = {
        **seed.host_ids,
        "st_crew": seed.crew_ids["st"],
        "police_user": seed.user_ids["police"],
        **seed.ticket_ids,
    }
    if path.startswith("/api/v1/movement/"):
        ensure_builtin_types(client.app.state.db)
    for kind in (
        "new_camera",
        "new_area",
        "new_host",
        "new_crew",
        "new_ticket",
        "new_type",
        "new_instance",
        "new_dead_notification",
    ):
        if "{" + kind + "}" in path:
            names[kind] = _fresh(client, seed, kind, role)
    concrete = path.format(**names)
    if "/thumbnails/" in path:  # a picture must exist to be served
        _store_thumbnails(client, concrete.split("/")[4])
    if path.endswith("/reference") and method in ("GET", "PUT"):
        image = _png()
        if method == "GET":  # a view must exist to be read
            client.put(
                concrete,
                files={"file": ("ref.png", image, "image/png")},
                headers=auth(seed, "admin"),
            )
        else:
            files = {"file": ("ref.png", image, "image/png")}
            return client.put(concrete, files=files, headers=auth(seed, role)).status_code
    if method == "POST" and path == "/api/v1/movement/instances/import":
        csv = "code,type_code,name,unit_name,area_code\nMM-IMP-1,ho-an-toan,Hộ an toàn,Thôn,ST-TP\n"
        files = {"file": ("models.csv", csv.encode(), "text/csv")}
        return client.post(concrete, files=files, headers=auth(seed, role)).status_code
    if method == "POST" and path == "/api/v1/areas/import":
        csv = f"code,name,kind,parent_code\nST-TP-{role},Thôn {role},thôn,ST-TP\n"
        files = {"file": ("areas.csv", csv.encode(), "text/csv")}
        return client.post(concrete, files=files, headers=auth(seed, role)).status_code
    if method == "POST" and path == "/api/v1/cameras/import":
        csv = "code,name,area_code,onvif_host\nIMP-1,Camera nhập,ST-TP,127.0.0.5\n"
        files = {"file": ("cams.csv", csv.encode(), "text/csv")}
        return client.post(concrete, files=files, headers=auth(seed, role)).status_code
    if body is not None:
        body = {k: (v.format(role=role) if isinstance(v, str) else v) for k, v in body.items()}
    return client.request(method, concrete, json=body, headers=auth(seed, role)).status_code


@pytest.mark.parametrize("method,path,allowed", ROWS, ids=[f"{m} {p}" for m, p, _ in ROWS])
def test_role_permissions(
    client: TestClient, seed: Seed, method: str, path: str, allowed: dict[str, bool]
) -> None:
    for role in ROLES:
        status = _request(client, seed, method, path, role)
        if allowed[role]:
            assert 200 <= status < 300, f"{role} should be allowed {method} {path}, got {status}"
        else:
            assert status in (403, 404), f"{role} should be refused {method} {path}, got {status}"


@pytest.mark.parametrize("method,path,allowed", ROWS[:8], ids=[f"{m} {p}" for m, p, _ in ROWS[:8]])
def test_anonymous_is_refused(
    client: TestClient, seed: Seed, method: str, path: str, allowed: dict[str, bool]
) -> None:
    concrete = re.sub(r"\{\w+\}", "1", path)
    assert client.request(method, concrete).status_code == 401
