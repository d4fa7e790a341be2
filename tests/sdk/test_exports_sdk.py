"""SDK exports against a real server process: a worker thread in the test process (on the same
database) writes the queued jobs; the client queues, waits, downloads, and loads a Dataset."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from expertloop.sdk import Client, Conflict, Invalid, NotFound
from expertloop.store import export_jobs as export_store
from export_jobs_kit import judged_project, run_exports
from serverproc import ServerProcess


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(database_url, tmp_path_factory.mktemp("sdk") / "server.log").start()
    yield process
    process.stop()


@pytest.fixture
def worker(database: Any, tmp_path: Path) -> Iterator[Path]:
    """A background worker writing queued exports under the directory it yields."""
    directory, stop = tmp_path / "exports", threading.Event()

    def loop() -> None:
        while not stop.is_set():
            run_exports(database, directory)
            stop.wait(0.1)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield directory
    stop.set()
    thread.join(timeout=30)


def test_export_queues_waits_and_downloads_the_file(
    server: ServerProcess, client: Any, factory: Any, worker: Path, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    with Client(server.base_url, lead.token) as sdk:
        path = sdk.export(project_id, "raw", tmp_path / "rows.jsonl", poll=0.1, license="mit")
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert [r["external_id"] for r in rows] == ["q0", "q1", "q2"]
        [job] = sdk.list_exports(project_id)
        assert (job.status, job.rows, job.file_format) == ("done", 3, "jsonl")
        assert job.download_url is not None and job.download_url.endswith("/download")
        assert sdk.get_export(job.id) == job
    assert not list(tmp_path.glob(".rows.jsonl.*"))  # no partial file left


def test_export_dataset_loads_the_rows(
    server: ServerProcess, client: Any, factory: Any, worker: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    with Client(server.base_url, lead.token) as sdk:
        loaded = sdk.export_dataset(project_id, "raw", poll=0.1)
    assert loaded.num_rows == 3
    assert sorted(loaded["external_id"]) == ["q0", "q1", "q2"]


def test_export_errors_arrive_typed(
    server: ServerProcess, client: Any, factory: Any, database: Any, tmp_path: Path
) -> None:
    lead, project_id = judged_project(client, factory)
    with Client(server.base_url, lead.token) as sdk:
        with pytest.raises(Invalid) as raised:
            sdk.create_export(project_id, "preference")
        assert raised.value.errors[0].field == "format"
        job = sdk.create_export(project_id, "raw", file_format="parquet")
        assert job.status == "queued"
        with pytest.raises(Conflict) as early:
            sdk.download_export(job.id, tmp_path / "early.parquet")
        assert early.value.code == "export.not_ready"
        assert not (tmp_path / "early.parquet").exists()
        looks: list[Any] = []
        with pytest.raises(TimeoutError, match=r"still queued .*worker"):
            sdk.wait_for_export(job.id, timeout=0.2, poll=0.1, on_progress=looks.append)
        assert looks and {(j.id, j.status, j.items_total) for j in looks} == {
            (job.id, "queued", None)
        }
        blocked = tmp_path / "file"
        blocked.write_text("not a directory")
        run_exports(database, blocked)
        with pytest.raises(Conflict, match="cannot write") as failed:
            sdk.wait_for_export(job.id, poll=0.1)
        assert failed.value.code == "export.failed"
    with Client(server.base_url, factory.user("lead").token) as other, pytest.raises(NotFound):
        other.get_export(job.id)


def test_waiting_for_a_running_export_shows_how_far_it_is(
    server: ServerProcess, client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, project_id = judged_project(client, factory)
    with Client(server.base_url, lead.token) as sdk:
        job = sdk.create_export(project_id, "raw")
        with database.scoped() as session:  # a worker has read 2,000 of 4,500 items
            running = export_store.claim_next(session, now=clock())
            assert running is not None and running.started_at is not None
            started = running.started_at
            export_store.record_progress(session, job.id, started_at=started, done=2000, total=4500)
            session.commit()
        looks: list[Any] = []
        with pytest.raises(TimeoutError, match=r"still running .*\(2,000 of 4,500 items read\)"):
            sdk.wait_for_export(job.id, timeout=0.2, poll=0.1, on_progress=looks.append)
    assert {(j.status, j.items_done, j.items_total) for j in looks} == {("running", 2000, 4500)}
