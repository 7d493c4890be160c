"""Reviews: decisions set the status; a camera model's review shows measured health."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from monitor.core.access import Actor
from monitor.core.db import Database
from monitor.core.errors import PermissionDenied
from monitor.core.models import (
    Camera,
    HourlyRollup,
    Incident,
    IncidentKind,
    ModelStatus,
    ReviewDecision,
    ReviewRating,
    Role,
)
from monitor.movement import instances, reviews
from monitor.movement.schemas import ReviewCreate
from tests.registry_data import Seed

TECH = Actor(user_id=None, username="tech1", role=Role.TECHNICIAN)
POLICE = Actor(user_id=None, username="police1", role=Role.POLICE)


def _review(decision: ReviewDecision, **kw: object) -> ReviewCreate:
    values: dict[str, object] = dict(
        reviewed_on=date(2025, 12, 20),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 15),
        rating=ReviewRating.GOOD,
        decision=decision,
        findings="Mô hình duy trì tốt, người dân đồng tình ủng hộ.",
        reviewer="Ban Chỉ đạo 138 huyện Sơn Tịnh",
    )
    values.update(kw)
    return ReviewCreate(**values)


@pytest.mark.parametrize(
    "decision,status",
    [
        (ReviewDecision.KEEP, ModelStatus.ACTIVE),
        (ReviewDecision.CONSOLIDATE, ModelStatus.TO_CONSOLIDATE),
        (ReviewDecision.REPLICATE, ModelStatus.REPLICATED),
        (ReviewDecision.REMOVE, ModelStatus.REMOVED),
    ],
)
def test_decision_sets_the_instance_status(
    database: Database, seed: Seed, decision: ReviewDecision, status: ModelStatus
) -> None:
    with database.session() as s:
        instances.get_instance(s, POLICE, "ST-HAT-01").status = ModelStatus.UNDER_REVIEW
    with database.session() as s:
        reviews.add_review(s, TECH, "ST-HAT-01", _review(decision))
    with database.session() as s:
        row = instances.get_instance(s, POLICE, "ST-HAT-01")
        assert row.status == status
        [listed] = reviews.list_reviews(s, POLICE, "ST-HAT-01")
        assert listed.decision == decision and listed.recorded_by == "tech1"
        assert listed.camera_health is None  # not a camera model


def test_police_cannot_record_a_review_and_periods_must_make_sense(
    database: Database, seed: Seed
) -> None:
    with database.session() as s, pytest.raises(PermissionDenied):
        reviews.add_review(s, POLICE, "ST-HAT-01", _review(ReviewDecision.KEEP))
    with pytest.raises(ValidationError, match="end on or after"):
        _review(ReviewDecision.KEEP, period_end=date(2024, 12, 31))


def _hour(day: date, hour: int) -> datetime:
    # Local (UTC+7) hour `hour` of `day`, as the UTC instant roll-ups are keyed by.
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


def test_camera_model_review_shows_availability_and_faults_of_the_period(
    database: Database, seed: Seed
) -> None:
    start, end = date(2025, 6, 1), date(2025, 6, 30)
    with database.session() as s:
        for camera in s.scalars(select(Camera)):
            camera.created_at = datetime(2024, 12, 1, tzinfo=UTC)
        cams = {c.code: c.id for c in s.scalars(select(Camera))}
        rollups = [
            # ST-0001: 10 hours fully up, 10 hours half up -> 0.75
            *(
                HourlyRollup(
                    camera_id=cams["ST-0001"],
                    hour=_hour(date(2025, 6, 2), h),
                    probes=60,
                    successes=60,
                    availability=1.0,
                )
                for h in range(10)
            ),
            *(
                HourlyRollup(
                    camera_id=cams["ST-0001"],
                    hour=_hour(date(2025, 6, 3), h),
                    probes=60,
                    successes=30,
                    availability=0.5,
                )
                for h in range(10)
            ),
            # ST-0002: 10 hours down
            *(
                HourlyRollup(
                    camera_id=cams["ST-0002"],
                    hour=_hour(date(2025, 6, 30), 14 + h),
                    probes=60,
                    successes=0,
                    availability=0.0,
                )
                for h in range(10)
            ),
            # outside the period (local 31 May 23:00 and 1 July 00:00): must not count
            HourlyRollup(
                camera_id=cams["ST-0001"],
                hour=_hour(date(2025, 5, 31), 23),
                probes=60,
                successes=0,
                availability=0.0,
            ),
            HourlyRollup(
                camera_id=cams["ST-0002"],
                hour=_hour(date(2025, 7, 1), 0),
                probes=60,
                successes=60,
                availability=1.0,
            ),
            # BS-0001 is not linked to the model
            HourlyRollup(
                camera_id=cams["BS-0001"],
                hour=_hour(date(2025, 6, 10), 0),
                probes=60,
                successes=0,
                availability=0.0,
            ),
        ]
        s.add_all(rollups)
        s.add_all(
            [
                Incident(
                    kind=IncidentKind.CAMERA,
                    camera_id=cams["ST-0001"],
                    state="down",
                    started_at=_hour(date(2025, 6, 3), 0),
                    ended_at=_hour(date(2025, 6, 3), 5),
                    faults=["offline"],
                ),
                # began before the period: only its part inside counts (first 2 hours of 1 June)
                Incident(
                    kind=IncidentKind.CAMERA,
                    camera_id=cams["ST-0002"],
                    state="degraded",
                    started_at=_hour(date(2025, 5, 31), 20),
                    ended_at=_hour(date(2025, 6, 1), 2),
                    faults=["blur", "too_dark"],
                ),
                Incident(
                    kind=IncidentKind.CAMERA,
                    camera_id=cams["ST-0002"],
                    state="down",
                    started_at=_hour(date(2025, 6, 30), 14),
                    ended_at=_hour(date(2025, 7, 1), 3),
                    faults=["offline"],
                ),
                # long over before the period
                Incident(
                    kind=IncidentKind.CAMERA,
                    camera_id=cams["ST-0001"],
                    state="down",
                    started_at=_hour(date(2025, 1, 1), 0),
                    ended_at=_hour(date(2025, 1, 2), 0),
                    faults=["stream_error"],
                ),
            ]
        )
    with database.session() as s:
        review = reviews.add_review(
            s,
            TECH,
            "ST-CAM-01",
            _review(
                ReviewDecision.KEEP,
                reviewed_on=date(2025, 7, 5),
                period_start=start,
                period_end=end,
            ),
        )
        health = reviews.review_public(s, review.instance, review).camera_health
    assert health is not None
    by_code = {c.code: c for c in health.cameras}
    assert by_code.keys() == {"ST-0001", "ST-0002"}
    june = 30 * 24 * 3600  # both cameras were registered long before June
    # One definition (docs/availability.md): time inside an outage of either kind is unavailable.
    assert by_code["ST-0001"].hours_measured == 30 * 24
    assert by_code["ST-0001"].incidents == 1
    assert by_code["ST-0001"].faults == {"offline": 1}
    assert by_code["ST-0001"].downtime_seconds == 5 * 3600
    assert by_code["ST-0001"].availability == round(1 - 5 * 3600 / june, 4)
    assert by_code["ST-0002"].faults == {"blur": 1, "offline": 1, "too_dark": 1}
    # 2 h of the first (degraded) incident and 10 h (14:00 to midnight local) of the second
    assert by_code["ST-0002"].downtime_seconds == 12 * 3600
    assert by_code["ST-0002"].availability == round(1 - 12 * 3600 / june, 4)
    assert health.availability == round(1 - 17 * 3600 / (2 * june), 4)
    assert health.incidents == 3
    with database.session() as s:
        [listed] = reviews.list_reviews(s, POLICE, "ST-CAM-01")
        assert listed.camera_health == health  # shown again, the same figures


def test_a_recorded_review_keeps_its_figures(database: Database, seed: Seed) -> None:
    with database.session() as s:
        for camera in s.scalars(select(Camera)):
            camera.created_at = datetime(2024, 12, 1, tzinfo=UTC)
        instance = instances.get_instance(s, TECH, "ST-CAM-01")
        instance.cameras = []  # recorded while no camera was linked yet
        reviews.add_review(
            s,
            TECH,
            "ST-CAM-01",
            _review(
                ReviewDecision.KEEP,
                reviewed_on=date(2025, 7, 5),
                period_start=date(2025, 6, 1),
                period_end=date(2025, 6, 30),
            ),
        )
    with database.session() as s:
        [before] = reviews.list_reviews(s, POLICE, "ST-CAM-01")
        cams = {c.code: c for c in s.scalars(select(Camera))}
        # Afterwards: cameras are linked and an incident of June is found late.
        instances.get_instance(s, TECH, "ST-CAM-01").cameras = [cams["ST-0001"], cams["ST-0002"]]
        s.add(
            Incident(
                kind=IncidentKind.CAMERA,
                camera_id=cams["ST-0001"].id,
                state="down",
                started_at=_hour(date(2025, 6, 3), 0),
                ended_at=_hour(date(2025, 6, 3), 5),
                faults=["offline"],
            )
        )
    with database.session() as s:
        [after] = reviews.list_reviews(s, POLICE, "ST-CAM-01")
    assert before.camera_health is not None and before.camera_health.incidents == 0
    assert before.camera_health.cameras == []
    assert after.camera_health == before.camera_health
