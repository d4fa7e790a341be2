"""The SDK against a real server process on the test database (SQLite, and PostgreSQL when its
URL is set): a lead and experts working a project through ``expertloop.sdk.Client`` only."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import func, select

import expertloop.sdk
from expertloop.sdk import (
    Client,
    Conflict,
    ExpertloopError,
    Forbidden,
    Invalid,
    NotFound,
    RetryPolicy,
    Unauthenticated,
)
from expertloop.store.tables import Judgment
from serverproc import ServerProcess

LABELS = {"labels": ["yes", "no"]}


class FakeFrame:
    """Duck-types a pandas DataFrame: rows through ``to_dict("records")``, cells as NumPy and
    NaN would come from one."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def to_dict(self, orient: str) -> list[dict[str, Any]]:
        assert orient == "records"
        return [dict(r) for r in self.records]


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server process for the module (starting one takes seconds); tests wipe the data."""
    process = ServerProcess(database_url, tmp_path_factory.mktemp("sdk") / "server.log").start()
    yield process
    process.stop()


def rows(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"external_id": f"r{i}", "prompt": f"Claim {i}", "responses": [{"id": "A", "text": "t"}]}
        for i in range(start, start + count)
    ]


def work_until_empty(expert: Client, project_id: int) -> list[Any]:
    done = []
    while (claim := expert.claim(project_id)) is not None:
        judgment = expert.submit(claim.assignment_id, {"labels": ["yes"]}, rationale="fits")
        assert judgment.item_id == claim.item.id and judgment.value == {"labels": ["yes"]}
        done.append(claim)
    return done


def judgments_in_db(database: Any, project_id: int) -> int:
    with database.scoped() as session:
        query = select(func.count()).select_from(Judgment)
        return int(session.scalar(query.where(Judgment.project_id == project_id)) or 0)


def test_lead_pushes_lists_and_frames_and_experts_work_until_none_is_left(
    server: ServerProcess, factory: Any, database: Any
) -> None:
    lead, experts = factory.user("lead"), [factory.user("expert") for _ in range(2)]
    with Client(server.base_url, lead.token) as client:
        assert client.me().email == lead.email
        project = client.create_project("Claims", "label", LABELS, overlap=2, guidelines="Be kind")
        assert (project.kind, project.overlap, project.guidelines_version) == ("label", 2, 1)
        assert client.push_items(project.id, rows(3), batch_size=2) == 3
        assert client.push_items(project.id, []) == 0
        frame = FakeFrame(
            [
                {"external_id": "f0", "prompt": "Framed", "context": float("nan"), "priority": 0},
                {"external_id": "f1", "prompt": "Urgent", "context": "ED", "priority": np.int64(5)},
            ]
        )
        assert client.push_items(project.id, frame) == 2
        assert client.get_project(project.id) == project
        assert project.id in [p.id for p in client.list_projects()]
    for person in experts:
        with Client(server.base_url, person.token) as expert:
            done = work_until_empty(expert, project.id)
            assert len(done) == 5
            assert (done[0].item.external_id, done[0].item.context) == ("f1", "ED")  # priority
            assert [c.item.context for c in done if c.item.external_id == "f0"] == [None]
    with Client(server.base_url, lead.token) as client:
        progress = client.progress(project.id)
    assert progress.model_dump() == {
        "items": 5,
        "complete": 5,
        "judgments": 10,
        "active_leases": 0,
    }
    assert judgments_in_db(database, project.id) == 10


def test_submit_with_the_same_key_returns_the_same_judgment(
    server: ServerProcess, factory: Any, database: Any
) -> None:
    lead, person = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=2)
    with Client(server.base_url, person.token) as expert:
        claim = expert.claim(project_id)
        assert claim is not None
        assert expert.claim(project_id) == claim  # a repeated claim resumes the same lease
        first = expert.submit(claim.assignment_id, {"labels": ["no"]}, "why", "key-1")
        again = expert.submit(claim.assignment_id, {"labels": ["no"]}, "why", "key-1")
        assert again == first and first.idempotency_key == "key-1"
        second = expert.claim(project_id)
        assert second is not None and second.assignment_id != claim.assignment_id
        generated = expert.submit(second.assignment_id, {"labels": ["yes"]})
        assert uuid.UUID(str(generated.idempotency_key)).version == 4
        assert expert.claim(project_id) is None
    assert judgments_in_db(database, project_id) == 2


def test_heartbeat_and_release_give_the_lease_back(server: ServerProcess, factory: Any) -> None:
    lead, person = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=1)
    with Client(server.base_url, person.token) as expert:
        claim = expert.claim(project_id)
        assert claim is not None
        beat = expert.heartbeat(claim.assignment_id)
        assert beat.assignment_id == claim.assignment_id and beat.status == "active"
        assert beat.lease_expires_at >= claim.lease_expires_at
        assert expert.release(claim.assignment_id).status == "released"
        with pytest.raises(Conflict) as caught:
            expert.submit(claim.assignment_id, {"labels": ["yes"]})
        assert caught.value.status == 409 and caught.value.code.startswith("lease.")
    with Client(server.base_url, lead.token) as client:
        assert client.progress(project_id).active_leases == 0


def test_a_refused_batch_names_rows_of_the_whole_push_and_keeps_earlier_batches(
    server: ServerProcess, factory: Any
) -> None:
    lead = factory.user("lead")
    project_id = factory.project(lead=lead)
    items = [*rows(3), {"external_id": "bad", "prompt": 7}, *rows(1, start=3)]
    with Client(server.base_url, lead.token) as client, pytest.raises(Invalid) as caught:
        client.push_items(project_id, items, batch_size=2)
    error = caught.value
    assert (error.status, error.code, error.created) == (422, "request.invalid", 2)
    assert [(e.row, e.field) for e in error.errors] == [(3, "prompt")]
    assert error.message.startswith("row 3, prompt: ")
    assert "2 items of earlier batches were stored" in error.message
    with Client(server.base_url, lead.token) as client:
        assert client.progress(project_id).items == 2


def test_errors_map_to_their_classes(server: ServerProcess, factory: Any) -> None:
    lead, person = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=1)
    with Client(server.base_url, person.token) as expert:
        with pytest.raises(Forbidden) as forbidden:
            expert.create_project("Mine", "label", LABELS)
        with pytest.raises(NotFound) as missing:
            expert.get_project(project_id + 1000)
    with Client(server.base_url, lead.token) as client:
        with pytest.raises(Invalid) as invalid:
            client.create_project("Bad", "label", {"labels": []})
        with pytest.raises(Invalid) as unknown:
            client.update_project(project_id, colour="blue")
    stranger = Client(server.base_url, "not-a-token", retries=0)
    with stranger, pytest.raises(Unauthenticated) as anonymous:
        stranger.me()
    assert (forbidden.value.status, forbidden.value.code) == (403, "auth.forbidden")
    assert (missing.value.status, missing.value.code) == (404, "project.not_found")
    assert invalid.value.status == 422 and invalid.value.errors[0].field.startswith("spec")
    assert [e.field for e in unknown.value.errors] == ["colour"]
    assert anonymous.value.status == 401
    assert all(
        isinstance(e.value, ExpertloopError) for e in (forbidden, missing, invalid, anonymous)
    )


def test_a_lead_updates_terms_marks_gold_and_reads_quality(
    server: ServerProcess, factory: Any
) -> None:
    lead = factory.user("lead")
    project_id = factory.project(lead=lead, items=3)
    with Client(server.base_url, lead.token) as client:
        updated = client.update_project(
            project_id, minutes_per_item=4, hourly_rate=Decimal("45.50")
        )
        assert (updated.minutes_per_item, str(updated.hourly_rate)) == (4, "45.50")
        gold = [{"external_id": "q0", "answer": {"labels": ["yes"]}, "explanation": "known"}]
        assert client.mark_gold(project_id, gold) == 1
        assert client.mark_gold(project_id, FakeFrame(gold)) == 1  # again: replaces
        report = client.quality(project_id)
        assert report.project_id == project_id and report.experts == []
        assert client.consensus(project_id) == []
        assert client.consensus(project_id, "disputed", limit=5) == []


def test_the_module_docstring_example_runs(
    server: ServerProcess, factory: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    doc = expertloop.sdk.__doc__ or ""
    code = re.search(r"::\n\n((?:    .*\n|\n)+)", doc)
    assert code is not None
    monkeypatch.setenv("EXPERTLOOP_URL", server.base_url)
    monkeypatch.setenv("LEAD_TOKEN", factory.user("lead").token)
    monkeypatch.setenv("EXPERT_TOKEN", factory.user("expert").token)
    exec(compile(dedent(code.group(1)), "sdk-example", "exec"), {})
    assert capsys.readouterr().out.split() == [
        "items=2",
        "complete=2",
        "judgments=2",
        "active_leases=0",
    ]


def dedent(text: str) -> str:
    return "\n".join(line[4:] for line in text.splitlines())


def test_the_readme_has_a_python_sdk_section() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "## Python SDK" in readme and "expertloop.sdk" in readme


class Flaky:
    """A MockTransport handler that answers ``failures`` first, then 200 with ``body``; it
    records every request it was sent."""

    def __init__(self, failures: list[int | Exception], body: dict[str, Any]) -> None:
        self.failures, self.body = list(failures), body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return httpx.Response(failure, json={"code": "busy", "message": "try later"})
        return httpx.Response(200, json=self.body)


USER = {"id": 1, "email": "a@b.org", "name": "A", "role": "lead"}
JUDGMENT = {
    "id": 9,
    "project_id": 1,
    "item_id": 2,
    "assignment_id": 3,
    "expert_id": 4,
    "value": {"labels": ["yes"]},
    "rationale": "",
    "guideline_version": 1,
    "active_seconds": 0.0,
    "idempotency_key": "k",
    "created_at": "2026-01-01T00:00:00Z",
}


def mock_client(handler: Flaky, **options: Any) -> tuple[Client, list[float]]:
    """A client on ``handler`` whose waits are recorded instead of slept."""
    waits: list[float] = []
    client = Client("http://sdk.test", "t", transport=httpx.MockTransport(handler), **options)
    policy = client.connection.policy
    client.connection.policy = RetryPolicy(policy.retries, policy.backoff, waits.append)
    return client, waits


def test_a_safe_call_is_retried_after_two_503s_with_growing_waits() -> None:
    handler = Flaky([503, 503], USER)
    client, waits = mock_client(handler)
    with client:
        assert client.me().email == "a@b.org"
    assert waits == [0.5, 1.0]
    assert [r.url.path for r in handler.requests] == ["/api/v1/me"] * 3
    assert handler.requests[0].headers["Authorization"] == "Bearer t"


def test_connection_errors_429_and_gateway_errors_are_retried_honouring_retry_after() -> None:
    handler = Flaky([httpx.ConnectError("refused"), 429, 502, 504], USER)
    client, waits = mock_client(handler, retries=4, backoff=0.25)
    with client:
        assert client.me().id == 1
    assert waits == [0.25, 0.5, 1.0, 2.0]
    assert RetryPolicy().wait(0, httpx.Response(429, headers={"Retry-After": "7"})) == 7.0
    assert RetryPolicy().wait(0, httpx.Response(429, headers={"Retry-After": "999"})) == 60.0


def test_retries_give_up_with_the_last_error() -> None:
    handler = Flaky([503] * 5, USER)
    client, _ = mock_client(handler, retries=2)
    with client, pytest.raises(ExpertloopError) as caught:
        client.me()
    assert (caught.value.status, caught.value.code, len(handler.requests)) == (503, "busy", 3)
    assert type(caught.value) is ExpertloopError


def test_a_retried_submit_sends_the_same_generated_key_every_time() -> None:
    handler = Flaky([503, httpx.ReadTimeout("slow")], JUDGMENT)
    client, _ = mock_client(handler)
    with client:
        assert client.submit(3, {"labels": ["yes"]}).id == 9
    keys = {json.loads(r.content)["idempotency_key"] for r in handler.requests}
    assert len(handler.requests) == 3 and len(keys) == 1
    assert uuid.UUID(keys.pop()).version == 4


@pytest.mark.parametrize("failure", [503, httpx.ConnectError("refused")])
def test_a_post_that_is_not_idempotent_is_sent_once(failure: int | Exception) -> None:
    calls: dict[str, Callable[[Client], object]] = {
        "push_items": lambda c: c.push_items(1, [{"prompt": "p"}]),
        "create_project": lambda c: c.create_project("P", "label", LABELS),
        "heartbeat": lambda c: c.heartbeat(1),
        "release": lambda c: c.release(1),
    }
    for name, call in calls.items():
        handler = Flaky([failure], {})
        client, waits = mock_client(handler)
        with client, pytest.raises((ExpertloopError, httpx.ConnectError)):
            call(client)
        assert (name, len(handler.requests), waits) == (name, 1, [])


def test_a_claim_answered_204_is_none_and_a_body_that_is_not_json_keeps_its_text() -> None:
    empty = httpx.MockTransport(lambda request: httpx.Response(204))
    with Client("http://sdk.test/api/v1/", "t", transport=empty) as client:
        assert client.claim(1) is None
    gone = httpx.MockTransport(lambda request: httpx.Response(404, text="gone"))
    with (
        Client("http://sdk.test", "t", transport=gone) as client,
        pytest.raises(NotFound) as caught,
    ):
        client.claim(1)
    assert (caught.value.code, caught.value.message) == ("http.404", "gone")
