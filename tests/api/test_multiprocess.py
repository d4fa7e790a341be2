"""Two separate server processes on one database, 16 experts split across them: every item
ends with exactly ``overlap`` judgments by distinct experts."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from queue_checks import assert_exact
from serverproc import HttpExpert, running_servers

EXPERTS, ITEMS, OVERLAP = 16, 200, 3
DEADLINE_SECONDS = 240.0


def drive(experts: list[HttpExpert]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    threads = [threading.Thread(target=e.run, args=(deadline,), daemon=True) for e in experts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS + 30)
    assert not any(t.is_alive() for t in threads), "an expert thread hung"
    failures = [f for e in experts for f in e.failures]
    assert not failures, failures[:5]


@pytest.mark.slow
def test_two_server_processes_judge_every_item_exactly(database, factory, tmp_path) -> None:
    # SQLite runs too: two processes share the file through WAL and its lock.
    lead = factory.user("lead")
    people = [factory.user("expert") for _ in range(EXPERTS)]
    project_id = factory.project(lead=lead, overlap=OVERLAP, items=ITEMS)
    with running_servers(database.url, tmp_path, count=2) as servers:
        experts = [
            HttpExpert(servers[index % 2].base_url, person.token, project_id, lead.token)
            for index, person in enumerate(people)
        ]
        drive(experts)
    assert_exact(database, project_id, overlap=OVERLAP, now=datetime.now(UTC))
    assert sum(len(e.acknowledged) for e in experts) == ITEMS * OVERLAP
    for half in (experts[0::2], experts[1::2]):  # both servers did real work
        assert sum(len(e.acknowledged) for e in half) > 0
