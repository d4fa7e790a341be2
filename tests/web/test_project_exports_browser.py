"""A lead queues a Parquet export from the project page in a real Chromium, a worker writes it,
the page follows it until done without a reload (nothing typed in the form lost), and the lead
downloads it from the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect
from test_workbench_browser import (  # the live server and browser fixtures, shared
    browser,
    live_server,
    log_in,
    open_page,
)

from export_jobs_kit import judged_project, run_exports

pytestmark = pytest.mark.browser
__all__ = ["browser", "live_server"]


def test_lead_queues_and_downloads_an_export_from_the_project_page(
    live_server: str,
    browser: Any,
    client: Any,
    database: Any,
    factory: Any,
    tmp_path: Path,
    screenshots_dir: Path,
) -> None:
    lead, project_id = judged_project(client, factory)
    dialogs: list[str] = []
    page = open_page(browser, dialogs)
    log_in(page, live_server, lead)
    page.goto(f"{live_server}/projects/{project_id}")
    expect(page.locator("#exports-title")).to_have_text("Exports")
    expect(page.locator("#export-format option")).to_have_text(["raw"])
    page.select_option("#export-file-format", "parquet")
    page.fill("#export-license", "cc-by-4.0")
    with page.expect_navigation():
        page.click("#export-submit")
    expect(page.locator("#export-queued")).to_be_visible()
    expect(page.locator(".export-job .badge")).to_have_text(["queued"])

    page.fill("#export-license", "typed while the job runs")
    [job] = run_exports(database, tmp_path / "exports")
    row = page.locator(f"#export-job-{job.id}")  # the page follows the job: no reload
    expect(row).to_contain_text("done", timeout=10_000)
    expect(page.locator("#export-license")).to_have_value("typed while the job runs")
    expect(page.locator("#export-jobs-box")).not_to_have_attribute("data-live", re.compile(".*"))
    expect(row).to_contain_text("raw · parquet")
    page.screenshot(path=str(screenshots_dir / "project-exports.png"), full_page=True)
    with page.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "label-project-raw.parquet"
    assert pq.read_table(saved).num_rows == 3
    assert dialogs == []
