"""Who may do what, written once as named predicates; ``authorize`` raises when one fails.

Both the JSON API and the web pages call these; they are tested on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from expertloop.core.errors import Forbidden
from expertloop.core.lifecycles import ProjectStatus, QualificationAction, Role


@dataclass(frozen=True)
class Actor:
    """The user behind a request."""

    id: int
    role: Role


@dataclass(frozen=True)
class ProjectRef:
    """What a project policy needs to know of a project."""

    id: int
    created_by: int | None
    status: ProjectStatus


Policy = Callable[[Actor], bool]
MANAGERS = frozenset({Role.ADMIN, Role.LEAD})
WORKERS = frozenset({Role.EXPERT, Role.REVIEWER})


class UserPolicy:
    """Policies on users."""

    @staticmethod
    def create() -> Policy:
        return lambda actor: actor.role is Role.ADMIN

    @staticmethod
    def work() -> Policy:
        """Have an expert's dashboard of work: experts and reviewers."""
        return lambda actor: actor.role in WORKERS


class ProjectPolicy:
    """Policies on projects and what hangs off them."""

    @staticmethod
    def create() -> Policy:
        return lambda actor: actor.role in MANAGERS

    @staticmethod
    def view(project: ProjectRef) -> Policy:
        def allowed(actor: Actor) -> bool:
            if actor.role in MANAGERS:
                return True
            return project.status is ProjectStatus.ACTIVE

        return allowed

    @staticmethod
    def edit(project: ProjectRef) -> Policy:
        def allowed(actor: Actor) -> bool:
            return actor.role is Role.ADMIN or (
                actor.role is Role.LEAD and project.created_by == actor.id
            )

        return allowed

    @staticmethod
    def watch(project: ProjectRef) -> Policy:
        """See progress and every judgment: managers and reviewers."""
        return lambda actor: actor.role in MANAGERS or actor.role is Role.REVIEWER

    @staticmethod
    def work(project: ProjectRef) -> Policy:
        """Claim items: experts and reviewers, while the project is visible to them."""
        view = ProjectPolicy.view(project)
        return lambda actor: actor.role in WORKERS and view(actor)


class ExpertPolicy:
    """Policies on expert profiles and credentials: leads and admins see every profile, an
    expert sees and edits only their own, never another expert's."""

    @staticmethod
    def list() -> Policy:
        return lambda actor: actor.role in MANAGERS

    @staticmethod
    def own_profile() -> Policy:
        """Keep a profile and credentials of one's own: experts and reviewers."""
        return lambda actor: actor.role in WORKERS

    @staticmethod
    def view_profile(subject_id: int) -> Policy:
        return lambda actor: actor.role in MANAGERS or actor.id == subject_id

    @staticmethod
    def edit_profile(subject_id: int) -> Policy:
        return lambda actor: actor.role is Role.ADMIN or actor.id == subject_id

    @staticmethod
    def verify_credential() -> Policy:
        return lambda actor: actor.role is Role.ADMIN


class TrackPolicy:
    """Policies on tracks and their rates, and on the domain taxonomy."""

    @staticmethod
    def edit() -> Policy:
        return lambda actor: actor.role is Role.ADMIN

    @staticmethod
    def add_domain() -> Policy:
        return lambda actor: actor.role is Role.ADMIN


class AssessmentPolicy:
    """Policies on assessments and attempts."""

    @staticmethod
    def author() -> Policy:
        """Write assessments and see their answer keys: leads and admins."""
        return lambda actor: actor.role in MANAGERS

    @staticmethod
    def take() -> Policy:
        return lambda actor: actor.role in WORKERS

    @staticmethod
    def grade() -> Policy:
        """Grade free-text answers against the rubric: reviewers, leads, admins."""
        return lambda actor: actor.role in MANAGERS or actor.role is Role.REVIEWER

    @staticmethod
    def grant_attempt() -> Policy:
        return lambda actor: actor.role is Role.ADMIN


class QualificationPolicy:
    """Policies on qualifications: admins do everything; leads may suspend and reinstate."""

    LEAD_ACTIONS = frozenset({QualificationAction.SUSPEND, QualificationAction.REINSTATE})

    @staticmethod
    def change(action: QualificationAction) -> Policy:
        def allowed(actor: Actor) -> bool:
            if actor.role is Role.ADMIN:
                return True
            return actor.role is Role.LEAD and action in QualificationPolicy.LEAD_ACTIONS

        return allowed


class InvitationPolicy:
    """Who may invite whom: admins any role, leads experts and reviewers."""

    @staticmethod
    def create(role: Role) -> Policy:
        def allowed(actor: Actor) -> bool:
            if actor.role is Role.ADMIN:
                return True
            return actor.role is Role.LEAD and role in WORKERS

        return allowed

    @staticmethod
    def list() -> Policy:
        return lambda actor: actor.role in MANAGERS

    @staticmethod
    def revoke(invited_by: int | None) -> Policy:
        """The inviter or an admin."""
        return lambda actor: (
            actor.role is Role.ADMIN or (actor.role is Role.LEAD and invited_by == actor.id)
        )


class ReviewPolicy:
    """Policies on reviews of judgments and adjudication of disputed items."""

    @staticmethod
    def review(expert_id: int) -> Policy:
        """Review a judgment: reviewers, leads, admins; never one's own judgment."""
        return lambda actor: (
            (actor.role in MANAGERS or actor.role is Role.REVIEWER) and actor.id != expert_id
        )

    @staticmethod
    def queue() -> Policy:
        """See the review and adjudication queues: reviewers, leads, admins."""
        return lambda actor: actor.role in MANAGERS or actor.role is Role.REVIEWER

    @staticmethod
    def adjudicate(judged_by: frozenset[int]) -> Policy:
        """Decide a disputed item: reviewers, leads, admins who did not judge it."""
        return lambda actor: (
            (actor.role in MANAGERS or actor.role is Role.REVIEWER) and actor.id not in judged_by
        )

    @staticmethod
    def own_feedback() -> Policy:
        """Read the reviews of one's own judgments: experts and reviewers."""
        return lambda actor: actor.role in WORKERS


class GoldPolicy:
    """Policies on gold items and measured quality."""

    @staticmethod
    def manage(project: ProjectRef) -> Policy:
        """Mark, import and unmark gold items; see their answers: the project's editors."""
        return ProjectPolicy.edit(project)

    @staticmethod
    def quality_report(project: ProjectRef) -> Policy:
        """See agreement, consensus and each expert's measured quality; ask for a refresh."""
        return lambda actor: actor.role in MANAGERS or actor.role is Role.REVIEWER


def is_allowed(actor: Actor, policy: Policy) -> bool:
    """Whether ``policy`` lets ``actor`` act."""
    return policy(actor)


def authorize(actor: Actor, policy: Policy) -> None:
    """Raise ``Forbidden`` unless ``policy`` lets ``actor`` act."""
    if not policy(actor):
        raise Forbidden(
            "auth.forbidden", f"a user with the role {actor.role.value} may not do this"
        )
