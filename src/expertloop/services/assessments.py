"""Use cases on assessments: author, publish or archive, list and read (without the answer key
for experts), grant an expert another attempt. Attempts live in ``services.attempts``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from expertloop.core import assessments as rules
from expertloop.core.errors import Conflict, FieldError, Invalid, NotFound, invalid
from expertloop.core.lifecycles import AssessmentStatus, AttemptStatus, Role
from expertloop.core.policies import Actor, AssessmentPolicy, authorize, is_allowed
from expertloop.store import Session, audit, taxonomy
from expertloop.store import assessments as store
from expertloop.store import users as user_store
from expertloop.store.tables import Assessment, AssessmentAttempt, AttemptGrant

MAX_REASON = 2_000


@dataclass(frozen=True)
class AssessmentDraft:
    """What an author gives to create an assessment (the key sits in the questions)."""

    track: str
    title: str
    questions: Any
    pass_mark: Any
    time_limit_seconds: Any
    instructions: str = ""
    domain: str | None = None


@dataclass(frozen=True)
class AssessmentView:
    """An assessment as one actor may see it: ``questions`` (with the key) only for authors;
    ``attempts_left`` and ``my_status`` only for those who take it."""

    assessment: Assessment
    track: str
    questions: list[dict[str, Any]] | None
    question_count: int
    total_points: float
    attempts_left: int | None = None
    my_status: str | None = None
    attempts: list[AssessmentAttempt] = field(default_factory=list)


def create_assessment(
    *,
    session: Session,
    actor: Actor | None,
    draft: AssessmentDraft,
    now: datetime,
    publish: bool = False,
) -> AssessmentView:
    """Create a draft assessment (published at once with ``publish``).

    Raises:
        Invalid: ``assessment.invalid`` naming each field (``questions[2].options[1].id``).
    """
    if actor is not None:
        authorize(actor, AssessmentPolicy.author())
    track_id, questions = _validate(session, draft)
    status = AssessmentStatus.PUBLISHED if publish else AssessmentStatus.DRAFT
    assessment = store.add_assessment(
        session,
        values={
            "track_id": track_id,
            "domain": draft.domain or None,
            "title": draft.title.strip(),
            "instructions": draft.instructions,
            "questions": questions,
            "pass_mark": float(draft.pass_mark),
            "time_limit_seconds": draft.time_limit_seconds,
            "status": status.value,
            "created_by": actor.id if actor else None,
        },
        now=now,
    )
    _audit(session, actor, "assessment.create", assessment, now, {"status": status.value})
    session.commit()
    return _author_view(assessment, draft.track)


def _validate(session: Session, draft: AssessmentDraft) -> tuple[int, list[dict[str, Any]]]:
    errors = rules.validate_settings(
        title=draft.title,
        pass_mark=draft.pass_mark,
        time_limit_seconds=draft.time_limit_seconds,
        instructions=draft.instructions,
    )
    track = taxonomy.get_track_by_name(session, draft.track)
    if track is None:
        known = ", ".join(sorted(t.name for t in taxonomy.list_tracks(session)))
        errors.append(FieldError("track", f"is not a track (known: {known})"))
    if draft.domain and taxonomy.get_domain(session, draft.domain) is None:
        errors.append(FieldError("domain", f"{draft.domain!r} is not a domain of the taxonomy"))
    try:
        questions = rules.validate_questions(draft.questions)
    except Invalid as error:  # report its field errors with ours, all at once
        errors.extend(error.errors)
        questions = []
    if errors:
        raise invalid("assessment.invalid", errors)
    assert track is not None
    return track.id, questions


def _audit(
    session: Session,
    actor: Actor | None,
    action: str,
    assessment: Assessment,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=action,
        entity="assessment",
        entity_id=assessment.id,
        now=now,
        detail=detail,
    )


def _author_view(assessment: Assessment, track: str) -> AssessmentView:
    questions = list(assessment.questions)
    return AssessmentView(
        assessment, track, questions, len(questions), _points(questions), None, None
    )


def _points(questions: list[dict[str, Any]]) -> float:
    return float(sum(question["points"] for question in questions))


def is_author(actor: Actor | None) -> bool:
    return actor is None or is_allowed(actor, AssessmentPolicy.author())


def load_assessment(
    session: Session, actor: Actor | None, assessment_id: int
) -> tuple[Assessment, str]:
    """An assessment the actor may see: authors see all, others only published ones.

    Raises:
        NotFound: ``assessment.not_found``.
    """
    found = store.get_assessment(session, assessment_id)
    if found is None or (
        not is_author(actor) and found[0].status != AssessmentStatus.PUBLISHED.value
    ):
        raise NotFound("assessment.not_found", f"assessment {assessment_id} does not exist")
    return found


def get_assessment(
    *, session: Session, actor: Actor, assessment_id: int, now: datetime | None = None
) -> AssessmentView:
    """Authors get the questions with the key; experts and reviewers the assessment without
    its questions (they come with an attempt, when the clock starts) and their attempts left."""
    assessment, track = load_assessment(session, actor, assessment_id)
    if is_author(actor):
        return _author_view(assessment, track)
    attempts = store.list_attempts_of(session, expert_id=actor.id, assessment_id=assessment.id)
    grants = store.count_grants(session, expert_id=actor.id, assessment_id=assessment.id)
    return _taker_view(assessment, track, attempts, grants.get(assessment.id, 0), now)


def _taker_view(
    assessment: Assessment,
    track: str,
    attempts: list[AssessmentAttempt],
    grants: int,
    now: datetime | None,
) -> AssessmentView:
    questions = list(assessment.questions)
    return AssessmentView(
        assessment,
        track,
        None,
        len(questions),
        _points(questions),
        attempts_left=rules.attempts_left(used=len(attempts), grants=grants),
        my_status=_shown_status(attempts[-1], now) if attempts else None,
        attempts=attempts,
    )


def list_all(*, session: Session) -> list[AssessmentView]:
    """Every assessment, for the local operator (the CLI)."""
    return [_author_view(a, track) for a, track in store.list_assessments(session)]


def _shown_status(attempt: AssessmentAttempt, now: datetime | None) -> str:
    """An attempt's status as the expert should read it: one left in progress past its
    deadline is expired (it is marked so when next read or started)."""
    late = now is not None and not rules.in_time(now, attempt.deadline)
    if attempt.status == AttemptStatus.IN_PROGRESS.value and late:
        return AttemptStatus.EXPIRED.value
    return attempt.status


def list_assessments(
    *, session: Session, actor: Actor, now: datetime | None = None
) -> list[AssessmentView]:
    """Authors: every assessment, with keys. Others: the published ones and their attempts."""
    if is_author(actor):
        return [_author_view(a, track) for a, track in store.list_assessments(session)]
    found = store.list_assessments(session, statuses=[AssessmentStatus.PUBLISHED.value])
    attempts: dict[int, list[AssessmentAttempt]] = {}
    for attempt in store.list_attempts_of(session, expert_id=actor.id):
        attempts.setdefault(attempt.assessment_id, []).append(attempt)
    grants = store.count_grants(session, expert_id=actor.id)
    return [
        _taker_view(a, track, attempts.get(a.id, []), grants.get(a.id, 0), now)
        for a, track in found
    ]


def set_status(
    *, session: Session, actor: Actor | None, assessment_id: int, status: str, now: datetime
) -> AssessmentView:
    """Publish or archive an assessment (setting the status it has is a no-op).

    Raises:
        Invalid: ``assessment.invalid`` for an unknown status.
        Conflict: ``assessment.<status>`` when it cannot go there (back to draft).
    """
    if actor is not None:
        authorize(actor, AssessmentPolicy.author())
    found = store.get_assessment(session, assessment_id, lock=True)
    if found is None:
        raise NotFound("assessment.not_found", f"assessment {assessment_id} does not exist")
    assessment, track = found
    if status not in rules.ASSESSMENT_TRANSITIONS:
        names = ", ".join(rules.ASSESSMENT_TRANSITIONS)
        raise invalid("assessment.invalid", [FieldError("status", f"must be one of {names}")])
    current = assessment.status
    if status != current:
        if status not in rules.ASSESSMENT_TRANSITIONS[current]:
            raise Conflict(
                f"assessment.{current}", f"a {current} assessment cannot become {status}"
            )
        assessment.status = status
        _audit(
            session, actor, "assessment.status", assessment, now, {"from": current, "to": status}
        )
    session.commit()
    return _author_view(assessment, track)


@dataclass(frozen=True)
class GrantView:
    grant: AttemptGrant
    attempts_left: int


def grant_attempt(
    *,
    session: Session,
    actor: Actor | None,
    assessment_id: int,
    reason: str,
    now: datetime,
    expert_id: int | None = None,
    expert_email: str | None = None,
) -> GrantView:
    """Let an expert (by id or email) take the assessment once more; the reason is kept.

    Raises:
        NotFound: ``assessment.not_found``, ``user.not_found`` (no such expert or reviewer).
        Invalid: ``attempt_grant.invalid`` (empty or long reason).
    """
    if actor is not None:
        authorize(actor, AssessmentPolicy.grant_attempt())
    assessment, _track = load_assessment(session, actor, assessment_id)
    expert = (
        user_store.get_user(session, expert_id)
        if expert_id is not None
        else user_store.get_user_by_email(session, (expert_email or "").strip().lower())
    )
    if expert is None or expert.role not in (Role.EXPERT.value, Role.REVIEWER.value):
        who = expert_id if expert_id is not None else expert_email
        raise NotFound("user.not_found", f"no expert or reviewer {who}")
    if not reason.strip() or len(reason) > MAX_REASON:
        raise invalid(
            "attempt_grant.invalid",
            [FieldError("reason", f"must be 1 to {MAX_REASON} characters: say why")],
        )
    grant = store.add_grant(
        session,
        assessment_id=assessment.id,
        expert_id=expert.id,
        granted_by=actor.id if actor else None,
        reason=reason.strip(),
        now=now,
    )
    detail = {"expert_id": expert.id, "reason": grant.reason, "grant_id": grant.id}
    _audit(session, actor, "assessment.grant_attempt", assessment, now, detail)
    used = len(store.list_attempts_of(session, expert_id=expert.id, assessment_id=assessment.id))
    grants = store.count_grants(session, expert_id=expert.id, assessment_id=assessment.id)
    session.commit()
    left = rules.attempts_left(used=used, grants=grants.get(assessment.id, 0))
    return GrantView(grant, left)
