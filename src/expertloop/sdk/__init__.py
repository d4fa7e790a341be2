"""The Python SDK: a typed client for expertloop's JSON API (``/api/v1``).

Answers are the API's own pydantic schemas (``ProjectPublic``, ``ClaimPublic``,
``JudgmentPublic``, ...); error answers raise :class:`ExpertloopError`, one subclass per status
(:class:`Invalid` 422, :class:`NotFound` 404, :class:`Conflict` 409, :class:`Forbidden` 403,
:class:`Unauthenticated` 401). Calls that are safe to repeat are retried on connection errors,
429, 502, 503 and 504 with exponential backoff (see :class:`Client`).

Example: a lead creates a project and pushes items, an expert works it, the lead watches
progress (``expertloop serve`` running; tokens from ``expertloop users create ... | tail -n1``;
set ``EXPERTLOOP_URL``, ``LEAD_TOKEN`` and ``EXPERT_TOKEN``)::

    import os

    from expertloop.sdk import Client

    url = os.environ.get("EXPERTLOOP_URL", "http://127.0.0.1:8000")
    with Client(url, os.environ["LEAD_TOKEN"]) as lead:
        project = lead.create_project(
            "Clinical claims", "label", {"labels": ["supported", "unsupported"]}, overlap=1
        )
        lead.push_items(project.id, [
            {"external_id": "c1", "prompt": "Statins lower LDL cholesterol."},
            {"external_id": "c2", "prompt": "Antibiotics cure viral colds."},
        ])
    with Client(url, os.environ["EXPERT_TOKEN"]) as expert:
        while (claim := expert.claim(project.id)) is not None:
            expert.submit(claim.assignment_id, {"labels": ["supported"]}, rationale="guidelines")
    with Client(url, os.environ["LEAD_TOKEN"]) as lead:
        print(lead.progress(project.id))  # items=2 complete=2 judgments=2 active_leases=0
"""

from __future__ import annotations

from expertloop.api.schemas import ClaimPublic as Claim
from expertloop.api.schemas.exports import ExportJobPublic as ExportJob
from expertloop.sdk.client import Client, ConsensusState
from expertloop.sdk.errors import (
    Conflict,
    ExpertloopError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)
from expertloop.sdk.retries import RetryPolicy

__all__ = [
    "Claim",
    "Client",
    "Conflict",
    "ConsensusState",
    "ExpertloopError",
    "ExportJob",
    "Forbidden",
    "Invalid",
    "NotFound",
    "RetryPolicy",
    "Unauthenticated",
]
