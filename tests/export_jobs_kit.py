"""What the export job tests share: a label project whose items an expert judged, and a
worker's pass over the queued exports run in the test process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expertloop.services.export_jobs import run_pending_exports
from expertloop.store import Database
from judging import judge_all, labelled

LABELS = {"q0": "yes", "q1": "no", "q2": "yes"}


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
