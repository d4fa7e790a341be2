"""Use case: seed a demonstration (users, projects, items), reusing whatever already exists.

Each step goes through the ordinary use cases (``create_user``, ``create_project``,
``import_items``), each its own transaction, so a run that stops half-way leaves a consistent
database and the next run completes it. Running it again creates nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from expertloop.core.errors import FieldError, invalid
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import projects as project_service
from expertloop.services import users as user_service
from expertloop.services.items import import_items
from expertloop.store import Session
from expertloop.store import items as item_store
from expertloop.store import projects as project_store
from expertloop.store import users as user_store
from expertloop.store.tables import Project, User


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
    seeded_projects = [_ensure_project(session, actor, seed, now) for seed in projects]
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


def _ensure_project(
    session: Session, actor: Actor, seed: SeedProject, now: datetime
) -> SeededProject:
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
