"""Fleet building and the inventory it exports."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from monitor.registry.columns import CAMERA_COLUMNS
from monitor.simulator import (
    DEMO_AREAS,
    INVENTORY_HEADERS,
    PictureKind,
    addresses,
    build_fleet,
    inventory_rows,
    write_inventory_csv,
)


def test_same_seed_same_fleet_other_seed_other_identities() -> None:
    a, b, c = build_fleet(30, seed=3), build_fleet(30, seed=3), build_fleet(30, seed=4)
    assert inventory_rows(a) == inventory_rows(b)
    assert [x.identity.serial for x in a] != [x.identity.serial for x in c]


def test_demo_fleet_shows_every_fault_once_and_is_mostly_healthy() -> None:
    cams = build_fleet(300, seed=0)
    rtsp = [c for c in cams if c.rtsp]
    assert [c.picture for c in rtsp] == [
        PictureKind.HEALTHY,
        PictureKind.BLURRED,
        PictureKind.COVERED,
        PictureKind.DARK,
        PictureKind.FROZEN,
        PictureKind.TURNED_AWAY,
        PictureKind.NOISY,
        PictureKind.NO_SIGNAL,
    ]
    showcase = cams[8:17]
    labels = Counter(label.rstrip("+-0123456789s") for c in showcase for label in c.faults.labels())
    for fault in ("offline", "auth", "clock", "storage", "tamper", "onvif_error", "slow"):
        assert labels[fault] >= 1, fault
    assert {c.picture for c in showcase} >= {PictureKind.OVEREXPOSED, PictureKind.COLOR_CAST}
    healthy = [c for c in cams if not c.faults.labels() and c.picture is PictureKind.HEALTHY]
    assert 0.6 < len(healthy) / len(cams) < 0.9
    assert len({c.code for c in cams}) == len({c.address for c in cams}) == 300


def test_cameras_sit_around_quang_ngai_in_leaf_demo_areas() -> None:
    leaves = {a.code for a in DEMO_AREAS if a.level == "commune"}
    for cam in build_fleet(40, seed=1):
        assert cam.area_code in leaves
        assert 15.0 < cam.latitude < 15.3 and 108.6 < cam.longitude < 108.95


def test_addresses_skip_network_and_broadcast_octets_and_stay_in_loopback() -> None:
    got = addresses("127.20.0.253", 4)
    assert got == ["127.20.0.253", "127.20.0.254", "127.20.1.1", "127.20.1.2"]
    with pytest.raises(ValueError):
        addresses("127.255.255.250", 10)


def test_inventory_csv_has_the_import_headers_and_no_credentials_in_urls(tmp_path: Path) -> None:
    cams = build_fleet(12, seed=2)
    path = write_inventory_csv(cams, tmp_path / "fleet.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == INVENTORY_HEADERS
    # Every header is one the registry importer knows.
    known = {col.field for col in CAMERA_COLUMNS}
    assert set(INVENTORY_HEADERS) <= known
    assert rows[0]["rtsp_url"] == cams[0].rtsp_url and "@" not in rows[0]["rtsp_url"]
    assert rows[9]["password"] == cams[9].password  # the installer's, even for the `auth` camera
    assert cams[9].faults.auth and cams[9].device_password() != cams[9].password
    assert all(1 <= int(r["importance"]) <= 5 for r in rows)
    assert rows[0]["tags"] == "sim,rtsp"


def test_reprs_never_show_passwords() -> None:
    cam = build_fleet(10, seed=5)[9]  # the `auth` showcase camera
    assert cam.faults.device_password
    text = repr(cam) + repr(cam.faults) + str(cam.faults.labels())
    assert cam.password not in text and cam.faults.device_password not in text
