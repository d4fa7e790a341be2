"""Eligibility of experts for projects: the check on claims and the pieces dashboards use.

The rules are in ``core.eligibility``; this module loads what they need. Nothing here commits:
the callers' use cases do.
"""

from __future__ import annotations

from expertloop.core.assessments import attempts_left
from expertloop.core.eligibility import (
    AssessmentRef,
    Gap,
    Held,
    Requirements,
    closing_assessments,
    find_gaps,
)
from expertloop.core.errors import Forbidden
from expertloop.core.gold import GoldRecord
from expertloop.core.lifecycles import QualificationStatus
from expertloop.core.policies import Actor
from expertloop.core.quality_policy import QualityPolicy
from expertloop.store import Session
from expertloop.store import eligibility as store
from expertloop.store import quality as quality_store
from expertloop.store.tables import Project


def held_by(session: Session, expert_id: int) -> list[Held]:
    """The expert's qualifications as the eligibility rules read them."""
    return [
        Held(track, domain, QualificationStatus(status))
        for track, domain, status in store.held_qualifications(session, expert_id)
    ]


def assessments_for(session: Session, expert_id: int) -> list[AssessmentRef]:
    """Published assessments with the attempts this expert has left on each."""
    return [
        AssessmentRef(
            id=assessment.id,
            title=assessment.title,
            track=track,
            domain=assessment.domain,
            attempts_left=attempts_left(used=used, grants=grants),
        )
        for assessment, track, used, grants in store.open_assessments(session, expert_id)
    ]


def gaps_for(project: Project, held: list[Held], quality: float | None = None) -> list[Gap]:
    """What the expert holding ``held`` misses for ``project`` (empty: eligible);
    ``quality`` is their measured gold accuracy there, None before there is enough of it."""
    requirements = Requirements.from_stored(project.requirements)
    if requirements.empty:
        return []
    return find_gaps(requirements, held, quality)


def measured_quality(session: Session, *, project: Project, expert_id: int) -> float | None:
    """The expert's gold accuracy on the project since their last reinstatement, once they
    answered the policy's minimum of gold items; None before."""
    row = quality_store.get_expert_quality(session, project_id=project.id, expert_id=expert_id)
    if row is None:
        return None
    minimum = QualityPolicy.from_stored(project.quality).gold.min_answered
    record = GoldRecord(answered=row.window_answered, correct=row.window_correct)
    return record.accuracy if record.answered >= minimum else None


def require_eligible(session: Session, *, project: Project, actor: Actor) -> None:
    """Refuse an expert who does not meet the project's requirements, saying what to do.

    Raises:
        Forbidden: ``eligibility.not_qualified``, naming each gap and the assessments that
            would close them.
    """
    requirements = Requirements.from_stored(project.requirements)
    if requirements.empty:
        return  # no query at all on the hot path of open projects
    quality = None
    if requirements.min_quality is not None:
        quality = measured_quality(session, project=project, expert_id=actor.id)
    gaps = gaps_for(project, held_by(session, actor.id), quality)
    if not gaps:
        return
    reasons = "; ".join(gap.message() for gap in gaps)
    closing = closing_assessments(gaps, assessments_for(session, actor.id))
    if closing:
        titles = ", ".join(f"'{a.title}' (assessment {a.id})" for a in closing)
        advice = f"pass {titles} to unlock it"
    else:
        advice = "ask the project's lead or an admin"
    raise Forbidden(
        "eligibility.not_qualified", f"you cannot work on this project yet: {reasons}; {advice}"
    )
