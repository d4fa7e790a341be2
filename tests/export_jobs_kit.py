"""What the export tests share: a label project whose items an expert judged, a pairwise
project three experts judged with its consensus refreshed, and a worker's pass over the queued
exports run in the test process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from expertloop.services.aggregation import refresh_project
from expertloop.services.export_worker import run_pending_exports
from expertloop.store import Database
from judging import judge_all, labelled

LABELS = {"q0": "yes", "q1": "no", "q2": "yes"}
CHOICES = {"q0": "A", "q1": "A", "q2": "B", "q3": "tie"}
"""The three experts' choice on each item of ``judged_pairwise_project`` (strength 2)."""


def judged_project(client: Any, factory: Any, lead: Any = None) -> tuple[Any, int]:
    """A lead and their label project of three items (``q0``..``q2``), each judged once."""
    lead = lead or factory.user("lead")
    project_id = factory.project(lead=lead, items=3)
    assert judge_all(client, factory.user("expert"), project_id, labelled(LABELS)) == 3
    return lead, project_id


def run_exports(database: Database, directory: Path) -> list[Any]:
    """One worker pass over the queued exports, writing under ``directory``."""
    return run_pending_exports(
        sessions=database.scoped,
        now=lambda: datetime.now(UTC),
        directory=directory,
        stale_seconds=3600,
    )


def judged_pairwise_project(client: Any, factory: Any, database: Database, clock: Any) -> int:
    """A lead's pairwise project of four items (``q0``..``q3``), each judged by three experts
    (regions EU, US, EU) as ``CHOICES`` says, its consensus refreshed."""
    project_id = factory.project(lead=factory.user("lead"), kind="pairwise", overlap=3, items=4)
    experts = [factory.user("expert", attributes={"region": r}) for r in ("EU", "US", "EU")]
    for person in experts:
        judge_all(client, person, project_id, lambda ext: {"choice": CHOICES[ext], "strength": 2})
    refresh(database, project_id, clock)
    return project_id


def refresh(database: Database, project_id: int, clock: Any) -> None:
    """Recompute the project's consensus as a worker would, past the settle window."""
    clock.advance(120)
    with database.scoped() as session:
        refresh_project(
            session=session, project_id=project_id, now=clock(), rng=np.random.default_rng(0)
        )


def split_export(monkeypatch: Any, split: str, items: int) -> int:
    """Make the fast path cut a project of ``items`` items into chunks of two items
    (``split == "chunks"``, one process) or into three runs of other processes (``"runs"``);
    the processes to ask for."""
    from expertloop.services import export_parts
    from expertloop.store import export_columns

    if split == "chunks":
        monkeypatch.setattr(export_columns, "CHUNK", 2)
        return 1
    monkeypatch.setattr(export_parts, "ITEMS_PER_RUN", items // 3)
    return 3
