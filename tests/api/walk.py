"""What the policy walk (``test_policy_walk.py``) needs of each area of the API.

Each ``walk_<area>.py`` module beside this one defines an ``AREA``: its routes with the roles
allowed, a body for each, and ``prepare``, which builds what one route needs and returns the
values that fill the route's path template (``{project_id}``, ``{assessment_id}``...).

Roles in ``allowed``: ``admin``, ``lead``, ``reviewer``, ``expert``; ``owner`` means only the
fresh expert in ``WalkContext.owner`` (the lease's or the attempt's owner) may call it, and
``public`` means the route needs no login at all (it is tested in its area's own tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Route = tuple[str, str]
ROLES = ("admin", "lead", "reviewer", "expert")
ALL = frozenset(ROLES)


@dataclass
class WalkContext:
    """A world with one user of every role (and a second lead who owns the projects)."""

    client: Any
    factory: Any
    app: Any
    people: dict[str, Any]
    owner: Any
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Area:
    rows: dict[Route, tuple[set[str], Any]]
    prepare: Callable[[WalkContext, Route], dict[str, Any]]
    not_owner: tuple[int, str] = (409, "lease.not_owner")
    """The status and code a non-owner gets on an ``owner`` route."""
