"""Judging pictures in the service: the baseline is stored with the reference view, and a picture
fault leaves evidence a crew can read (the grab beside the reference, the changed region outlined,
the deciding numbers)."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.judgement_cases import Camera as SimCamera
from bench.judgement_cases import _photo, _world, cover
from monitor.core.db import Database
from monitor.core.models import Camera, CameraStatus, ReferenceView
from monitor.core.settings import Settings
from monitor.monitoring.evidence import OUTLINE, PANEL_WIDTH, changed_tiles
from monitor.monitoring.pictures import (
    FrameMemory,
    PictureVerdict,
    judge_picture,
    read_context,
    set_reference,
    store_verdict,
)
from monitor.monitoring.runner import new_status
from monitor.registry.cameras import CameraRules
from probes.faults import FaultCode
from tests.registry_data import seed_registry

NOON_VN = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam


def _status(session: Session, camera_id: int) -> CameraStatus:
    status = session.get(CameraStatus, camera_id)
    if status is None:
        status = new_status(camera_id)
        session.add(status)
    return status


@pytest.fixture
def registered(database: Database, settings: Settings) -> int:
    """The id of a registered camera."""
    seed_registry(database, CameraRules.from_settings(settings))
    with database.session() as s:
        camera_id = s.scalars(select(Camera.id)).first()
    assert camera_id is not None
    return camera_id


def _judge(
    database: Database, camera_id: int, frame: np.ndarray, memory: FrameMemory
) -> PictureVerdict:
    """Judge a grab as the runner does: read what is stored, judge, store what it leaves."""
    with database.session() as s:
        context = read_context(s, camera_id)
    verdict = judge_picture(context, frame, memory, NOON_VN)
    with database.session() as s:
        store_verdict(s, _status(s, camera_id), verdict)
    return verdict


def test_baseline_is_learned_with_the_view_and_a_cover_leaves_side_by_side_evidence(
    database: Database, registered: int
) -> None:
    camera_id = registered
    # A greyscale scene: any strongly red pixel in the evidence is the outline.
    cam = SimCamera("camera", _world(_photo("camera")), seed=4, camera_id=1)
    memory = FrameMemory()
    for _ in range(4):
        verdict = _judge(database, camera_id, cam.grab(), memory)
        assert verdict.assessment.ok, verdict.assessment.to_dict()
    with database.session() as s:
        view = s.get(ReferenceView, camera_id)
        assert view.frames_learned == 4
        hours = view.baseline["hours"]
        assert list(hours) == ["12"] and hours["12"]["samples"] == 4
        assert view.baseline["overall"]["brightness"] > 50

    covered = cam.grab(cover("left60", 40.0)(cam.view(), cam.rng))
    verdict = _judge(database, camera_id, covered, memory)
    assert verdict.assessment.faults == [FaultCode.COVERED]
    evidence = cv2.imdecode(np.frombuffer(verdict.thumbnail, np.uint8), cv2.IMREAD_COLOR)
    assert evidence.shape[1] == 2 * PANEL_WIDTH  # the grab beside the reference view
    grab_panel = evidence[: evidence.shape[0] - 60, :PANEL_WIDTH].astype(int)
    red = (grab_panel[..., 2] > 180) & (grab_panel[..., 1] < 80) & (grab_panel[..., 0] < 80)
    columns = np.nonzero(red.any(axis=0))[0]
    # The outline sits around the covered left part, not over the uncovered right part.
    assert columns.size and columns.max() < 0.75 * PANEL_WIDTH, columns
    # A faulty picture does not teach the baseline.
    with database.session() as s:
        assert s.get(ReferenceView, camera_id).baseline["samples"] == 4


def test_changed_tiles_mark_where_the_view_was_covered() -> None:
    cam = SimCamera("coffee", _world(_photo("coffee")), seed=2, camera_id=2)
    reference = cam.grab()
    tiles = changed_tiles(cam.grab(cover("right40", 230.0)(cam.view(), cam.rng)), reference)
    cols = tiles.shape[1]
    assert tiles[:, int(0.7 * cols) :].mean() > 0.8
    assert tiles[:, : int(0.5 * cols)].mean() < 0.1
    assert OUTLINE == (0, 0, 255)


def test_a_view_set_while_a_grab_was_judged_is_not_overwritten_by_that_grab(
    database: Database, registered: int
) -> None:
    camera_id = registered
    cam = SimCamera("camera", _world(_photo("camera")), seed=4, camera_id=1)
    memory = FrameMemory()
    _judge(database, camera_id, cam.grab(), memory)
    with database.session() as s:
        context = read_context(s, camera_id)
    verdict = judge_picture(context, cam.grab(), memory, NOON_VN)
    assert verdict.learned is not None  # a healthy grab: it would teach the view
    # Meanwhile a technician re-aims the camera and sets its new view.
    new_view = cam.grab(cover("right40", 230.0)(cam.view(), cam.rng))
    with database.session() as s:
        technicians_png = set_reference(s, camera_id, new_view, "technician").image_png
    with database.session() as s:
        store_verdict(s, _status(s, camera_id), verdict)
    with database.session() as s:
        view = s.get(ReferenceView, camera_id)
        assert view.locked and view.updated_by == "technician" and view.frames_learned == 1
        assert view.image_png == technicians_png
        # The grab's fingerprint is still kept for the next frozen check.
        assert s.get(CameraStatus, camera_id).frame_fingerprint == verdict.fingerprint
