"""Set-up for ``expertloop bench load``: seed a label project with K experts (through the
services, or through the API of a running server) and start the server processes to measure."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import httpx

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import items, projects, users
from expertloop.store import Database
from expertloop.store.db import is_sqlite
from expertloop.store.migrate import upgrade

API = "/api/v1"
LABELS = ["supported", "unsupported", "unclear"]
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class BenchConfig:
    """What one benchmark run does."""

    experts: int
    items: int
    overlap: int
    max_seconds: float = 300.0
    workers: int | None = None
    rate: float | None = None
    """Cycles per second the experts together aim at (None: each goes as fast as it can)."""


@dataclass(frozen=True)
class Target:
    """A seeded project and the people who work on it."""

    project_id: int
    expert_tokens: list[str]
    watch_token: str


def item_rows(count: int) -> Iterator[dict[str, Any]]:
    """The bench project's items, made one at a time (an import reads them as it goes)."""
    for index in range(count):
        yield {
            "external_id": f"bench-{index}",
            "prompt": f"Does the cited trial support claim {index} on dosing in renal failure?",
            "responses": [{"id": "A", "text": f"Answer {index}: yes, see table 2.", "model": "m"}],
        }


def label_draft(config: BenchConfig) -> projects.ProjectDraft:
    return projects.ProjectDraft(
        name=f"bench {config.experts}x{config.items}",
        kind="label",
        spec={"labels": LABELS, "multiple": False},
        overlap=config.overlap,
        lease_seconds=600,
    )


def seed_database(url: str, config: BenchConfig) -> Target:
    """Migrate, then create an admin, a lead, K experts and a label project with N items."""
    upgrade(url)
    database, run, now = Database(url), secrets.token_hex(4), utc_now()
    try:
        with database.scoped() as session:
            new_user(session, "admin", run, 0)
        with database.scoped() as session:
            lead = new_user(session, "lead", run, 0)
        tokens = []
        for index in range(config.experts):
            with database.scoped() as session:
                tokens.append(new_user(session, "expert", run, index).token)
        with database.scoped() as session:
            project = projects.create_project(
                session=session,
                actor=Actor(lead.user.id, Role.LEAD),
                draft=label_draft(config),
                now=now,
            )
        with database.scoped() as session:
            items.import_items(
                session=session,
                actor=None,
                project_id=project.id,
                rows=item_rows(config.items),
                now=now,
            )
        return Target(project.id, tokens, lead.token)
    finally:
        database.dispose()


def new_user(session: Any, role: str, run: str, index: int) -> users.CreatedUser:
    return users.create_user(
        session=session,
        actor=None,
        email=f"bench-{run}-{role}{index}@example.org",
        name=f"Bench {role} {index}",
        role=role,
        password=None,
        now=utc_now(),
    )


def seed_over_http(base_url: str, admin_token: str, config: BenchConfig) -> Target:
    """The same seed through the JSON API of a running server (``--url``)."""
    run = secrets.token_hex(4)
    with httpx.Client(base_url=base_url + API, timeout=60) as client:

        def user(role: str, index: int) -> str:
            body = {
                "email": f"bench-{run}-{role}{index}@example.org",
                "name": f"Bench {role}",
                "role": role,
                "password": secrets.token_urlsafe(12),
            }
            answer = client.post("/users", json=body, headers=bearer(admin_token))
            answer.raise_for_status()
            return str(answer.json()["token"])

        lead = user("lead", 0)
        tokens = [user("expert", index) for index in range(config.experts)]
        draft = label_draft(config)
        body = {
            "name": draft.name,
            "kind": draft.kind,
            "spec": draft.spec,
            "overlap": draft.overlap,
            "lease_seconds": draft.lease_seconds,
            "guidelines": "",
        }
        project = client.post("/projects", json=body, headers=bearer(lead))
        project.raise_for_status()
        project_id = int(project.json()["id"])
        rows = item_rows(config.items)
        while batch := list(islice(rows, 5000)):
            client.post(
                f"/projects/{project_id}/items", json={"items": batch}, headers=bearer(lead)
            ).raise_for_status()
    return Target(project_id, tokens, lead)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def utc_now() -> datetime:
    return datetime.now(UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def default_workers(url: str) -> int:
    """SQLite has one writer: a second process only adds lock waits. PostgreSQL: two."""
    return 1 if is_sqlite(url) else 2


@dataclass
class Servers:
    """Server processes started for a run; experts are spread over them round-robin, the way
    a load balancer would (``uvicorn --workers`` leaves keep-alive connections where the kernel
    first put them, often all on one process)."""

    base_urls: list[str]
    processes: list[subprocess.Popen[bytes]]

    def cpu_seconds(self) -> float:
        """User plus system CPU the server processes used so far (Linux; 0 elsewhere)."""
        return sum(process_cpu_seconds(p.pid) for p in self.processes)


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_env(url: str) -> dict[str, str]:
    """The environment of a server process on an already migrated database."""
    return {**os.environ, "EXPERTLOOP_DATABASE_URL": url, "EXPERTLOOP_MIGRATE_ON_START": "false"}


def server_command(port: int) -> list[str]:
    """One uvicorn process serving the app factory on 127.0.0.1:``port``."""
    factory = "expertloop.app:create_app"
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]


@contextmanager
def server_processes(url: str, count: int) -> Iterator[Servers]:
    """``count`` uvicorn processes on ``url``, each on its own port, for the block."""
    env = server_env(url)
    servers = Servers([], [])
    try:
        for _ in range(count):
            port = free_port()
            command = [*server_command(port), "--log-level", "warning"]
            servers.processes.append(subprocess.Popen(command, env=env, start_new_session=True))
            servers.base_urls.append(f"http://127.0.0.1:{port}")
        for base_url, process in zip(servers.base_urls, servers.processes, strict=True):
            wait_ready(base_url, process)
        yield servers
    finally:
        for process in servers.processes:
            process.terminate()
        for process in servers.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            if httpx.get(f"{base_url}{API}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer in time")
