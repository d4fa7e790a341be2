"""The client's export calls: queue an export, wait for a worker to write it, download the
file, or load it straight into a ``datasets.Dataset``."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from expertloop.api.schemas.exports import ExportJobPublic, ExportJobsPublic
from expertloop.sdk.connection import Connection
from expertloop.sdk.errors import Conflict

if TYPE_CHECKING:
    import datasets

FileFormat = Literal["jsonl", "parquet", "dataset"]
DATASETS_HINT = "pip install 'expertloop[datasets]'"


class ExportCalls:
    """Export methods of :class:`expertloop.sdk.Client` (mixed into it)."""

    connection: Connection

    def create_export(
        self,
        project_id: int,
        format: str,
        *,
        file_format: FileFormat = "jsonl",
        options: dict[str, Any] | None = None,
        filters: dict[str, Any] | None = None,
        license: str | None = None,
    ) -> ExportJobPublic:
        """Queue an export for the server's workers (sent once: a repeat would queue twice).

        Args:
            project_id: the project's id.
            format: ``sft``, ``preference``, ``kto``, ``stepwise`` or ``raw`` (or an alias:
                ``dpo``, ``reward``, ``prm``, ``messages``); it must serve the project's kind.
            file_format: ``jsonl``, ``parquet``, or ``dataset`` (a zipped ``datasets``
                directory).
            options: how rows are shaped, e.g. ``{"margin": True}`` (README, "Exporting
                training data").
            filters: which rows are kept: ``accepted_only``, ``min_confidence``, ``since``,
                ``until``, ``guideline_versions``, ``metadata``.
            license: the dataset card's licence, e.g. ``cc-by-4.0``.

        Returns:
            The queued job (``status`` ``queued``).

        Raises:
            Invalid: ``export.invalid`` naming the field (a format of another kind, ...).
            Forbidden: the caller is not the project's lead or an admin.
            NotFound: no such project.
        """
        body = {
            "format": format,
            "file_format": file_format,
            "options": options,
            "filters": filters,
            "license": license,
        }
        path = f"/projects/{project_id}/exports"
        return self.connection.call(ExportJobPublic, "POST", path, json=body, safe=False)

    def get_export(self, job_id: int) -> ExportJobPublic:
        """One export job.

        Args:
            job_id: the job's id.

        Returns:
            The job: its status, row count, error, and links once done.

        Raises:
            NotFound: ``export.not_found`` (no such job, or not the caller's to see).
        """
        return self.connection.get(ExportJobPublic, f"/exports/{job_id}")

    def list_exports(self, project_id: int) -> list[ExportJobPublic]:
        """A project's export jobs, newest first.

        Args:
            project_id: the project's id.

        Returns:
            Up to 50 jobs.

        Raises:
            Forbidden: the caller is not the project's lead or an admin.
            NotFound: no such project.
        """
        return self.connection.get(ExportJobsPublic, f"/projects/{project_id}/exports").data

    def wait_for_export(
        self,
        job_id: int,
        *,
        timeout: float = 600,
        poll: float = 1.0,
        on_progress: Callable[[ExportJobPublic], None] | None = None,
    ) -> ExportJobPublic:
        """Poll the job until a worker finished it.

        Args:
            job_id: the job's id.
            timeout: seconds to wait at most.
            poll: seconds between looks.
            on_progress: called with the job at each look (while it runs, ``items_done`` of
                ``items_total`` says how far it is), e.g. to move a progress bar.

        Returns:
            The job, ``done``.

        Raises:
            Conflict: ``export.failed``; the message says why.
            TimeoutError: still queued or running after ``timeout`` seconds (the message
                says how far a running job is, or asks whether a worker runs for a queued one:
                ``expertloop serve`` starts one, or run ``expertloop worker``).
        """
        deadline = time.monotonic() + timeout
        while True:
            job = self.get_export(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.status == "done":
                return job
            if job.status == "failed":
                raise Conflict(409, "export.failed", f"export {job_id} failed: {job.error}")
            if time.monotonic() >= deadline:
                raise TimeoutError(_still(job, timeout))
            time.sleep(poll)

    def download_export(self, job_id: int, path: str | Path) -> Path:
        """Stream a finished export's file to ``path`` (replaced when it exists).

        Args:
            job_id: the job's id.
            path: where to write the file (``.jsonl``, ``.parquet`` or ``.zip``).

        Returns:
            The path written.

        Raises:
            Conflict: ``export.not_ready`` (queued or running), ``export.failed``.
            NotFound: ``export.not_found``, ``export.file_missing``.
        """
        return self.connection.download(f"/exports/{job_id}/download", Path(path))

    def export(
        self,
        project_id: int,
        format: str,
        path: str | Path,
        *,
        timeout: float = 600,
        poll: float = 1.0,
        **request: Any,
    ) -> Path:
        """Queue an export, wait for it, and download it to ``path``.

        Args:
            project_id: the project's id.
            format: the export format (see :meth:`create_export`).
            path: where to write the file.
            timeout: seconds to wait for the worker at most.
            poll: seconds between looks.
            **request: ``file_format``, ``options``, ``filters``, ``license``.

        Returns:
            The path written.

        Raises:
            Invalid: a bad request (``errors`` names the field).
            Conflict: ``export.failed``. TimeoutError: no worker finished it in time.
        """
        job = self.create_export(project_id, format, **request)
        self.wait_for_export(job.id, timeout=timeout, poll=poll)
        return self.download_export(job.id, path)

    def export_dataset(
        self,
        project_id: int,
        format: str,
        *,
        timeout: float = 600,
        poll: float = 1.0,
        **request: Any,
    ) -> datasets.Dataset:
        """Export as Parquet and load the rows into a ``datasets.Dataset``.

        Args:
            project_id: the project's id.
            format: the export format (see :meth:`create_export`).
            timeout: seconds to wait for the worker at most.
            poll: seconds between looks.
            **request: ``options``, ``filters``, ``license``.

        Returns:
            The rows, typed as the Parquet export types them.

        Raises:
            ImportError: the ``datasets`` package is missing: ``pip install
                'expertloop[datasets]'``.
            Invalid: a bad request. Conflict: ``export.failed``. TimeoutError: too slow.
        """
        loader = _datasets()
        with tempfile.TemporaryDirectory(prefix="expertloop-export-") as work:
            target = Path(work) / "rows.parquet"
            self.export(
                project_id,
                format,
                target,
                timeout=timeout,
                poll=poll,
                **(request | {"file_format": "parquet"}),
            )
            loaded: datasets.Dataset = loader.Dataset.from_parquet(str(target))
        return loaded


def _still(job: ExportJobPublic, timeout: float) -> str:
    """Why waiting for ``job`` timed out."""
    message = f"export {job.id} is still {job.status} after {timeout:g} s"
    if job.status == "running":
        total = f" of {job.items_total:,}" if job.items_total is not None else ""
        return f"{message} ({job.items_done:,}{total} items read); wait longer"
    return f"{message}; is a worker running (expertloop worker)?"


def _datasets() -> Any:
    try:
        import datasets
    except ImportError:
        raise ImportError(f"export_dataset needs the datasets package: {DATASETS_HINT}") from None
    return datasets
