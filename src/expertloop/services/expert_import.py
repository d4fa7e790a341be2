"""Use case: import experts and reviewers in bulk, all or nothing.

Each row is ``{"email", "name", "role", "password", "domains", "languages", "attributes"}``
(the CLI reads them from CSV). Every row is checked before anything is stored; one bad row and
nothing is. Errors carry the row's index in ``rows`` (the CLI turns it into a file line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from expertloop.core.errors import FieldError, Invalid, invalid
from expertloop.core.lifecycles import Role
from expertloop.core.profiles import Profile, check_profile
from expertloop.services import security
from expertloop.services.experts import unknown_domain_errors
from expertloop.services.users import EMAIL, MIN_PASSWORD
from expertloop.store import Session, audit
from expertloop.store import experts as expert_store
from expertloop.store import users as user_store
from expertloop.store.tables import User

IMPORT_ROLES = (Role.EXPERT.value, Role.REVIEWER.value)


@dataclass(frozen=True)
class ExpertRow:
    """One checked row, ready to store."""

    email: str
    name: str
    role: str
    password: str | None
    profile: Profile


@dataclass(frozen=True)
class ImportSummary:
    created: int
    experts: int
    reviewers: int


def import_experts(
    *,
    session: Session,
    rows: Sequence[dict[str, Any]],
    now: datetime,
    advance: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Create one expert or reviewer with a profile per row, in one transaction.

    Only the local CLI (a trusted operator) calls this. ``advance`` is told how many rows
    are stored so far (for a progress bar).

    Raises:
        Invalid: ``experts.invalid`` naming the row and the field of every problem.
    """
    checked, errors = _check_rows(session, rows)
    if errors:
        raise invalid("experts.invalid", errors)
    for index, row in enumerate(checked, start=1):
        user = _store_row(session, row, now)
        audit.record(
            session,
            actor_id=None,
            action="user.create",
            entity="user",
            entity_id=user.id,
            now=now,
            detail={"role": row.role, "source": "import"},
        )
        if advance is not None:
            advance(index)
    session.commit()
    reviewers = sum(1 for row in checked if row.role == Role.REVIEWER.value)
    return ImportSummary(len(checked), len(checked) - reviewers, reviewers)


def _check_rows(
    session: Session, rows: Sequence[dict[str, Any]]
) -> tuple[list[ExpertRow], list[FieldError]]:
    errors: list[FieldError] = []
    checked: list[ExpertRow] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        found = _check_row(session, row, index, errors)
        if found is None:
            continue
        if found.email in seen:
            errors.append(FieldError("email", "appears on an earlier row too", index))
        seen.setdefault(found.email, index)
        checked.append(found)
    for row_index, email in _taken(session, seen):
        errors.append(FieldError("email", f"a user with the email {email} exists", row_index))
    return checked, sorted(errors, key=lambda e: e.row or 0)


def _check_row(
    session: Session, row: dict[str, Any], index: int, errors: list[FieldError]
) -> ExpertRow | None:
    before = len(errors)
    email = str(row.get("email") or "").strip().lower()
    if not EMAIL.match(email):
        errors.append(FieldError("email", "is not an email address", index))
    role = str(row.get("role") or Role.EXPERT.value).strip()
    if role not in IMPORT_ROLES:
        errors.append(FieldError("role", "must be expert or reviewer", index))
    password = row.get("password") or None
    if password is not None and len(password) < MIN_PASSWORD:
        message = f"must be at least {MIN_PASSWORD} characters"
        errors.append(FieldError("password", message, index))
    profile = _check_profile(session, row, index, errors)
    if len(errors) > before or profile is None:
        return None
    name = str(row.get("name") or "").strip() or email
    return ExpertRow(email, name[:200], role, password, profile)


def _check_profile(
    session: Session, row: dict[str, Any], index: int, errors: list[FieldError]
) -> Profile | None:
    try:
        profile = check_profile(
            domains=row.get("domains", []),
            languages=row.get("languages", []),
            attributes=row.get("attributes", {}),
        )
    except Invalid as error:
        errors.extend(FieldError(e.field, e.message, index) for e in error.errors)
        return None
    unknown = unknown_domain_errors(session, profile.domains, index)
    errors.extend(unknown)
    return None if unknown else profile


def _taken(session: Session, seen: dict[str, int]) -> list[tuple[int, str]]:
    taken = expert_store.existing_emails(session, list(seen))
    return [(seen[email], email) for email in sorted(taken)]


def _store_row(session: Session, row: ExpertRow, now: datetime) -> User:
    user = user_store.add_user(
        session,
        email=row.email,
        name=row.name,
        role=row.role,
        password_hash=security.hash_password(row.password) if row.password else None,
        now=now,
    )
    user_store.add_profile(
        session,
        user_id=user.id,
        domains=row.profile.domains,
        languages=row.profile.languages,
        attributes=dict(row.profile.attributes),
    )
    return user
