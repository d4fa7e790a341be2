"""``expertloop bench``: measure the platform under load (a benchmark, not a test)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from expertloop.cli import bench_export, bench_import, loadgen, simulate
from expertloop.cli.common import fail
from expertloop.config import Settings
from expertloop.core.errors import DomainError

bench_app = typer.Typer(
    help="Benchmarks: drive a server with simulated experts.", no_args_is_help=True
)


LoadDbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database to seed and serve; default a temporary SQLite file. The bench adds its "
        "own users and project.",
    ),
]
LoadTokenOption = Annotated[
    str | None,
    typer.Option("--token", help="Admin API token for --url; default $EXPERTLOOP_ADMIN_TOKEN."),
]
LoadWorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", min=1, help="Server processes (default 1 on SQLite, 2 on PostgreSQL)."
    ),
]
LoadSecondsOption = Annotated[
    float,
    typer.Option("--max-seconds", "--duration", min=1.0, help="Stop the load after this long."),
]
LoadRateOption = Annotated[
    float | None,
    typer.Option(
        "--rate",
        min=0.1,
        help="Cycles per second the experts aim at together, latency counted from when each "
        "cycle was due; default: as fast as they can.",
    ),
]


@bench_app.command("load")
def load(
    experts: Annotated[int, typer.Option("--experts", "-k", min=1, help="Simulated experts.")] = 8,
    items: Annotated[
        str,
        typer.Option(
            "--items",
            "-n",
            help="Items in the project; several sizes, comma-separated (10000,1000000), run "
            "one after the other, each on a project of its own, and are compared side by side.",
        ),
    ] = "200",
    overlap: Annotated[int, typer.Option("--overlap", min=1, help="Judgments per item.")] = 1,
    db: LoadDbOption = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Target a running server instead.")
    ] = None,
    token: LoadTokenOption = None,
    workers: LoadWorkersOption = None,
    max_seconds: LoadSecondsOption = 300.0,
    rate: LoadRateOption = None,
) -> None:
    """Drive K experts doing claim then submit until no work is left; print one JSON object
    (with several sizes: each size's object under ``sweep``, and the sizes compared)."""
    if db and url:
        raise typer.BadParameter("give --db or --url, not both")
    sizes = _sizes(items)
    admin = token or os.environ.get("EXPERTLOOP_ADMIN_TOKEN")
    if url and not admin:
        raise typer.BadParameter("--url needs an admin token: --token or $EXPERTLOOP_ADMIN_TOKEN")
    results = []
    for size in sizes:
        config = loadgen.BenchConfig(
            experts=experts,
            items=size,
            overlap=overlap,
            max_seconds=max_seconds,
            workers=workers,
            rate=rate,
        )
        results.append(_load_once(config, db=db, url=url, admin=admin or ""))
        _log(loadgen.summary_line(results[-1]))
    typer.echo(json.dumps(results[0] if len(results) == 1 else loadgen.sweep(results)))


def _load_once(config: loadgen.BenchConfig, *, db: str | None, url: str | None, admin: str) -> Any:
    if url:
        return loadgen.run_on_server(url, admin, config)
    if db:
        return loadgen.run_on_database(db, config)
    with tempfile.TemporaryDirectory(prefix="expertloop-bench-") as folder:
        return loadgen.run_on_database(f"sqlite:///{Path(folder) / 'bench.db'}", config)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise typer.BadParameter("--items: a count of items, or several comma-separated")
    return sizes


@bench_app.command("quality")
def quality_bench(
    items: Annotated[
        int, typer.Option("--items", "-n", min=1, help="Items, each with a known truth.")
    ] = 300,
    experts: Annotated[
        int,
        typer.Option(
            "--experts", "-k", min=5, help="Simulated experts, accuracy 0.95 down to 0.6."
        ),
    ] = 12,
    labels: Annotated[int, typer.Option("--labels", min=2, max=200, help="Labels per item.")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the truth, answers and turns.")] = 0,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database to run on; default a temporary SQLite file."),
    ] = None,
    target: Annotated[
        float, typer.Option("--target", min=0.5, max=0.999, help="Adaptive confidence target.")
    ] = 0.8,
    k_min: Annotated[int, typer.Option("--k-min", min=1, help="Adaptive: first judgments.")] = 2,
    k_max: Annotated[int, typer.Option("--k-max", min=1, help="Adaptive: most judgments.")] = 6,
) -> None:
    """Adaptive against fixed overlap on simulated experts of known accuracy; one JSON object."""
    if not k_min <= k_max <= experts:
        raise typer.BadParameter("need --k-min <= --k-max <= --experts")
    config = simulate.SimConfig(
        items=items,
        experts=experts,
        labels=labels,
        seed=seed,
        target=target,
        k_min=k_min,
        k_max=k_max,
    )
    if db:
        result = simulate.run_simulation(db, config)
    else:
        with tempfile.TemporaryDirectory(prefix="expertloop-sim-") as folder:
            result = simulate.run_simulation(f"sqlite:///{Path(folder) / 'sim.db'}", config)
    typer.echo(json.dumps(result))


def _log(line: str) -> None:
    typer.echo(line, err=True)


def _names(text: str, allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise typer.BadParameter(f"{option}: use a comma-separated list of {', '.join(allowed)}")
    return names


@bench_app.command("export")
def export_bench(
    judgments: Annotated[
        int, typer.Option("--judgments", "-n", min=3, help="Judgments in the large project.")
    ] = 1_000_000,
    overlap: Annotated[
        int, typer.Option("--overlap", min=1, max=40, help="Judgments per item.")
    ] = 3,
    kind: Annotated[str, typer.Option("--kind", help="Task kind seeded (pairwise).")] = "pairwise",
    formats: Annotated[
        str, typer.Option("--formats", help="Export formats, comma-separated.")
    ] = "raw,preference,kto",
    file_formats: Annotated[
        str, typer.Option("--file-formats", help="File formats, comma-separated.")
    ] = "jsonl,parquet",
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, help="Exports per combination; the best is kept.")
    ] = 1,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            min=1,
            max=64,
            help="Processes an export on the fast path may use (default: the "
            "EXPERTLOOP_EXPORT_PROCESSES setting, 2).",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database to seed; default a temporary SQLite file."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Where the files go; default a temporary directory."),
    ] = None,
) -> None:
    """Seed a judged project (and one a tenth its size), export it in fresh processes and print
    rows per second and peak memory as one JSON object."""
    config = bench_export.ExportBenchConfig(
        judgments=judgments,
        overlap=overlap,
        kind=kind,
        formats=_names(formats, ("raw", "preference", "kto"), "--formats"),
        file_formats=_names(file_formats, ("jsonl", "parquet"), "--file-formats"),
        repeat=repeat,
        processes=processes or Settings().export_processes,
    )
    with tempfile.TemporaryDirectory(prefix="expertloop-bench-export-") as folder:
        target = out_dir or Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        url = db or f"sqlite:///{Path(folder) / 'bench.db'}"
        try:
            result = bench_export.run_export_bench(url, target, config, _log)
        except DomainError as error:
            raise fail(error) from None
    typer.echo(json.dumps(result))


@bench_app.command("import")
def import_bench(
    items: Annotated[str, typer.Option("--items", "-n", help="Sizes, comma-separated.")] = (
        "100000,1000000"
    ),
    file_format: Annotated[
        str, typer.Option("--format", help="File written and imported: jsonl, csv, parquet.")
    ] = "jsonl",
    api: Annotated[bool, typer.Option("--api", help="Post the items through the API.")] = False,
    src: Annotated[
        Path | None, typer.Option("--src", help="Import with the package under this src/.")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Database; default a temporary SQLite file.")
    ] = None,
) -> None:
    """Write N items and import them in a fresh process per size; items/s and peak memory."""
    sizes = tuple(int(size) for size in items.replace("_", "").split(",") if size.strip())
    _names(file_format, ("jsonl", "csv", "parquet"), "--format")
    config = bench_import.ImportBenchConfig(sizes, file_format, api, src)
    with tempfile.TemporaryDirectory(prefix="expertloop-bench-import-") as folder:
        url = db or f"sqlite:///{Path(folder) / 'bench.db'}"
        typer.echo(json.dumps(bench_import.run_import_bench(url, Path(folder), config, _log)))


def register(app: typer.Typer) -> None:
    """Add ``bench`` to ``app``."""
    app.add_typer(bench_app, name="bench")
