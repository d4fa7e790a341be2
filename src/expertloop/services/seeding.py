"""Use case: seed a demonstration (users, projects, items), reusing whatever already exists.

Each step goes through the ordinary use cases (``create_user``, ``create_project``,
``import_items``), each its own transaction, so a run that stops half-way leaves a consistent
database and the next run completes it. Running it again creates nothing new. Work on a project
(judgments, consensus) is seeded by ``seeding_work``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.lifecycles import QualificationStatus, Role
from expertloop.core.policies import Actor
from expertloop.services import assessments as assessment_service
from expertloop.services import projects as project_service
from expertloop.services import users as user_service
from expertloop.services.items import import_items
from expertloop.services.qualifications import change_qualification
from expertloop.store import Session, taxonomy
from expertloop.store import assessments as assessment_store
from expertloop.store import items as item_store
from expertloop.store import projects as project_store
from expertloop.store import qualifications as qualification_store
from expertloop.store import users as user_store
from expertloop.store.tables import Assessment, Project, User


@dataclass(frozen=True)
class SeedUser:
    """A user to have, with the password of the demo login."""

    email: str
    name: str
    role: str
    password: str
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedProject:
    """A project to have (found again by name and kind) and the items it should hold."""

    draft: project_service.ProjectDraft
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class SeededUser:
    user: User
    created: bool


@dataclass(frozen=True)
class SeededProject:
    project: Project
    created: bool
    items_created: int


@dataclass(frozen=True)
class Seeded:
    """What the database holds for the demo after seeding, and what this run added."""

    users: list[SeededUser]
    projects: list[SeededProject]


def seed_demo(
    *,
    session: Session,
    users: Sequence[SeedUser],
    projects: Sequence[SeedProject],
    now: datetime,
) -> Seeded:
    """Make sure the users, the projects (owned by the first lead) and their items exist.

    Raises:
        Invalid: ``seed.no_lead`` when no user is a lead; the errors of the use cases called.
    """
    seeded_users = [_ensure_user(session, seed, now) for seed in users]
    lead = next((s.user for s in seeded_users if s.user.role == Role.LEAD.value), None)
    if lead is None:
        raise invalid("seed.no_lead", [FieldError("users", "one user must be a lead")])
    actor = Actor(lead.id, Role.LEAD)
    seeded_projects = [ensure_project(session, actor, seed, now) for seed in projects]
    session.commit()  # ends the last read
    return Seeded(users=seeded_users, projects=seeded_projects)


def _ensure_user(session: Session, seed: SeedUser, now: datetime) -> SeededUser:
    existing = user_store.get_user_by_email(session, seed.email.strip().lower())
    if existing is not None:
        return SeededUser(existing, created=False)
    created = user_service.create_user(
        session=session,
        actor=None,
        email=seed.email,
        name=seed.name,
        role=seed.role,
        password=seed.password,
        now=now,
        profile=seed.profile,
    )
    return SeededUser(created.user, created=True)


def ensure_project(
    session: Session, actor: Actor, seed: SeedProject, now: datetime
) -> SeededProject:
    """Find the project (by name and kind, owned by ``actor``) or create it; import the items
    it misses (by external id). No commit of its own beyond the use cases'."""
    existing = next(
        (
            p
            for p in project_store.list_projects(session)
            if p.name == seed.draft.name and p.kind == seed.draft.kind and p.created_by == actor.id
        ),
        None,
    )
    project = existing or project_service.create_project(
        session=session, actor=actor, draft=seed.draft, now=now
    )
    ids = [str(row["external_id"]) for row in seed.items]
    taken = item_store.existing_external_ids(session, project.id, ids)
    missing = [row for row in seed.items if str(row["external_id"]) not in taken]
    created = 0
    if missing:
        created = import_items(
            session=session, actor=actor, project_id=project.id, rows=missing, now=now
        )
    return SeededProject(project, created=existing is None, items_created=created)


@dataclass(frozen=True)
class SeededAssessment:
    assessment: Assessment
    created: bool


def seed_workforce(
    *,
    session: Session,
    assessments: Sequence[dict[str, Any]],
    qualifications: Sequence[tuple[str, str, str | None]],
    now: datetime,
) -> list[SeededAssessment]:
    """Make sure the assessments exist and are published (found again by title and track), and
    that each (expert email, track, domain) qualification is granted.

    Raises:
        Invalid: the errors of ``create_assessment`` and ``change_qualification``.
    """
    seeded = [_ensure_assessment(session, raw, now) for raw in assessments]
    for email, track, domain in qualifications:
        _ensure_granted(session, email, track, domain, now)
    session.commit()  # ends the last read
    return seeded


def _ensure_assessment(session: Session, raw: dict[str, Any], now: datetime) -> SeededAssessment:
    existing = next(
        (
            assessment
            for assessment, track in assessment_store.list_assessments(session)
            if assessment.title == raw["title"] and track == raw["track"]
        ),
        None,
    )
    if existing is not None:
        return SeededAssessment(existing, created=False)
    view = assessment_service.create_assessment(
        session=session,
        actor=None,
        draft=assessment_service.AssessmentDraft(**raw),
        now=now,
        publish=True,
    )
    return SeededAssessment(view.assessment, created=True)


def _ensure_granted(
    session: Session, email: str, track: str, domain: str | None, now: datetime
) -> None:
    expert = user_store.get_user_by_email(session, email)
    found = taxonomy.get_track_by_name(session, track)
    if expert is None or found is None:
        raise invalid("seed.unknown", [FieldError("qualifications", f"{email} or {track}")])
    held = qualification_store.get_qualification(
        session, expert_id=expert.id, track_id=found.id, domain=domain
    )
    if held is not None and held.status == QualificationStatus.GRANTED.value:
        return
    change_qualification(
        session=session,
        actor=None,
        expert_id=expert.id,
        track=track,
        domain=domain,
        action="grant",
        reason="demo: a verified clinician, qualified before the demo began",
        now=now,
    )
