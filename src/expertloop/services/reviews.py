"""Use cases of review: pick judgments for review as they are submitted, the reviewers' queue,
a reviewer's verdict on one judgment, and the feedback experts read on their own judgments.

A verdict is one transaction: the judgment row is locked, moves from ``pending`` by
``review_transition``, and gets a review row; a rejection gives its item's slot back (another
expert judges it; the rejected expert never gets it again, leases being unique per item and
expert); a revision stores the reviewer's value, checked like any judgment's; the clarity
rating goes into the expert's quality record. Experts see their reviews without the
reviewer's identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core.errors import FieldError, Forbidden, Invalid, NotFound, invalid
from expertloop.core.items import prompt_line
from expertloop.core.lifecycles import ReviewState, ReviewVerdict, review_transition
from expertloop.core.policies import Actor, ProjectPolicy, ReviewPolicy, authorize, is_allowed
from expertloop.core.review_sampling import needs_review, reviews_nothing
from expertloop.services.projects import get_project_or_raise, list_projects, quality_policy, ref
from expertloop.services.values import validate_for_item
from expertloop.store import Session, audit
from expertloop.store import projects as project_store
from expertloop.store import quality as quality_store
from expertloop.store import reviews as store
from expertloop.store.queue import move_item_counts
from expertloop.store.tables import Item, Judgment, Project, Review

DEFAULT_LIMIT = 50
MAX_FEEDBACK = 10_000
CLARITY_RANGE = (1, 5)
REVIEWER_NAME = "a reviewer"
"""How experts see whoever reviewed their judgment."""
NEEDS_FEEDBACK = frozenset({ReviewVerdict.REJECT, ReviewVerdict.REVISE})


@dataclass(frozen=True)
class PendingReview:
    """A judgment waiting for review, with the item it judges and its project."""

    judgment: Judgment
    item: Item
    project: Project


@dataclass(frozen=True)
class Reviewed:
    """The review stored, the judgment's new state, and whether this call made it (False: the
    same verdict sent again)."""

    review: Review
    state: str
    created: bool


@dataclass(frozen=True)
class Feedback:
    """A review of one of the expert's own judgments, as the expert sees it."""

    review_id: int
    judgment_id: int
    project_id: int
    project_name: str
    item_id: int
    item_excerpt: str
    verdict: str
    state: str
    feedback: str
    clarity: int | None
    value: dict[str, Any]
    rationale: str
    revised_value: dict[str, Any] | None
    reviewer: str
    created_at: datetime


def pick_for_review(session: Session, *, project: Project, judgment: Judgment) -> str | None:
    """Inside a submit (no commit): put the judgment in review when the project's rules pick
    it, and say why. No query when the rules pick nothing; probation counts the expert's
    earlier judgments only when it is on, low reliability reads their record only when set."""
    rules = quality_policy(project).review
    if reviews_nothing(rules):
        return None
    before = 0
    if rules.probation > 0:
        before = store.count_earlier_judgments(
            session,
            project_id=project.id,
            expert_id=judgment.expert_id,
            before_id=judgment.id,
            cap=rules.probation,
        )
    reliability = None
    if rules.min_reliability is not None:
        record = quality_store.get_expert_quality(
            session, project_id=project.id, expert_id=judgment.expert_id
        )
        reliability = record.reliability if record is not None else None
    reason = needs_review(
        rules,
        judgment_id=judgment.id,
        project_id=project.id,
        expert_judgments_before=before,
        reliability=reliability,
    )
    if reason is not None:
        store.mark_pending(session, judgment)
    return reason


def review_queue(
    *, session: Session, actor: Actor, project_id: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[PendingReview]:
    """Judgments waiting for review, oldest first, never the actor's own; in one project or
    in every project the actor sees.

    Raises:
        Forbidden: for experts. NotFound: ``project.not_found``.
    """
    authorize(actor, ReviewPolicy.queue())
    if project_id is not None:
        project = get_project_or_raise(
            session=session, actor=actor, project_id=project_id, policy="watch"
        )
        ids = [project.id]
    else:
        ids = [project.id for project in list_projects(session=session, actor=actor)]
    rows = store.list_pending(session, project_ids=ids, exclude_expert_id=actor.id, limit=limit)
    session.commit()
    return [PendingReview(judgment, item, project) for judgment, item, project in rows]


def get_for_review(
    *, session: Session, actor: Actor, judgment_id: int, pending_only: bool = True
) -> PendingReview:
    """One judgment for the actor to review (the review page); ``pending_only=False`` also
    returns it once reviewed (to show a page that lost a race with another reviewer).

    Raises:
        NotFound: ``review.not_found``. Forbidden: ``review.own_judgment``, or for experts.
        Conflict: ``review.not_pending`` (with ``pending_only``).
    """
    judgment, project = _load(session, actor, judgment_id, lock=False)
    if pending_only:
        review_transition(judgment.review_state, ReviewVerdict.ACCEPT)  # review.not_pending?
    item = session.get(Item, judgment.item_id)
    assert item is not None  # the judgment's foreign key guarantees it
    session.commit()
    return PendingReview(judgment, item, project)


def _load(
    session: Session, actor: Actor, judgment_id: int, *, lock: bool
) -> tuple[Judgment, Project]:
    """The judgment to review and its project; the role is checked before anything is read,
    so an expert learns nothing of what exists."""
    authorize(actor, ReviewPolicy.queue())
    judgment = store.get_judgment(session, judgment_id, lock=lock)
    project = project_store.get_project(session, judgment.project_id) if judgment else None
    if (
        judgment is None
        or project is None
        or not is_allowed(actor, ProjectPolicy.view(ref(project)))
    ):
        raise NotFound("review.not_found", f"judgment {judgment_id} does not exist")
    if judgment.expert_id == actor.id:
        raise Forbidden("review.own_judgment", "nobody reviews their own judgment")
    authorize(actor, ReviewPolicy.review(judgment.expert_id))
    return judgment, project


def review_judgment(
    *,
    session: Session,
    actor: Actor,
    judgment_id: int,
    verdict: str,
    feedback: str,
    clarity: int | None,
    revised_value: dict[str, Any] | None,
    now: datetime,
) -> Reviewed:
    """A reviewer's verdict on a pending judgment, with feedback for its expert and a rating
    of how clearly its rationale says why the answer is right. Sending the same verdict again
    returns the stored review unchanged.

    Raises:
        NotFound: ``review.not_found``. Forbidden: ``review.own_judgment``, or for experts.
        Conflict: ``review.not_pending`` when the judgment was never picked or is reviewed.
        Invalid: ``review.invalid`` naming ``verdict``, ``feedback``, ``clarity`` or
            ``revised_value``; ``review.invalid_value`` naming ``revised_value.<field>``.
    """
    judgment, project = _load(session, actor, judgment_id, lock=True)
    chosen = _check_input(verdict, feedback, clarity, revised_value)
    revised = _revised(session, project, judgment, chosen, revised_value)
    text = feedback.strip()
    if judgment.review_state != ReviewState.PENDING.value:
        existing = store.get_review_of(session, judgment.id)
        if existing is not None and _same(existing, (chosen.value, text, clarity, revised)):
            session.commit()
            return Reviewed(existing, str(judgment.review_state), created=False)
    state = review_transition(judgment.review_state, chosen)  # not pending: review.not_pending
    judgment.review_state = state.value
    review = _store_review(session, actor, judgment, chosen, text, clarity, revised, now)
    session.commit()
    return Reviewed(review, state.value, created=True)


def _same(review: Review, sent: tuple[str, str, int | None, dict[str, Any] | None]) -> bool:
    """Whether a stored review says exactly what was sent (a retry, not a second opinion)."""
    return (review.verdict, review.feedback, review.clarity, review.revised_value) == sent


def _check_input(
    verdict: str, feedback: str, clarity: int | None, revised_value: dict[str, Any] | None
) -> ReviewVerdict:
    errors: list[FieldError] = []
    chosen = next((v for v in ReviewVerdict if v.value == verdict), None)
    if chosen is None:
        errors.append(FieldError("verdict", "must be accept, reject or revise"))
    if chosen in NEEDS_FEEDBACK and not feedback.strip():
        errors.append(FieldError("feedback", f"is required to {verdict}: tell the expert why"))
    if len(feedback) > MAX_FEEDBACK:
        errors.append(FieldError("feedback", f"must be at most {MAX_FEEDBACK} characters"))
    low, high = CLARITY_RANGE
    if clarity is not None and (
        isinstance(clarity, bool) or not isinstance(clarity, int) or not low <= clarity <= high
    ):
        errors.append(FieldError("clarity", f"must be a whole number from {low} to {high}"))
    if chosen is ReviewVerdict.REVISE and revised_value is None:
        errors.append(FieldError("revised_value", "is required to revise: give the right value"))
    if chosen in (ReviewVerdict.ACCEPT, ReviewVerdict.REJECT) and revised_value is not None:
        errors.append(FieldError("revised_value", "is only given with the verdict revise"))
    if errors:
        raise invalid("review.invalid", errors)
    assert chosen is not None
    return chosen


def _revised(
    session: Session,
    project: Project,
    judgment: Judgment,
    chosen: ReviewVerdict,
    revised_value: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """The reviewer's value checked against the project's spec and the item, like a judgment's."""
    if chosen is not ReviewVerdict.REVISE or revised_value is None:
        return None
    try:
        return validate_for_item(
            session, project=project, item_id=judgment.item_id, value=revised_value, rationale=None
        )
    except Invalid as error:
        problems = [
            FieldError(_revised_field(problem.field), problem.message) for problem in error.errors
        ]
        raise invalid("review.invalid_value", problems) from None


def _revised_field(field: str) -> str:
    if field == "value" or field.startswith(("value.", "value[")):
        return "revised_" + field
    return f"revised_value.{field}"


def _store_review(
    session: Session,
    actor: Actor,
    judgment: Judgment,
    chosen: ReviewVerdict,
    feedback: str,
    clarity: int | None,
    revised: dict[str, Any] | None,
    now: datetime,
) -> Review:
    """The review row and its effects: a slot given back, the clarity counted, an audit."""
    review = store.add_review(
        session,
        {
            "judgment_id": judgment.id,
            "project_id": judgment.project_id,
            "expert_id": judgment.expert_id,
            "reviewer_id": actor.id,
            "verdict": chosen.value,
            "feedback": feedback,
            "clarity": clarity,
            "revised_value": revised,
            "created_at": now,
        },
    )
    if chosen is ReviewVerdict.REJECT:
        move_item_counts(session, judgment.item_id, judgments=-1)
    if clarity is not None:
        record = quality_store.lock_expert_quality(
            session, project_id=judgment.project_id, expert_id=judgment.expert_id, now=now
        )
        record.clarity_sum += clarity
        record.clarity_count += 1
        record.updated_at = now
    audit.record(
        session,
        actor_id=actor.id,
        action="judgment.review",
        entity="judgment",
        entity_id=judgment.id,
        now=now,
        detail={"verdict": chosen.value, "clarity": clarity, "review_id": review.id},
    )
    return review


def my_reviews(*, session: Session, actor: Actor, limit: int = DEFAULT_LIMIT) -> list[Feedback]:
    """Reviews of the actor's own judgments, newest first, the reviewer shown as "a reviewer".

    Raises:
        Forbidden: for leads and admins (they judge nothing).
    """
    authorize(actor, ReviewPolicy.own_feedback())
    rows = store.list_for_expert(session, actor.id, limit=limit)
    session.commit()
    return [
        Feedback(
            review_id=review.id,
            judgment_id=judgment.id,
            project_id=project.id,
            project_name=project.name,
            item_id=item.id,
            item_excerpt=prompt_line(item.prompt),
            verdict=review.verdict,
            state=str(judgment.review_state),
            feedback=review.feedback,
            clarity=review.clarity,
            value=judgment.value,
            rationale=judgment.rationale,
            revised_value=review.revised_value,
            reviewer=REVIEWER_NAME,
            created_at=review.created_at,
        )
        for review, judgment, item, project in rows
    ]
