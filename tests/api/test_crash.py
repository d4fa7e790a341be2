"""A server killed with SIGKILL in the middle of a load keeps every judgment whose submit had
been answered 2xx: after a restart each is found by id and replayed by its idempotency key."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from expertloop.store.queue import recount_items
from expertloop.store.tables import Judgment
from serverproc import HttpExpert, ServerProcess

EXPERTS, ITEMS, OVERLAP = 8, 200, 3
KILL_AFTER = 60  # acknowledged judgments before the kill
TIMEOUT = 120.0


def load_until_killed(server: ServerProcess, experts: list[HttpExpert]) -> None:
    deadline = time.monotonic() + TIMEOUT
    threads = [threading.Thread(target=e.run, args=(deadline,), daemon=True) for e in experts]
    for thread in threads:
        thread.start()
    while sum(len(e.acknowledged) for e in experts) < KILL_AFTER:
        assert time.monotonic() < deadline, "the load never got going"
        time.sleep(0.005)
    server.kill()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an expert thread hung"
    assert all(any("transport" in f for f in e.failures) for e in experts)  # killed mid-load


@pytest.mark.slow
def test_sigkill_mid_load_keeps_every_acknowledged_judgment(database, factory, tmp_path) -> None:
    lead = factory.user("lead")
    people = [factory.user("expert") for _ in range(EXPERTS)]
    project_id = factory.project(lead=lead, overlap=OVERLAP, items=ITEMS)
    server = ServerProcess(database.url, tmp_path / "server.log").start()
    experts = [HttpExpert(server.base_url, p.token, project_id, lead.token) for p in people]
    try:
        load_until_killed(server, experts)
    finally:
        server.kill()
    acknowledged = {
        int(a["id"]): (p, a) for p, e in zip(people, experts, strict=True) for a in e.acknowledged
    }
    assert len(acknowledged) >= KILL_AFTER
    with database.scoped(write=False) as session:
        stored = dict(
            session.execute(
                select(Judgment.id, Judgment.idempotency_key).where(
                    Judgment.project_id == project_id
                )
            ).all()
        )
        assert recount_items(session, project_id, datetime.now(UTC)) == []
    missing = {i: a["key"] for i, (_, a) in acknowledged.items() if stored.get(i) != a["key"]}
    assert not missing, f"acknowledged but lost: {missing}"
    restarted = ServerProcess(database.url, tmp_path / "restarted.log").start()
    try:
        for judgment_id, (person, answer) in acknowledged.items():
            replay = httpx.post(
                f"{restarted.base_url}/api/v1/assignments/{answer['assignment_id']}/judgment",
                json={
                    "value": {"labels": ["yes"]},
                    "rationale": "ok",
                    "idempotency_key": answer["key"],
                },
                headers=person.headers,
                timeout=30,
            )
            assert (replay.status_code, replay.json()["id"]) == (200, judgment_id)
    finally:
        restarted.stop()
