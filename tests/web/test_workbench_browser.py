"""The workbench in a real Chromium (Debian's, driven by Playwright), keyboard only.

The app runs under uvicorn in a background thread on the test database, with the real clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from expertloop.app import create_app
from expertloop.cli.benchsetup import free_port
from expertloop.config import Settings
from expertloop.services.items import import_items
from expertloop.services.judgments import stream_judgments

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LABELS = ["supported", "not supported", "unclear"]


PAIRWISE_ROW = {
    "external_id": "dosing-17",
    "prompt": "A 70 kg adult with normal renal function needs **amoxicillin** for community-"
    "acquired pneumonia. What oral dose and duration would you suggest?",
    "responses": [
        {"id": "A", "text": "Give 3 g every 4 hours for *three weeks*.\n\n- Take with food"},
        {
            "id": "B",
            "text": "Per common guidelines: **1 g three times daily for 5 days**, "
            "reassessing at 48-72 hours.\n\n1. Check allergy history\n2. Review renal function",
        },
    ],
}


def label_row(external_id: str) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "prompt": f"Claim {external_id}: *statins reduce all-cause mortality in primary "
        "prevention.* Is the claim supported by the cited trial?",
        "responses": [
            {
                "id": "A",
                "text": "The JUPITER trial reported a 20% relative reduction "
                "in all-cause mortality (HR 0.80).\n\n> Ridker et al., NEJM 2008",
            }
        ],
    }


def add_items(factory: Any, project_id: int, rows: list[dict[str, Any]]) -> None:
    with factory.database.scoped() as session:
        import_items(
            session=session, actor=None, project_id=project_id, rows=rows, now=factory.clock()
        )


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def live_server(database: Any) -> Iterator[str]:
    settings = Settings(database_url=database.url, migrate_on_start=False, heartbeat_seconds=5)
    with serving(create_app(settings, database=database)) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent; install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


def open_page(browser: Any, dialogs: list[str]) -> Any:
    page = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    page.set_default_timeout(10_000)

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


def log_in(page: Any, base: str, person: Any) -> None:
    """Type the login form with the keyboard: email (autofocused), Tab, password, Enter."""
    page.goto(f"{base}/login")
    expect(page.locator("#email")).to_be_focused()  # autofocus
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    page.keyboard.type(person.password)
    assert page.locator("#email").input_value() == person.email
    assert page.locator("#password").input_value() == person.password
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/", page.locator("main").inner_text()


def press_and_wait_for_next(page: Any, keys: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(keys)


def item_id(page: Any) -> str:
    return str(page.locator(".bench-title code").inner_text())


def judgments_of(database: Any, project_id: int) -> list[dict[str, Any]]:
    with database.scoped(write=False) as session:
        return list(stream_judgments(session=session, actor=None, project_id=project_id))


def test_expert_judges_three_label_items_by_keyboard_and_lead_sees_them(
    live_server, browser, database, factory, hostile, screenshots_dir
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, spec={"labels": LABELS})
    add_items(factory, project_id, [label_row("q0"), *hostile("label"), label_row("q1")])
    dialogs: list[str] = []
    page = open_page(browser, dialogs)
    log_in(page, live_server, expert)
    assert "3 items waiting" in page.locator(f'[data-project="{project_id}"]').inner_text()
    page.screenshot(path=str(screenshots_dir / "home-expert.png"), full_page=True)
    page.goto(f"{live_server}/projects/{project_id}/work")

    # Item 1: choose with a digit, write a two-line rationale (Enter = newline), Ctrl+Enter.
    assert item_id(page) == "q0"
    page.keyboard.press("1")
    assert page.locator('input[value="supported"]').is_checked()
    page.keyboard.press("r")
    page.keyboard.type("The cited trial reports this outcome.\nSecond line.")
    assert page.locator("#rationale").input_value().count("\n") == 1
    with page.expect_response(lambda r: "/heartbeat" in r.url, timeout=10_000) as beat:
        pass
    assert beat.value.status == 200
    page.screenshot(path=str(screenshots_dir / "workbench-label.png"), full_page=True)
    press_and_wait_for_next(page, "Control+Enter")

    # Item 2, hostile: an error (no label chosen) keeps the text, survives a reload, then submit.
    assert item_id(page) == "hostile-0"
    page.keyboard.press("r")
    page.keyboard.type("Draft that must survive.")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    status = page.locator("#form-status")
    expect(status).to_contain_text("Label must be a non-empty list of labels")
    assert page.locator("#rationale").input_value() == "Draft that must survive."
    page.screenshot(path=str(screenshots_dir / "workbench-label-hostile-error.png"), full_page=True)
    page.reload()
    assert item_id(page) == "hostile-0"
    assert page.locator("#rationale").input_value() == "Draft that must survive."
    page.keyboard.press("2")
    press_and_wait_for_next(page, "Enter")

    # Item 3: the third label, Enter.
    assert item_id(page) == "q1"
    page.keyboard.press("3")
    press_and_wait_for_next(page, "Enter")
    assert "Nothing left for you here" in page.locator("h1").inner_text()
    assert dialogs == []

    stored = judgments_of(database, project_id)
    assert [(j["external_id"], j["value"], j["rationale"]) for j in stored] == [
        ("q0", {"labels": ["supported"]}, "The cited trial reports this outcome.\nSecond line."),
        ("hostile-0", {"labels": ["not supported"]}, "Draft that must survive."),
        ("q1", {"labels": ["unclear"]}, ""),
    ]

    lead_page = open_page(browser, dialogs)
    log_in(lead_page, live_server, lead)
    lead_page.screenshot(path=str(screenshots_dir / "home-lead.png"), full_page=True)
    lead_page.goto(f"{live_server}/projects/{project_id}")
    assert lead_page.locator("#stat-judgments").inner_text() == "3"
    assert lead_page.locator("#stat-complete").inner_text() == "3"
    assert lead_page.locator("tr.judgment-row").count() == 3
    lead_page.screenshot(path=str(screenshots_dir / "project-page.png"), full_page=True)
    assert dialogs == []


def test_expert_judges_a_pairwise_item_by_keyboard(
    live_server, browser, database, factory, screenshots_dir
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, kind="pairwise")
    add_items(factory, project_id, [PAIRWISE_ROW])
    dialogs: list[str] = []
    page = open_page(browser, dialogs)
    log_in(page, live_server, expert)
    page.goto(f"{live_server}/projects/{project_id}/work")
    page.keyboard.press("t")
    assert page.locator('input[name="choice"][value="tie"]').is_checked()
    page.keyboard.press("b")
    page.keyboard.press("2")
    assert page.locator('input[name="choice"][value="B"]').is_checked()
    assert page.locator('input[name="strength"][value="2"]').is_checked()
    page.keyboard.press("r")
    page.keyboard.type("B cites the guideline; A invents a dose.")
    page.keyboard.press("Escape")
    page.screenshot(path=str(screenshots_dir / "workbench-pairwise.png"), full_page=True)
    press_and_wait_for_next(page, "Enter")
    assert "Nothing left for you here" in page.locator("h1").inner_text()
    stored = judgments_of(database, project_id)
    assert [(j["value"], j["rationale"]) for j in stored] == [
        ({"choice": "B", "strength": 2}, "B cites the guideline; A invents a dose.")
    ]
    assert dialogs == []
