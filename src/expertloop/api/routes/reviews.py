"""Review of judgments: the reviewers' queue, a verdict on one judgment, the expert's own
reviews with their feedback."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.routes.assignments import item_public, json_response
from expertloop.api.schemas.reviews import (
    FeedbackPublic,
    FeedbacksPublic,
    PendingReviewPublic,
    PendingReviewsPublic,
    ReviewCreate,
    ReviewPublic,
)
from expertloop.services import reviews
from expertloop.services.reviews import PendingReview, Reviewed

router = APIRouter(tags=["reviews"])


@router.get("/reviews", response_model=PendingReviewsPublic)
def review_queue(
    session: ReadSessionDep,
    actor: CurrentActor,
    project_id: int | None = None,
    limit: int = Query(default=reviews.DEFAULT_LIMIT, ge=1, le=500),
) -> PendingReviewsPublic:
    """Judgments waiting for review, oldest first, never the caller's own."""
    found = reviews.review_queue(session=session, actor=actor, project_id=project_id, limit=limit)
    data = [pending_public(pending) for pending in found]
    return PendingReviewsPublic(data=data, count=len(data))


@router.post(
    "/judgments/{judgment_id}/review",
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewPublic,
    responses={200: {"model": ReviewPublic, "description": "The same verdict sent again"}},
)
def review_judgment(
    judgment_id: int, body: ReviewCreate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> Response:
    result = reviews.review_judgment(
        session=session, actor=actor, judgment_id=judgment_id, now=now, **body.model_dump()
    )
    code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
    return json_response(review_public(result), code)


@router.get("/me/reviews", response_model=FeedbacksPublic)
def my_reviews(
    session: ReadSessionDep,
    actor: CurrentActor,
    limit: int = Query(default=reviews.DEFAULT_LIMIT, ge=1, le=500),
) -> FeedbacksPublic:
    """Reviews of the caller's own judgments, newest first; the reviewer stays anonymous."""
    found = reviews.my_reviews(session=session, actor=actor, limit=limit)
    data = [FeedbackPublic.model_validate(feedback, from_attributes=True) for feedback in found]
    return FeedbacksPublic(data=data, count=len(data))


def pending_public(pending: PendingReview) -> PendingReviewPublic:
    judgment = pending.judgment
    return PendingReviewPublic(
        judgment_id=judgment.id,
        project_id=pending.project.id,
        project_name=pending.project.name,
        kind=pending.project.kind,
        expert_id=judgment.expert_id,
        value=judgment.value,
        rationale=judgment.rationale,
        guideline_version=judgment.guideline_version,
        active_seconds=round(judgment.active_seconds, 3),
        created_at=judgment.created_at,
        item=item_public(pending.item),
    )


def review_public(result: Reviewed) -> ReviewPublic:
    review = result.review
    return ReviewPublic(
        id=review.id,
        judgment_id=review.judgment_id,
        project_id=review.project_id,
        expert_id=review.expert_id,
        reviewer_id=review.reviewer_id,
        verdict=review.verdict,
        state=result.state,
        feedback=review.feedback,
        clarity=review.clarity,
        revised_value=review.revised_value,
        created_at=review.created_at,
    )
