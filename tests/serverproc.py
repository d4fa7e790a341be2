"""Real server processes for tests: ``python -m uvicorn --factory expertloop.app:create_app``
on a free port, sharing the test database, killed with SIGKILL when a test asks."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from expertloop.cli.benchsetup import free_port, server_command, server_env

START_TIMEOUT = 30.0


class ServerProcess:
    """One uvicorn process serving the app on ``database_url``."""

    def __init__(self, database_url: str, log: Path, port: int | None = None) -> None:
        self.database_url, self.log = database_url, log
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        env, command = server_env(self.database_url), server_command(self.port)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=log, start_new_session=True
            )
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.base_url}/api/v1/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_servers(
    database_url: str, log_dir: Path, count: int = 1
) -> Iterator[list[ServerProcess]]:
    """``count`` servers on the same database, stopped when the block ends."""
    servers = [ServerProcess(database_url, log_dir / f"server{i}.log") for i in range(count)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


class HttpExpert:
    """An expert driving claim -> submit over HTTP with its own keep-alive client, recording
    every judgment whose submit was answered 2xx."""

    def __init__(self, base_url: str, token: str, project_id: int, progress_token: str) -> None:
        self.client = httpx.Client(
            base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )
        self.project_id, self.progress_token = project_id, progress_token
        self.acknowledged: list[dict[str, object]] = []
        self.failures: list[str] = []

    def run(self, deadline: float) -> None:
        try:
            while time.monotonic() < deadline:
                claim = self.client.post(f"/api/v1/projects/{self.project_id}/claims")
                if claim.status_code == 204:
                    if self.all_complete():
                        return
                    time.sleep(0.02)  # remaining slots are leased by others for now
                    continue
                if claim.status_code != 200:
                    self.failures.append(f"claim {claim.status_code} {claim.text}")
                    return
                self.submit(claim.json())
        except httpx.TransportError as error:
            self.failures.append(f"transport: {error!r}")
        finally:
            self.client.close()

    def submit(self, claim: dict[str, object]) -> None:
        key = f"key-{claim['assignment_id']}"
        body = {"value": {"labels": ["yes"]}, "rationale": "ok", "idempotency_key": key}
        answer = self.client.post(
            f"/api/v1/assignments/{claim['assignment_id']}/judgment", json=body
        )
        if answer.status_code not in (200, 201):
            self.failures.append(f"submit {answer.status_code} {answer.text}")
            return
        self.acknowledged.append(
            {"id": answer.json()["id"], "key": key, "assignment_id": claim["assignment_id"]}
        )

    def all_complete(self) -> bool:
        progress = self.client.get(
            f"/api/v1/projects/{self.project_id}/progress",
            headers={"Authorization": f"Bearer {self.progress_token}"},
        ).json()
        return bool(progress["complete"] == progress["items"])
