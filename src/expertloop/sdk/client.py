"""The client: one method per call of the JSON API, answers parsed into the API's schemas."""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Any, Literal, Self

import httpx

from expertloop.api.schemas import (
    ClaimPublic,
    ItemsCreatedPublic,
    JudgmentPublic,
    LeasePublic,
    ProgressPublic,
    ProjectPublic,
    ProjectsPublic,
    UserPublic,
)
from expertloop.api.schemas.adjudication import ConsensusPublic
from expertloop.api.schemas.quality import ConsensusListPublic, GoldMarked, QualityPublic
from expertloop.sdk.connection import Connection
from expertloop.sdk.errors import ExpertloopError, shifted
from expertloop.sdk.exports import ExportCalls
from expertloop.sdk.records import Rows, batches, plain, plain_rows

ConsensusState = Literal["open", "agreed", "disputed", "adjudicated"]


class Client(ExportCalls):
    """A signed-in connection to one expertloop server (one keep-alive ``httpx.Client``).

    Use it as a context manager, or call :meth:`close`. Safe calls (every GET, ``update_project``
    and ``mark_gold``, which set absolute values, ``claim``, which resumes the caller's live
    lease, and ``submit``, which always carries an idempotency key) are retried on connection
    errors, timeouts, 429, 502, 503 and 504; the others (``create_project``, ``push_items``,
    ``heartbeat``, ``release``, ``create_export``) are sent once. Exports (``create_export``,
    ``wait_for_export``, ``download_export``, ``export``, ``export_dataset``) are in
    :class:`expertloop.sdk.exports.ExportCalls`.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Open a connection pool to the server.

        Args:
            base_url: the server's address, e.g. ``http://127.0.0.1:8000`` (``/api/v1`` is
                added unless the address already ends with it).
            token: the caller's API token, sent as ``Authorization: Bearer <token>``.
            timeout: seconds to wait to connect, and for each read or write.
            retries: repeats of a safe call after its first attempt (0: never).
            backoff: the first wait between attempts in seconds; each later wait doubles.
            transport: an httpx transport to send through (``httpx.MockTransport`` in tests).

        Raises:
            ValueError: ``retries`` or ``backoff`` is negative.
        """
        self.connection = Connection(
            base_url, token, timeout=timeout, retries=retries, backoff=backoff, transport=transport
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.connection.close()

    def me(self) -> UserPublic:
        """The caller.

        Returns:
            The signed-in user: id, email, name and role.

        Raises:
            Unauthenticated: the token is unknown.
        """
        return self.connection.get(UserPublic, "/me")

    def create_project(
        self,
        name: str,
        kind: str,
        spec: dict[str, Any],
        overlap: int = 1,
        lease_seconds: int = 900,
        guidelines: str = "",
        requirements: dict[str, Any] | None = None,
        quality: dict[str, Any] | None = None,
    ) -> ProjectPublic:
        """Create a project (sent once: a lost answer is not retried, so none is duplicated).

        Args:
            name: the project's name.
            kind: the task kind, e.g. ``label`` or ``pairwise`` (README "Task kinds").
            spec: the kind's spec, e.g. ``{"labels": ["yes", "no"]}``.
            overlap: judgments wanted per item.
            lease_seconds: how long a claimed item stays reserved without a heartbeat.
            guidelines: the guidelines' text (version 1).
            requirements: ``{"tracks", "domains", "min_quality"}`` an expert must meet.
            quality: the quality policy (README "Quality while the work runs").

        Returns:
            The new project.

        Raises:
            Invalid: a bad kind, spec or policy (``errors`` names the field).
            Forbidden: the caller is not a lead or an admin.
        """
        body = {
            "name": name,
            "kind": kind,
            "spec": spec,
            "overlap": overlap,
            "lease_seconds": lease_seconds,
            "guidelines": guidelines,
            "requirements": requirements,
            "quality": quality,
        }
        return self.connection.call(ProjectPublic, "POST", "/projects", json=body, safe=False)

    def list_projects(self) -> list[ProjectPublic]:
        """The projects the caller may see.

        Returns:
            Every such project.

        Raises:
            Unauthenticated: the token is unknown.
        """
        return self.connection.get(ProjectsPublic, "/projects").data

    def get_project(self, project_id: int) -> ProjectPublic:
        """One project.

        Args:
            project_id: the project's id.

        Returns:
            The project.

        Raises:
            NotFound: no such project, or the caller may not see it.
        """
        return self.connection.get(ProjectPublic, f"/projects/{project_id}")

    def update_project(self, project_id: int, **changes: Any) -> ProjectPublic:
        """Change a project's terms; only the fields given change.

        Args:
            project_id: the project's id.
            **changes: any of ``requirements``, ``hourly_rate``, ``minutes_per_item``,
                ``quality``; ``None`` clears the rate or the estimate.

        Returns:
            The project after the change.

        Raises:
            Invalid: an unknown field or a bad value (``errors`` names it).
            Forbidden: the caller is not the project's lead or an admin.
            NotFound: no such project.
        """
        path = f"/projects/{project_id}"
        return self.connection.call(ProjectPublic, "PATCH", path, json=plain(changes), safe=True)

    def push_items(self, project_id: int, items: Rows, *, batch_size: int = 500) -> int:
        """Add items in batches of ``batch_size``; each batch is stored all or nothing.

        A failing batch stores nothing, but the batches before it stay stored; the error says
        how many (``error.created``) and its ``errors`` count rows from the start of ``items``.
        Not retried (give items an ``external_id``: a repeated push is then refused, never
        duplicated).

        Args:
            project_id: the project's id.
            items: dicts in the shape of README "Importing items" (``prompt``, ``responses``,
                ``external_id``, ...), or a table with ``to_dict("records")`` such as a pandas
                DataFrame, whose empty cells are left out.
            batch_size: items per request (1 to 10,000).

        Returns:
            How many items were created.

        Raises:
            Invalid: a row was refused (``errors`` names its row and field).
            Forbidden: the caller is not the project's lead or an admin.
            NotFound: no such project.
        """
        created = 0
        rows = plain_rows(items)
        for offset, batch in batches(rows, batch_size):
            path = f"/projects/{project_id}/items"
            try:
                answer = self.connection.call(
                    ItemsCreatedPublic, "POST", path, json={"items": batch}, safe=False
                )
            except ExpertloopError as error:
                raise shifted(error, offset, created) from None
            created += answer.created
        return created

    def claim(self, project_id: int) -> ClaimPublic | None:
        """Reserve the next item for the caller (an expert), or resume their live lease.

        Retried when safe: the API hands an expert their own live lease first, so a repeat of
        a claim whose answer was lost returns the same lease instead of taking a second one.

        Args:
            project_id: the project's id.

        Returns:
            The lease (``assignment_id``, ``item``, ``lease_expires_at``), or None when
            nothing is left for the caller (204).

        Raises:
            Forbidden: ``eligibility.not_qualified``; the message names each gap.
            NotFound: no such project.
        """
        response = self.connection.send("POST", f"/projects/{project_id}/claims", safe=True)
        if response.status_code == 204:
            return None
        return ClaimPublic.model_validate_json(response.content)

    def heartbeat(self, assignment_id: int, *, active: bool = True) -> LeasePublic:
        """Extend a lease (sent once: each heartbeat counts active time).

        Args:
            assignment_id: the lease's id (``Claim.assignment_id``).
            active: whether the expert worked since the last heartbeat.

        Returns:
            The lease with its new expiry and active seconds.

        Raises:
            Conflict: ``lease.expired``, ``lease.not_owner``, or ``lease.<status>`` once
                released or submitted.
            NotFound: no such lease.
        """
        path = f"/assignments/{assignment_id}/heartbeat"
        return self.connection.call(LeasePublic, "POST", path, json={"active": active}, safe=False)

    def release(self, assignment_id: int) -> LeasePublic:
        """Give a leased item back to the pool (sent once).

        Args:
            assignment_id: the lease's id.

        Returns:
            The lease, now released.

        Raises:
            Conflict: ``lease.expired``, ``lease.not_owner``, ``lease.<status>``.
            NotFound: no such lease.
        """
        path = f"/assignments/{assignment_id}/release"
        return self.connection.call(LeasePublic, "POST", path, safe=False)

    def submit(
        self,
        assignment_id: int,
        value: dict[str, Any],
        rationale: str = "",
        idempotency_key: str | None = None,
    ) -> JudgmentPublic:
        """Submit the judgment for a lease; retried safely under an idempotency key.

        Args:
            assignment_id: the lease's id.
            value: the answer in the project kind's shape, e.g. ``{"labels": ["yes"]}``.
            rationale: why the answer is right.
            idempotency_key: the key the server deduplicates on; a uuid4 when omitted. Send
                the same key again to get the same judgment back, never a second one.

        Returns:
            The stored judgment (the first one, when the key was seen before).

        Raises:
            Invalid: ``judgment.invalid_value`` (``errors`` names the field).
            Conflict: ``lease.expired``, ``lease.not_owner``, or ``lease.<status>`` once
                released (a key already used on this lease returns its judgment instead).
            NotFound: no such lease.
        """
        body = {
            "value": value,
            "rationale": rationale,
            "idempotency_key": idempotency_key or str(uuid.uuid4()),
        }
        path = f"/assignments/{assignment_id}/judgment"
        return self.connection.call(JudgmentPublic, "POST", path, json=body, safe=True)

    def progress(self, project_id: int) -> ProgressPublic:
        """A project's progress.

        Args:
            project_id: the project's id.

        Returns:
            ``items``, ``complete``, ``judgments`` and ``active_leases``.

        Raises:
            Forbidden: the caller is an expert.
            NotFound: no such project.
        """
        return self.connection.get(ProgressPublic, f"/projects/{project_id}/progress")

    def quality(self, project_id: int) -> QualityPublic:
        """A project's quality report: agreement, consensus by state, each expert's figures.

        Args:
            project_id: the project's id.

        Returns:
            The report as of the background workers' last refresh.

        Raises:
            Forbidden: the caller is an expert.
            NotFound: no such project.
        """
        return self.connection.get(QualityPublic, f"/projects/{project_id}/quality")

    def consensus(
        self, project_id: int, state: ConsensusState | None = None, *, limit: int = 100
    ) -> list[ConsensusPublic]:
        """Items' aggregated answers.

        Args:
            project_id: the project's id.
            state: only items in this state (``open``, ``agreed``, ``disputed``,
                ``adjudicated``); None: all.
            limit: at most this many rows (1 to 10,000).

        Returns:
            The consensus rows (value, confidence, method, state, ...).

        Raises:
            Invalid: a bad state or limit.
            Forbidden: the caller is an expert.
            NotFound: no such project.
        """
        params: dict[str, str | int] = {"limit": limit}
        if state is not None:
            params["state"] = state
        path = f"/projects/{project_id}/consensus"
        return self.connection.get(ConsensusListPublic, path, params=params).data

    def mark_gold(self, project_id: int, rows: Rows) -> int:
        """Give items known answers, all or nothing; marking again replaces an answer.

        Args:
            project_id: the project's id.
            rows: dicts (or a table with ``to_dict("records")``) with ``item_id`` or
                ``external_id``, ``answer`` (a judgment value) and optional ``explanation``.

        Returns:
            How many items were marked.

        Raises:
            Invalid: a bad row (``gold.invalid_answer``, ``gold.unknown_item``; ``errors``
                names the row and field).
            Conflict: ``gold.unsupported_kind``.
            Forbidden: the caller is not the project's lead or an admin.
        """
        body = {"items": plain_rows(rows)}
        path = f"/projects/{project_id}/gold"
        return self.connection.call(GoldMarked, "PUT", path, json=body, safe=True).marked
