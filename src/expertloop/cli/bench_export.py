"""The measurement behind ``expertloop bench export``: export throughput and peak memory.

A benchmark, not a test. Two finished pairwise projects are seeded on one database
(``services.export_bench``): the full size and a tenth of it. Each (export format, file format)
is then written from each project in a fresh process (``multiprocessing`` spawn), which reports
its wall seconds (from ``open_export`` to the file closed) and its peak resident memory
(``VmHWM`` of ``/proc/self/status``: the process's own high-water mark; ``ru_maxrss`` where
there is no ``/proc``). Memory that does not grow with the size shows as the same peak at both
sizes.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expertloop.services.export_bench import BenchPlan, SeededProject, seed_export_project
from expertloop.services.export_fast import write_stream
from expertloop.services.export_files import ExportFileFormat
from expertloop.services.exports import ExportRequest, open_export
from expertloop.store import Database
from expertloop.store.db import is_sqlite
from expertloop.store.migrate import upgrade

SMALL_SHARE = 10
"""The small project has this many times fewer judgments."""
SUFFIX = {"jsonl": "jsonl", "parquet": "parquet"}


@dataclass(frozen=True)
class ExportBenchConfig:
    """One run of the export benchmark."""

    judgments: int = 1_000_000
    overlap: int = 3
    kind: str = "pairwise"
    formats: tuple[str, ...] = ("raw", "preference")
    file_formats: tuple[str, ...] = ("jsonl", "parquet")
    repeat: int = 1
    processes: int = 1
    """Processes an export on the fast path may use (``services.export_parts``)."""


def run_export_bench(
    url: str, out_dir: Path, config: ExportBenchConfig, log: Callable[[str], None]
) -> dict[str, Any]:
    """Migrate ``url``, seed both projects, export each combination; the report as a dict."""
    upgrade(url)
    sizes = {
        "large": config.judgments,
        "small": max(config.overlap, config.judgments // SMALL_SHARE),
    }
    seeded, seed_seconds = {}, {}
    for size, judgments in sizes.items():
        started = time.perf_counter()
        seeded[size] = _seed(url, config, judgments)
        seed_seconds[size] = round(time.perf_counter() - started, 2)
        log(f"seeded {judgments} judgments in {seed_seconds[size]} s")
    runs = []
    for format_name in config.formats:
        for file_format in config.file_formats:
            figures = {
                size: _measure(url, out_dir, project, (format_name, file_format), config)
                for size, project in seeded.items()
            }
            log(f"{format_name} {file_format}: {figures['large']['rows_per_second']} rows/s")
            runs.append({**figures["large"], "small": figures["small"]})
    return {
        "judgments": config.judgments,
        "small_judgments": seeded["small"].judgments,
        "overlap": config.overlap,
        "kind": config.kind,
        "backend": "sqlite" if is_sqlite(url) else "postgresql",
        "repeat": config.repeat,
        "processes": config.processes,
        "seed_seconds": seed_seconds,
        "runs": runs,
    }


def _seed(url: str, config: ExportBenchConfig, judgments: int) -> SeededProject:
    plan = BenchPlan(judgments=judgments, overlap=config.overlap, kind=config.kind)
    database = Database(url)
    try:
        with database.scoped() as session:
            name = f"bench export {judgments} judgments"
            return seed_export_project(session=session, plan=plan, name=name, now=_now())
    finally:
        database.dispose()


def _measure(
    url: str,
    out_dir: Path,
    project: SeededProject,
    formats: tuple[str, str],
    config: ExportBenchConfig,
) -> dict[str, Any]:
    """Best of ``config.repeat`` exports, each in a fresh process; every run's seconds and
    peak."""
    format_name, file_format = formats
    path = out_dir / f"{format_name}-{project.judgments}.{SUFFIX[file_format]}"
    context = multiprocessing.get_context("spawn")
    results = []
    for _ in range(config.repeat):
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            job = pool.submit(export_once, url, project.project_id, formats, path, config.processes)
            results.append(job.result())
    best = min(results, key=lambda r: float(r["seconds"]))
    seconds = float(best["seconds"])
    return {
        "format": format_name,
        "file_format": file_format,
        "judgments": project.judgments,
        "rows": best["rows"],
        "bytes": best["bytes"],
        "seconds": round(seconds, 3),
        "cpu_seconds": round(float(best["cpu_seconds"]), 3),
        "rows_per_second": round(best["rows"] / seconds),
        "judgments_per_second": round(project.judgments / seconds),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
        "children_peak_rss_mb": max(r["children_peak_rss_mb"] for r in results),
        "start_rss_mb": best["start_rss_mb"],
        "seconds_all": [round(float(r["seconds"]), 3) for r in results],
    }


def export_once(
    url: str, project_id: int, formats: tuple[str, str], path: Path, processes: int = 1
) -> dict[str, Any]:
    """One export of one project (``formats``: export and file format) to ``path`` from this
    process: rows, bytes, seconds, its peak memory and the largest of the processes it
    started (``processes`` above one lets an export on the fast path start them)."""
    format_name, file_format = formats
    start_rss = _rss_mb("VmRSS")
    database = Database(url)
    try:
        with database.scoped(write=False) as session:
            started, cpu = time.perf_counter(), time.process_time()
            stream = open_export(
                session=session,
                actor=None,
                project_id=project_id,
                request=ExportRequest.from_dict({"format": format_name}),
            )
            written = write_stream(  # raw, pairwise preference and kto: the fast path
                session=session,
                stream=stream,
                path=path,
                file_format=ExportFileFormat(file_format),
                processes=processes,
            )
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
    finally:
        database.dispose()
    return {
        "rows": written.rows,
        "bytes": written.bytes,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": _rss_mb("VmHWM"),
        "children_peak_rss_mb": _children_peak_mb(),
        "start_rss_mb": start_rss,
    }


def _rss_mb(field: str) -> float:
    """This process's resident memory (``VmRSS``) or its peak (``VmHWM``), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _children_peak_mb() -> float:
    """The peak resident memory of the largest process this one started and waited for."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _now() -> datetime:
    return datetime.now(UTC)
