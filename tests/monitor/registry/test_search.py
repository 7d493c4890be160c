"""Accent- and case-free camera search, and import problems said in Vietnamese."""

from __future__ import annotations

import pytest

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.models import Area, Camera
from monitor.registry.problem_text import problem_text
from monitor.registry.search import CameraQuery, fold, matches, search_cameras, tags, vendors
from tests.registry_data import Seed


@pytest.mark.parametrize(
    "text,folded",
    [
        ("Chợ", "cho"),
        ("Trần  Phú", "tran phu"),
        ("Đường Điện Biên Phủ", "duong dien bien phu"),
        ("QUỐC LỘ 1A", "quoc lo 1a"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_every_word_must_match_somewhere() -> None:
    assert matches("cho", "Chợ Tịnh Phong")
    assert matches("tran phu", "Số 12", "Đường Trần Phú")
    assert matches("phu tran", "Đường Trần Phú")  # word order does not matter
    assert not matches("tran hung dao", "Đường Trần Phú")
    assert not matches("cho", "Camera ST-0001")


def test_search_over_code_name_address_and_commune(database: Database, seed: Seed) -> None:
    with database.session() as s:
        s.query(Camera).filter(Camera.code == "ST-0002").update(
            {
                "name": "Chợ Tịnh Phong",
                "address": "Đường Trần Phú",
                "vendor": "Dahua",
                "tags": ["chợ", "cổng"],
            }
        )
    system = Actor.system()
    with database.session() as s:

        def codes(**kw: object) -> list[str]:
            rows, total = search_cameras(s, system, CameraQuery(**kw))
            assert total == len(rows)
            return [c.code for c in rows]

        assert codes(q="cho") == ["ST-0002"]
        assert codes(q="TRAN PHU") == ["ST-0002"]
        assert codes(q="st-000") == ["ST-0001", "ST-0002"]
        assert codes(q="truong tho") == ["ST-0001"]  # its village
        assert codes(q="tinh phong") == ["ST-0001", "ST-0002"]  # its commune (or name)
        assert codes(q="binh son") == ["BS-0001"]  # the area above the commune
        assert codes(tag="CHO") == ["ST-0002"]
        assert codes(vendor="Dahua") == ["ST-0002"]
        assert codes(area_code="BS") == ["BS-0001"]
        assert vendors(s, system) == ["Dahua"]
        assert tags(s, system) == ["chợ", "cổng"]
        page, total = search_cameras(s, system, CameraQuery(), limit=2, offset=2)
        assert [c.code for c in page] == ["ST-0002"] and total == 3
        crew_area = s.query(Area).filter(Area.code == "ST").one()
        crew = Actor(
            user_id=None, username="crew", role=system.role, area_ids=frozenset({crew_area.id})
        )
        rows, _ = search_cameras(s, crew, CameraQuery())  # its areas only
        assert [c.code for c in rows] == ["ST-0001", "ST-0002"]


@pytest.mark.parametrize(
    "reason,vietnamese",
    [
        ("unknown area code 'XX-9'", "Không có địa bàn mã 'XX-9'"),
        ("camera code repeats row 2 of this file", "Mã camera trùng với dòng 2 của tệp"),
        ("Input should be less than or equal to 90", "Phải nhỏ hơn hoặc bằng 90"),
        ("value is required", "Ô bắt buộc phải có giá trị"),
        ("required column is missing", "Thiếu cột bắt buộc"),
        ("something new", "something new"),
    ],
)
def test_problem_text(reason: str, vietnamese: str) -> None:
    assert problem_text(reason, "vi") == vietnamese
    assert problem_text(reason, "en") == reason
