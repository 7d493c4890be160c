"""Periodic reviews (sơ kết / tổng kết): the decision sets the instance's status."""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.models import ModelInstance, ModelReview, ModelStatus, ReviewDecision
from monitor.movement.access import require_editor
from monitor.movement.health import cameras_health
from monitor.movement.instances import get_instance
from monitor.movement.schemas import ModelHealth, ReviewCreate, ReviewPublic

STATUS_AFTER = {
    ReviewDecision.KEEP: ModelStatus.ACTIVE,
    ReviewDecision.CONSOLIDATE: ModelStatus.TO_CONSOLIDATE,
    ReviewDecision.REPLICATE: ModelStatus.REPLICATED,
    ReviewDecision.REMOVE: ModelStatus.REMOVED,
}


def add_review(session: Session, actor: Actor, code: str, data: ReviewCreate) -> ModelReview:
    """Record a review of an instance and apply its decision to the instance's status."""
    require_editor(actor)
    instance = get_instance(session, actor, code)
    review = ModelReview(**data.model_dump(), recorded_by=actor.username, area_id=instance.area_id)
    if instance.type.links_cameras:
        # Frozen here: the review records what the committee saw on the day it decided.
        figures = cameras_health(session, instance.cameras, data.period_start, data.period_end)
        review.figures = figures.model_dump(mode="json")
    instance.reviews.append(review)
    before = instance.status
    instance.status = STATUS_AFTER[data.decision]
    session.flush()
    audit.record(
        session,
        actor,
        "review",
        "movement_instance",
        code,
        {
            "review": [
                None,
                f"{data.kind.value} {data.reviewed_on.isoformat()}: "
                f"{data.rating.value}, {data.decision.value}",
            ],
            **audit.diff({"status": before}, {"status": instance.status}),
        },
    )
    return review


def review_health(session: Session, instance: ModelInstance, review: ModelReview) -> ModelHealth:
    """The camera figures stored with the review (computed now only for reviews from before)."""
    if review.figures is not None:
        return ModelHealth.model_validate(review.figures)
    return cameras_health(session, instance.cameras, review.period_start, review.period_end)


def review_public(session: Session, instance: ModelInstance, review: ModelReview) -> ReviewPublic:
    """A review as shown; a camera model's review carries its cameras' measured health."""
    linked = instance.type.links_cameras or review.figures is not None
    health = review_health(session, instance, review) if linked else None
    return ReviewPublic(
        id=review.id,
        instance_code=instance.code,
        kind=review.kind,
        reviewed_on=review.reviewed_on,
        period_start=review.period_start,
        period_end=review.period_end,
        rating=review.rating,
        findings=review.findings,
        decision=review.decision,
        reviewer=review.reviewer,
        recorded_by=review.recorded_by,
        area_name=review.area.name if review.area is not None else "",
        camera_health=health,
    )


def list_reviews(session: Session, actor: Actor, code: str) -> list[ReviewPublic]:
    """An instance's reviews, oldest first, each with camera health where it applies."""
    instance = get_instance(session, actor, code)
    return [review_public(session, instance, r) for r in instance.reviews]
