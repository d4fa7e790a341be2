"""Named policies on their own: who may do what."""

from __future__ import annotations

import pytest

from expertloop.core.errors import Forbidden
from expertloop.core.lifecycles import ProjectStatus, Role
from expertloop.core.policies import Actor, ProjectPolicy, ProjectRef, UserPolicy, authorize

ACTIVE = ProjectRef(id=1, created_by=10, status=ProjectStatus.ACTIVE)
PAUSED = ProjectRef(id=2, created_by=10, status=ProjectStatus.PAUSED)
OWNER, OTHER_LEAD = Actor(10, Role.LEAD), Actor(11, Role.LEAD)
ADMIN, REVIEWER, EXPERT = Actor(1, Role.ADMIN), Actor(2, Role.REVIEWER), Actor(3, Role.EXPERT)

TABLE = [
    (UserPolicy.create(), {ADMIN}),
    (ProjectPolicy.create(), {ADMIN, OWNER, OTHER_LEAD}),
    (ProjectPolicy.view(ACTIVE), {ADMIN, OWNER, OTHER_LEAD, REVIEWER, EXPERT}),
    (ProjectPolicy.view(PAUSED), {ADMIN, OWNER, OTHER_LEAD}),
    (ProjectPolicy.edit(ACTIVE), {ADMIN, OWNER}),
    (ProjectPolicy.watch(ACTIVE), {ADMIN, OWNER, OTHER_LEAD, REVIEWER}),
    (ProjectPolicy.work(ACTIVE), {REVIEWER, EXPERT}),
    (ProjectPolicy.work(PAUSED), set()),
]


@pytest.mark.parametrize(("policy", "allowed"), TABLE)
def test_policy_table(policy, allowed) -> None:
    for actor in (ADMIN, OWNER, OTHER_LEAD, REVIEWER, EXPERT):
        if actor in allowed:
            authorize(actor, policy)
        else:
            with pytest.raises(Forbidden):
                authorize(actor, policy)
