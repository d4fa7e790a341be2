"""Use cases of red-teaming: fetch the target model's live reply to an expert's attack prompt.

The reply is not stored here: the expert reads it, then records it in the ``red_team`` judgment
(``reply_source: "connector"``) with the usual submit. So this use case writes nothing; it
checks the lease in a read transaction, ends that transaction, and only then calls the model,
so a slow endpoint never holds a database connection, a row lock or SQLite's writer lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from expertloop.connectors import ChatMessage, ChatReply
from expertloop.core.errors import Conflict
from expertloop.core.kinds.red_team import RedTeamKind
from expertloop.core.policies import Actor
from expertloop.services.projects import get_project_or_raise
from expertloop.services.queue import load_live_lease
from expertloop.store import Session


class ChatClient(Protocol):
    """What this use case needs of a model connector (``connectors.ChatConnector``)."""

    def complete(self, messages: Sequence[ChatMessage]) -> ChatReply: ...


def fetch_model_reply(
    *,
    session: Session,
    actor: Actor,
    assignment_id: int,
    prompt: str,
    system: str | None,
    now: datetime,
    connector: Callable[[], ChatClient],
) -> ChatReply:
    """Send the expert's attack prompt to the target model and return its reply.

    ``connector`` returns the process's connector (building it on first use); it is called
    only once the lease checks pass, so a missing configuration never hides a lease error.

    Raises:
        NotFound: ``lease.not_found``; ``project.not_found``.
        Conflict: ``lease.not_owner``, ``lease.expired`` (or ended); ``model_reply.wrong_kind``
            when the lease's project is not a ``red_team`` project.
        Invalid: ``connector.not_configured``, ``connector.rejected``.
        Unavailable: ``connector.unavailable``, ``connector.bad_response``.
    """
    lease = load_live_lease(session, actor=actor, assignment_id=assignment_id, now=now, lock=False)
    project = get_project_or_raise(
        session=session, actor=actor, project_id=lease.project_id, policy="work"
    )
    if project.kind != RedTeamKind.name:
        raise Conflict(
            "model_reply.wrong_kind",
            f"project {project.id} is a {project.kind} project; live model replies are for "
            f"{RedTeamKind.name} projects only",
        )
    session.rollback()  # end the read transaction before the slow call
    return connector().complete(chat_messages(prompt, system))


def chat_messages(prompt: str, system: str | None) -> list[ChatMessage]:
    """The conversation sent: an optional system message, then the attack prompt."""
    messages: list[ChatMessage] = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    return messages
