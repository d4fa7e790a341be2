"""The load driver behind ``expertloop bench load``: K simulated experts claim and submit over
HTTP until no work is left, then one JSON report.

The driver is one asyncio loop with one lean keep-alive connection per simulated expert
(``cli.wire``), so it costs the machine little next to the server it measures. An expert stops
after a few 204s in a row while no simulated expert holds a lease: then nothing can free a
slot for it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from expertloop.cli.benchsetup import (
    API,
    LABELS,
    BenchConfig,
    Target,
    bearer,
    default_workers,
    seed_database,
    seed_over_http,
    server_processes,
)
from expertloop.cli.wire import WireClient, WireError, WireResponse
from expertloop.services import judgments
from expertloop.store import Database
from expertloop.store.db import is_sqlite

__all__ = ["BenchConfig", "run_on_database", "run_on_server"]

IDLE_TRIES = 3
"""Consecutive 204s, with no lease held by any simulated expert, before an expert stops."""


@dataclass
class Recorder:
    """What the simulated experts saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    judged: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    cycles: int = 0
    holding: int = 0
    last_cycle_at: float = 0.0
    """When the last submit was answered 201 (``perf_counter``)."""

    def timed(self, call: str, started: float) -> None:
        self.latencies[call].append((time.perf_counter() - started) * 1000.0)

    def error(self, call: str, response: WireResponse | None, exc: Exception | None = None) -> None:
        if response is None:
            self.errors[f"{call}:transport:{type(exc).__name__}"] += 1
            return
        try:
            code = response.json().get("code", "")
        except ValueError:
            code = ""
        self.errors[f"{call}:{response.status_code}:{code}"] += 1


@dataclass
class Pace:
    """When an expert's cycles are due under ``--rate``: every ``interval`` seconds from
    ``next_at``. Latency is counted from the moment a cycle was due, not from when it was sent,
    so a server that falls behind shows it (no coordinated omission)."""

    next_at: float
    interval: float

    async def due(self) -> float:
        """Wait for the next cycle's moment; return it (on the ``perf_counter`` clock)."""
        scheduled = self.next_at
        self.next_at += self.interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        return scheduled


def paces(experts: int, rate: float | None, start: float) -> list[Pace | None]:
    """One pace per expert, their first cycles spread evenly over one interval."""
    if rate is None:
        return [None] * experts
    interval = experts / rate
    return [Pace(start + index * interval / experts, interval) for index in range(experts)]


async def expert_loop(
    client: WireClient,
    token: str,
    project_id: int,
    record: Recorder,
    deadline: float,
    pace: Pace | None = None,
) -> None:
    """One simulated expert: claim, submit at once, repeat until nothing is left for it (at
    the pace's rhythm when it has one)."""
    headers = bearer(token)
    claims = f"{API}/projects/{project_id}/claims"
    idle = 0
    while time.monotonic() < deadline:
        since = await pace.due() if pace is not None else None
        claim = await call(client, "claim", claims, headers, record, since=since)
        if claim is not None and claim.status_code == 200:
            idle = 0
            record.holding += 1
            await submit(client, claim.json(), headers, record)
            record.holding -= 1
            continue
        # A 204 can be momentary (a slot held by a lease, or a row locked by a claim that is
        # about to take it); it is final once nobody has held a lease for a few tries.
        idle = idle + 1 if record.holding == 0 else 0
        if idle >= IDLE_TRIES:
            return
        await asyncio.sleep(0.01 * (1 + idle))


async def submit(
    client: WireClient,
    claim: dict[str, Any],
    headers: dict[str, str],
    record: Recorder,
) -> None:
    body = {
        "value": {"labels": [LABELS[claim["assignment_id"] % len(LABELS)]]},
        "rationale": "checked against the source",
        "idempotency_key": secrets.token_hex(8),
    }
    path = f"{API}/assignments/{claim['assignment_id']}/judgment"
    answer = await call(client, "submit", path, headers, record, body)
    if answer is not None and answer.status_code == 201:
        record.cycles += 1
        record.last_cycle_at = time.perf_counter()
        record.judged[int(claim["item"]["id"])].add(int(answer.json()["id"]))


async def call(
    client: WireClient,
    name: str,
    path: str,
    headers: dict[str, str],
    record: Recorder,
    body: dict[str, Any] | None = None,
    *,
    since: float | None = None,
) -> WireResponse | None:
    """POST, time it (from ``since`` when given: the moment the call was due), count anything
    unexpected as an error (204 on claims is expected)."""
    started = time.perf_counter() if since is None else since
    try:
        answer = await client.post(path, body, headers)
    except WireError as exc:
        record.error(name, None, exc)
        return None
    record.timed(name, started)
    if answer.status_code not in (200, 201, 204):
        record.error(name, answer)
    return answer


async def drive(
    base_urls: list[str], target: Target, config: BenchConfig
) -> tuple[Recorder, float]:
    """Run every expert at once, spread over ``base_urls``; return what they saw and the wall
    time it took.

    Each simulated expert has its own keep-alive connection, as each browser does.
    """
    record = Recorder()
    experts = len(target.expert_tokens)
    clients = [WireClient(base_urls[index % len(base_urls)]) for index in range(experts)]
    # Each expert's connection is open before the clock starts, as a browser's keep-alive
    # connection is: the calls are timed, not TCP's handshake.
    await asyncio.gather(*(client.connect() for client in clients))
    started = time.perf_counter()
    deadline = time.monotonic() + config.max_seconds
    rhythm = paces(experts, config.rate, started)
    try:
        await asyncio.gather(
            *(
                expert_loop(
                    clients[index], token, target.project_id, record, deadline, rhythm[index]
                )
                for index, token in enumerate(target.expert_tokens)
            )
        )
        # The load lasts from the first claim to the last cycle, not to the moment the last
        # expert gives up (a few idle tries later).
        ended = record.last_cycle_at if record.cycles else time.perf_counter()
        return record, ended - started
    finally:
        await asyncio.gather(*(client.close() for client in clients))


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    ordered = sorted(values)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def over_collected_in_db(url: str, project_id: int, overlap: int) -> int:
    """Items with more than ``overlap`` judgments, counted from the stored judgments."""
    database = Database(url)
    try:
        with database.scoped(write=False) as session:
            per_item = Counter(
                row["item_id"]
                for row in judgments.stream_judgments(
                    session=session, actor=None, project_id=project_id
                )
            )
    finally:
        database.dispose()
    return sum(1 for count in per_item.values() if count > overlap)


def progress_of(base_url: str, target: Target) -> dict[str, int]:
    path = f"{base_url}{API}/projects/{target.project_id}/progress"
    answer = httpx.get(path, headers=bearer(target.watch_token), timeout=30)
    answer.raise_for_status()
    return dict(answer.json())


def report(
    config: BenchConfig,
    backend: str,
    record: Recorder,
    seconds: float,
    progress: dict[str, int],
    over_collected: int,
) -> dict[str, Any]:
    """The one JSON object the benchmark prints."""
    return {
        "experts": config.experts,
        "items": config.items,
        "overlap": config.overlap,
        "rate": config.rate,
        "backend": backend,
        "cycles": record.cycles,
        "seconds": round(seconds, 3),
        "cycles_per_second": round(record.cycles / seconds, 1) if seconds else 0.0,
        "latency_ms": {name: percentiles(record.latencies[name]) for name in ("claim", "submit")},
        "over_collected": over_collected,
        "complete_items": progress["complete"],
        "judgments": progress["judgments"],
        "errors": dict(sorted(record.errors.items())),
    }


def sweep(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Runs at several sizes side by side: each run, then each figure per size and the
    largest size's figures as a ratio of the smallest's."""
    figures = {
        "cycles_per_second": [r["cycles_per_second"] for r in results],
        "claim_p99_ms": [r["latency_ms"]["claim"]["p99"] for r in results],
        "submit_p99_ms": [r["latency_ms"]["submit"]["p99"] for r in results],
        "over_collected": [r["over_collected"] for r in results],
    }
    first, last = results[0], results[-1]
    ratios = {
        "cycles_per_second": _ratio(last["cycles_per_second"], first["cycles_per_second"]),
        "claim_p99": _ratio(
            last["latency_ms"]["claim"]["p99"], first["latency_ms"]["claim"]["p99"]
        ),
    }
    if "server_cpu_ms_per_cycle" in first:
        figures["server_cpu_ms_per_cycle"] = [r["server_cpu_ms_per_cycle"] for r in results]
    return {
        "items": [r["items"] for r in results],
        **figures,
        "largest_over_smallest": ratios,
        "sweep": results,
    }


def _ratio(value: float, base: float) -> float | None:
    return round(value / base, 3) if base else None


def summary_line(result: dict[str, Any]) -> str:
    """One run in a line, for the log while a sweep goes on."""
    claim, submit = result["latency_ms"]["claim"], result["latency_ms"]["submit"]
    return (
        f"{result['items']:>9,} items: {result['cycles_per_second']:7.1f} cycles/s, "
        f"claim p50/p99 {claim['p50']}/{claim['p99']} ms, submit p99 {submit['p99']} ms, "
        f"over-collected {result['over_collected']}, errors {sum(result['errors'].values())}"
    )


def client_over_collected(record: Recorder, overlap: int) -> int:
    return sum(1 for ids in record.judged.values() if len(ids) > overlap)


def run_on_database(url: str, config: BenchConfig) -> dict[str, Any]:
    """``--db``: seed, start a server subprocess, drive it, check the database."""
    target = seed_database(url, config)
    workers = config.workers or default_workers(url)
    with server_processes(url, workers) as servers:
        server_cpu, client_cpu = servers.cpu_seconds(), time.process_time()
        record, seconds = asyncio.run(drive(servers.base_urls, target, config))
        server_cpu, client_cpu = (
            servers.cpu_seconds() - server_cpu,
            time.process_time() - client_cpu,
        )
        progress = progress_of(servers.base_urls[0], target)
    over = max(
        over_collected_in_db(url, target.project_id, config.overlap),
        client_over_collected(record, config.overlap),
    )
    backend = "sqlite" if is_sqlite(url) else "postgresql"
    cycles = max(record.cycles, 1)
    return {
        **report(config, backend, record, seconds, progress, over),
        "workers": workers,
        "server_cpu_ms_per_cycle": round(1000 * server_cpu / cycles, 2),
        "loadgen_cpu_ms_per_cycle": round(1000 * client_cpu / cycles, 2),
    }


def run_on_server(base_url: str, admin_token: str, config: BenchConfig) -> dict[str, Any]:
    """``--url``: seed through the API of a running server and drive it."""
    base_url = base_url.rstrip("/")
    target = seed_over_http(base_url, admin_token, config)
    record, seconds = asyncio.run(drive([base_url], target, config))
    progress = progress_of(base_url, target)
    over = client_over_collected(record, config.overlap)
    if progress["judgments"] > config.items * config.overlap:
        over = max(over, 1)  # more judgments than slots: some item got too many
    return report(config, "server", record, seconds, progress, over)
