"""The measurement behind ``expertloop bench import``: import throughput and peak memory.

A benchmark, not a test. For each size of the sweep, a file of that many pairwise items is
written (JSONL, CSV or Parquet), a project is created for it, and the file is imported by
``expertloop import`` in a fresh Python process, whose peak resident memory is its own (its
``VmHWM``, counted from its ``exec``; ``ru_maxrss`` from ``wait4`` would count this process's
memory, forked before the ``exec``, and serves only where there is no ``/proc``). The child
times the command from its start (migration check, reading, validating, storing, commit) to
its end, so the interpreter's start is left out (``process_seconds`` has it in), and counts the
CPU the command used (``cpu_seconds``: on a busy machine, items per CPU second say what the
code costs where items per second say what the machine gave it). ``--src`` runs the child on
another checkout's ``src`` (the same command of an older commit, for before and after figures).

With ``--api`` the items go instead through ``POST /api/v1/projects/{id}/items``, 10,000 per
request, to one server process started for the run; its peak memory is its ``VmHWM``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import httpx

from expertloop.cli.benchsetup import API, bearer, server_processes
from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import projects, users
from expertloop.store import Database
from expertloop.store.db import is_sqlite
from expertloop.store.migrate import upgrade

API_BATCH = 10_000
"""Items per request in ``--api`` mode (the most one request takes)."""
WORDS = ("the", "trial", "dose", "renal", "patient", "claim", "evidence", "cohort", "outcome")
CHILD = """
import json, sys, time
from expertloop.cli.main import app
url, project, path = sys.argv[1:4]
started, cpu = time.perf_counter(), time.process_time()
app(["import", project, path, "--db", url], standalone_mode=False)
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
try:
    with open("/proc/self/status") as status:
        peak = int(status.read().split("VmHWM:")[1].split()[0])
except (OSError, IndexError):
    peak = None
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_kib": peak}))
"""


@dataclass(frozen=True)
class ImportBenchConfig:
    """One run of the import benchmark."""

    sizes: tuple[int, ...] = (100_000, 1_000_000)
    file_format: str = "jsonl"
    api: bool = False
    src: Path | None = None
    """Run the child on this ``src`` directory instead of the installed package."""


def run_import_bench(
    url: str, folder: Path, config: ImportBenchConfig, log: Callable[[str], None]
) -> dict[str, Any]:
    """Migrate ``url``, then write and import one file per size; the report as a dict."""
    upgrade(url)
    runs = []
    for size in config.sizes:
        path = write_items(folder / f"items-{size}.{config.file_format}", size)
        log(f"wrote {size} items to {path.name} ({path.stat().st_size / 2**20:.0f} MiB)")
        lead, project_id = _project(url, size)
        if config.api:
            run = _post_items(url, lead, project_id, path, config.src)
        else:
            run = _import_in_child(url, project_id, path, config.src)
        run = {"items": size, "file_mib": round(path.stat().st_size / 2**20, 1), **run}
        log(f"{size} items: {run['items_per_second']} items/s, peak {run['peak_rss_mib']} MiB")
        runs.append(run)
        path.unlink()
    return {
        "backend": "sqlite" if is_sqlite(url) else "postgresql",
        "format": config.file_format,
        "path": "api" if config.api else "cli",
        "runs": runs,
    }


def item_row(n: int) -> dict[str, Any]:
    """The ``n``-th item of a bench file: a pairwise question, about 780 bytes of JSON."""

    def text(seed: int, words: int) -> str:
        return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words))

    return {
        "external_id": f"bench-{n}",
        "prompt": f"Question {n}: does the cited trial support {text(n, 18)}?",
        "responses": [
            {"id": "A", "text": f"Answer A {n}: {text(n + 1, 30)}.", "model": "model-a"},
            {"id": "B", "text": f"Answer B {n}: {text(n + 2, 30)}.", "model": "model-b"},
        ],
        "metadata": {"source": "bench", "batch": str(n // 1000)},
        "priority": n % 7,
    }


def write_items(path: Path, count: int) -> Path:
    """Write ``count`` items to ``path`` in the format its suffix names."""
    rows = (item_row(n) for n in range(count))
    if path.suffix == ".parquet":
        _write_parquet(path, rows)
    elif path.suffix == ".csv":
        _write_csv(path, rows)
    else:
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row) + "\n")
    return path


def _write_csv(path: Path, rows: Iterator[dict[str, Any]]) -> None:
    header = ["external_id", "prompt", "priority", "response_A", "model_A", "response_B"]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*header, "model_B", "metadata.source", "metadata.batch"])
        for row in rows:
            a, b = row["responses"]
            cells = [row["external_id"], row["prompt"], row["priority"], a["text"], a["model"]]
            meta = row["metadata"]
            writer.writerow([*cells, b["text"], b["model"], meta["source"], meta["batch"]])


def _write_parquet(path: Path, rows: Iterator[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        while chunk := list(islice(rows, 50_000)):
            table = pa.Table.from_pylist(chunk)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def _project(url: str, size: int) -> tuple[str, int]:
    """A new lead and a pairwise project for one size: the lead's token and the project id."""
    database, now = Database(url), datetime.now(UTC)
    try:
        with database.scoped() as session:
            stamp = f"{size}-{time.time_ns()}"
            lead = users.create_user(
                session=session,
                actor=None,
                email=f"bench-import-{stamp}@example.org",
                name="Bench import lead",
                role="lead",
                password=None,
                now=now,
            )
        draft = projects.ProjectDraft(
            name=f"bench import {size}", kind="pairwise", spec={}, overlap=1, lease_seconds=600
        )
        with database.scoped() as session:
            actor = Actor(lead.user.id, Role.LEAD)
            project = projects.create_project(session=session, actor=actor, draft=draft, now=now)
        return lead.token, project.id
    finally:
        database.dispose()


def _import_in_child(url: str, project_id: int, path: Path, src: Path | None) -> dict[str, Any]:
    """``expertloop import`` of ``path`` in a fresh process: its seconds and peak memory."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    command = [sys.executable, "-c", CHILD, url, str(project_id), str(path)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"the import failed: {err.read().decode(errors='replace')[-2000:]}")
        timing = json.loads(out.read().decode().strip().splitlines()[-1])
    items = int(path.stem.rsplit("-", 1)[1])
    peak_kib = timing["peak_kib"] or usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
    return {
        "seconds": round(timing["seconds"], 2),
        "cpu_seconds": round(timing["cpu_seconds"], 2),
        "items_per_second": round(items / timing["seconds"]),
        "items_per_cpu_second": round(items / timing["cpu_seconds"]),
        "process_seconds": round(wall, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def _post_items(
    url: str, token: str, project_id: int, path: Path, src: Path | None
) -> dict[str, Any]:
    """Post the JSONL file's items ``API_BATCH`` per request to a server started for it."""
    if src is not None:  # the server process inherits it
        os.environ["PYTHONPATH"] = str(src)
    with server_processes(url, 1) as servers, path.open("rb") as lines:
        base, pid = servers.base_urls[0], servers.processes[0].pid
        start_mib = _status_mib(pid, "VmRSS")
        started = time.perf_counter()
        with httpx.Client(base_url=base + API, timeout=600, headers=bearer(token)) as client:
            while chunk := list(islice(lines, API_BATCH)):
                body = b'{"items": [' + b",".join(line.rstrip() for line in chunk) + b"]}"
                answer = client.post(
                    f"/projects/{project_id}/items",
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
                answer.raise_for_status()
        seconds = time.perf_counter() - started
        peak = _status_mib(pid, "VmHWM")
    items = int(path.stem.rsplit("-", 1)[1])
    return {
        "seconds": round(seconds, 2),
        "items_per_second": round(items / seconds),
        "items_per_request": API_BATCH,
        "server_start_rss_mib": start_mib,
        "peak_rss_mib": peak,
    }


def _status_mib(pid: int, field: str) -> float:
    """A field of ``/proc/PID/status`` (``VmRSS``, ``VmHWM``) in MiB; 0 without ``/proc``."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0
