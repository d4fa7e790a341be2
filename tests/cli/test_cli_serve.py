"""`expertloop serve` in a real subprocess answers the JSON API, then stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from expertloop.cli.benchsetup import free_port


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited early"
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_migrates_and_answers_the_api(tmp_path: Path, workers: int) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "expertloop.cli.main",
        "serve",
        "--db",
        f"sqlite:///{tmp_path / 'serve.db'}",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        response = wait_for(f"http://127.0.0.1:{port}/api/v1/openapi.json", process)
        assert response.status_code == 200
        assert response.json()["info"]["title"] == "expertloop"
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/me").status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    text = output.decode()
    # uvicorn shuts down cleanly, then re-raises SIGTERM on itself (newer versions)
    assert process.returncode in (0, -signal.SIGTERM), text
    assert "Application shutdown complete" in text
    assert f"http://127.0.0.1:{port}/" in text
