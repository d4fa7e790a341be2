"""Policy walk rows of invitations. The two routes under ``{token}`` are public (the link is the
credential); ``test_invitations_api.py`` covers them."""

from __future__ import annotations

from typing import Any

from walk import Area, Route, WalkContext

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import invitations

ROWS: dict[Route, tuple[set[str], Any]] = {
    ("POST", "/api/v1/invitations"): (
        {"admin", "lead"},
        {"email": "invited@example.org", "role": "expert", "note": "walk"},
    ),
    ("GET", "/api/v1/invitations"): ({"admin", "lead"}, None),
    # The lead in the walk made the invitation; admins may revoke anyone's. A second revoke
    # of an expired invitation answers 200 again.
    ("POST", "/api/v1/invitations/{invitation_id}/revoke"): ({"admin", "lead"}, None),
    ("GET", "/api/v1/invitations/{token}"): ({"public"}, None),
    ("POST", "/api/v1/invitations/{token}/accept"): (
        {"public"},
        {"name": "Walker", "password": "a long password"},
    ),
}


def prepare(ctx: WalkContext, route: Route) -> dict[str, Any]:
    lead = ctx.people["lead"]
    with ctx.factory.database.scoped() as session:
        created = invitations.create_invitation(
            session=session,
            actor=Actor(lead.id, Role.LEAD),
            email="walk@example.org",
            now=ctx.factory.clock(),
            days=7,
        )
    return {"invitation_id": created.invitation.id, "token": created.token}


AREA = Area(rows=ROWS, prepare=prepare)
