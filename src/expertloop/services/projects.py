"""Use cases on projects: create, list what an actor may see, read one, revise its guidelines,
progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from expertloop.core.eligibility import Requirements, parse_requirements
from expertloop.core.errors import FieldError, NotFound, invalid
from expertloop.core.kinds import get_kind
from expertloop.core.lifecycles import ItemState, ProjectStatus
from expertloop.core.policies import Actor, Policy, ProjectPolicy, ProjectRef, authorize, is_allowed
from expertloop.core.quality_policy import QualityPolicy, parse_quality_policy
from expertloop.store import Session, audit, taxonomy
from expertloop.store import projects as store
from expertloop.store.tables import GuidelineVersion, Project

MAX_OVERLAP = 50
MIN_LEASE, MAX_LEASE = 10, 86_400
MAX_NOTE_CHARS = 2_000
MAX_RATE, MAX_MINUTES = Decimal(10_000), 1_440
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ProjectDraft:
    """What a lead gives to create a project."""

    name: str
    kind: str
    spec: dict[str, Any]
    overlap: int = 1
    lease_seconds: int = 900
    guidelines: str = ""
    requirements: dict[str, Any] | None = None
    hourly_rate: Decimal | None = None
    minutes_per_item: int | None = None
    quality: dict[str, Any] | None = None
    """The quality policy (``core.quality_policy``); adaptive overlap starts items at k_min."""


def ref(project: Project) -> ProjectRef:
    return ProjectRef(project.id, project.created_by, ProjectStatus(project.status))


def create_project(
    *, session: Session, actor: Actor | None, draft: ProjectDraft, now: datetime
) -> Project:
    """Create an active project after validating its spec against its task kind."""
    if actor is not None:
        authorize(actor, ProjectPolicy.create())
    spec = _validate(draft)
    terms = _terms(session, draft.requirements or {}, draft.hourly_rate, draft.minutes_per_item)
    quality = parse_quality_policy(draft.quality, kind=draft.kind)
    project = store.add_project(
        session,
        values={
            "name": draft.name.strip(),
            "kind": draft.kind,
            "spec": spec,
            "overlap": quality.overlap.k_min if quality.overlap else draft.overlap,
            "quality": quality.as_stored(),
            "lease_seconds": draft.lease_seconds,
            "guidelines": draft.guidelines,
            "status": ProjectStatus.ACTIVE.value,
            "created_by": actor.id if actor else None,
            **terms,
        },
        now=now,
    )
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="project.create",
        entity="project",
        entity_id=project.id,
        now=now,
        detail={"kind": draft.kind, "overlap": draft.overlap},
    )
    session.commit()
    return project


def _validate(draft: ProjectDraft) -> dict[str, Any]:
    errors = []
    if not draft.name.strip() or len(draft.name) > 200:
        errors.append(FieldError("name", "must be 1 to 200 characters"))
    if not 1 <= draft.overlap <= MAX_OVERLAP:
        errors.append(FieldError("overlap", f"must be from 1 to {MAX_OVERLAP}"))
    if not MIN_LEASE <= draft.lease_seconds <= MAX_LEASE:
        errors.append(FieldError("lease_seconds", f"must be from {MIN_LEASE} to {MAX_LEASE}"))
    if errors:
        raise invalid("project.invalid", errors)
    return get_kind(draft.kind).validate_spec(draft.spec)


def _terms(
    session: Session,
    requirements: dict[str, Any],
    hourly_rate: Decimal | None,
    minutes_per_item: int | None,
) -> dict[str, Any]:
    """Checked requirements, rate and time estimate as project columns; the first required
    track becomes the project's track (the one whose rate it pays).

    Raises:
        Invalid: ``project.invalid_requirements`` or ``project.invalid``, naming the field.
    """
    parsed = parse_requirements(
        requirements,
        tracks={track.name for track in taxonomy.list_tracks(session)},
        domains=taxonomy.all_slugs(session),
    )
    errors = []
    if hourly_rate is not None and not 0 < hourly_rate <= MAX_RATE:
        errors.append(FieldError("hourly_rate", f"must be above 0 and at most {MAX_RATE}"))
    if minutes_per_item is not None and not 1 <= minutes_per_item <= MAX_MINUTES:
        errors.append(FieldError("minutes_per_item", f"must be from 1 to {MAX_MINUTES}"))
    if errors:
        raise invalid("project.invalid", errors)
    track = taxonomy.get_track_by_name(session, parsed.tracks[0]) if parsed.tracks else None
    return {
        "requirements": parsed.as_stored(),
        "hourly_rate": None if hourly_rate is None else hourly_rate.quantize(CENT),
        "minutes_per_item": minutes_per_item,
        "track_id": track.id if track else None,
    }


def update_terms(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    changes: dict[str, Any],
    now: datetime,
) -> Project:
    """Change a project's requirements, own rate, time estimate or quality policy; keys absent
    stay as they are. A new adaptive overlap applies to items imported from then on.

    Raises:
        NotFound: ``project.not_found``. Forbidden: unless the actor may edit the project.
        Invalid: ``project.invalid_requirements``, ``project.invalid_quality`` or
            ``project.invalid``, naming the field.
    """
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="edit", lock=True
    )
    changed = sorted(changes)
    if "quality" in changes:
        changes = dict(changes)
        _apply_quality(project, parse_quality_policy(changes.pop("quality"), kind=project.kind))
    current = {
        "requirements": Requirements.from_stored(project.requirements).as_stored(),
        "hourly_rate": project.hourly_rate,
        "minutes_per_item": project.minutes_per_item,
    }
    merged = {**current, **changes}
    terms = _terms(
        session, merged["requirements"] or {}, merged["hourly_rate"], merged["minutes_per_item"]
    )
    for name, value in terms.items():
        setattr(project, name, value)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="project.update_terms",
        entity="project",
        entity_id=project.id,
        now=now,
        detail={"changed": changed},
    )
    session.commit()
    return project


def _apply_quality(project: Project, quality: QualityPolicy) -> None:
    project.quality = quality.as_stored()
    if quality.overlap is not None:
        project.overlap = quality.overlap.k_min


def quality_policy(project: Project) -> QualityPolicy:
    """The project's stored quality policy."""
    return QualityPolicy.from_stored(project.quality)


def get_project_or_raise(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    policy: str = "view",
    lock: bool = False,
) -> Project:
    """A project the actor may act on under the named policy (row-locked when ``lock``).

    Raises:
        NotFound: ``project.not_found`` when absent or invisible to the actor.
        Forbidden: when visible but the named policy refuses.
    """
    project = store.get_project(session, project_id, lock=lock)
    return _allowed_or_raise(project, actor=actor, project_id=project_id, policy=policy)


def allowed_for_work(project: Project | None, *, actor: Actor | None, project_id: int) -> Project:
    """A project read by the lease queue's hot paths (a transient row, see
    ``store.queue.project_and_live_lease``), checked as ``get_project_or_raise(policy="work")``
    checks it.

    Raises:
        NotFound: ``project.not_found``. Forbidden: when the actor may not work in it.
    """
    return _allowed_or_raise(project, actor=actor, project_id=project_id, policy="work")


def _allowed_or_raise(
    project: Project | None, *, actor: Actor | None, project_id: int, policy: str
) -> Project:
    if project is None or (
        actor is not None and not is_allowed(actor, ProjectPolicy.view(ref(project)))
    ):
        raise NotFound("project.not_found", f"project {project_id} does not exist")
    if actor is not None:
        authorize(actor, project_policy(policy, project))
    return project


def project_policy(name: str, project: Project) -> Policy:
    policies = {
        "view": ProjectPolicy.view,
        "edit": ProjectPolicy.edit,
        "watch": ProjectPolicy.watch,
        "work": ProjectPolicy.work,
    }
    return policies[name](ref(project))


def list_projects(*, session: Session, actor: Actor) -> list[Project]:
    """The projects the actor may see."""
    return [
        p for p in store.list_projects(session) if is_allowed(actor, ProjectPolicy.view(ref(p)))
    ]


def revise_guidelines(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    guidelines: str,
    spec: dict[str, Any] | None = None,
    note: str = "",
    now: datetime,
) -> Project:
    """Publish a new guideline version: new text and, optionally, a new spec of the same kind.

    Judgments submitted afterwards carry the new version; earlier ones keep theirs. ``spec=None``
    keeps the current spec.

    Raises:
        Invalid: ``project.invalid`` (note too long), ``project.invalid_spec``.
    """
    # The row lock makes concurrent revisions take turns instead of clashing on the version.
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="edit", lock=True
    )
    if len(note) > MAX_NOTE_CHARS:
        raise invalid(
            "project.invalid", [FieldError("note", f"must be at most {MAX_NOTE_CHARS} characters")]
        )
    if spec is not None:
        project.spec = get_kind(project.kind).validate_spec(spec)
    project.guidelines = guidelines
    project.guidelines_version += 1
    store.add_guideline_version(
        session, project=project, created_by=actor.id if actor else None, now=now, note=note
    )
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="project.revise_guidelines",
        entity="project",
        entity_id=project.id,
        now=now,
        detail={"version": project.guidelines_version, "spec_changed": spec is not None},
    )
    session.commit()
    return project


def list_guideline_versions(
    *, session: Session, actor: Actor | None, project_id: int
) -> list[GuidelineVersion]:
    """Every guideline version of a project the actor may see, oldest first."""
    project = get_project_or_raise(session=session, actor=actor, project_id=project_id)
    return store.list_guideline_versions(session, project.id)


@dataclass(frozen=True)
class Progress:
    items: int
    complete: int
    judgments: int
    active_leases: int


def get_progress(
    *, session: Session, actor: Actor | None, project_id: int, now: datetime
) -> Progress:
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="watch"
    )
    counts = store.count_items_by_state(session, [project.id])
    return Progress(
        items=sum(counts.values()),
        complete=counts.get((project.id, ItemState.COMPLETE.value), 0),
        judgments=store.count_judgments(session, project.id),
        active_leases=store.count_live_leases(session, project.id, now),
    )
