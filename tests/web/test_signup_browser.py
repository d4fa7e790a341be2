"""Sign-up by invitation in a real Chromium: a lead invites an email on /invitations, the
invited expert opens the link in a fresh browser, signs up with the keyboard and lands home
logged in; the same link then says it was already used."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from test_workbench_browser import (  # the live server and browser fixtures, shared
    browser,
    live_server,
    log_in,
)

from expertloop.store.tables import ExpertProfile, Invitation, User

pytestmark = pytest.mark.browser
__all__ = ["browser", "live_server"]
EMAIL = "grace.hopper@example.org"


def new_page(browser: Any, dialogs: list[str]) -> Any:
    """A page in a fresh context: no cookies shared with any other page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return page


def invite_by_keyboard(page: Any, base: str) -> str:
    """On /invitations: N focuses the email, type it, Tab to the note, Tab to the button."""
    page.click("#nav-invitations")
    expect(page.locator("h1")).to_have_text("Invitations")
    page.keyboard.press("n")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")  # the role: expert is preselected
    expect(page.locator("#role")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("Oncology pharmacist, referred by Ada")
    page.keyboard.press("Tab")
    expect(page.locator("#invite-button")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    link = str(page.locator("#invite-link").input_value())
    assert link.startswith(f"{base}/signup/el_"), link
    page.keyboard.press("c")
    expect(page.locator("#copy-status")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    return link


def tab_to(page: Any, selector: str, limit: int = 20) -> None:
    """Press Tab until ``selector`` has the focus (bounded)."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def sign_up_by_keyboard(page: Any, link: str, screenshots_dir: Any) -> None:
    page.goto(link)
    expect(page.locator("#invited-email")).to_have_text(EMAIL)
    expect(page.locator("#name")).to_be_focused()  # autofocus
    page.keyboard.type("Grace Hopper")
    page.keyboard.press("Tab")
    page.keyboard.type("a long password")
    page.keyboard.press("Tab")
    page.keyboard.type("a different one")  # a typo: the page says so and keeps the rest
    tab_to(page, 'input[value="law"]')  # domains are listed by name: law before medicine
    page.keyboard.press("Space")
    tab_to(page, 'input[value="medicine"]')
    page.keyboard.press("Space")
    tab_to(page, "#languages")
    page.keyboard.type("en, fr")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#password_again-error")).to_have_text("Does not match the password")
    assert page.locator("#name").input_value() == "Grace Hopper"
    assert page.locator("#languages").input_value() == "en, fr"
    assert page.locator('input[value="medicine"]').is_checked()
    assert page.locator("#password").input_value() == ""
    page.screenshot(path=str(screenshots_dir / "signup-error.png"), full_page=True)

    page.focus("#password")
    page.keyboard.type("a long password")
    page.keyboard.press("Tab")
    page.keyboard.type("a long password")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_invited_expert_signs_up_by_keyboard_and_the_link_is_used_up(
    live_server, browser, database, factory, screenshots_dir
) -> None:
    lead = factory.user("lead")
    dialogs: list[str] = []
    lead_page = new_page(browser, dialogs)
    lead_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(lead_page, live_server, lead)
    link = invite_by_keyboard(lead_page, live_server)
    lead_page.screenshot(path=str(screenshots_dir / "invitations-new-link.png"), full_page=True)

    page = new_page(browser, dialogs)
    assert page.context.cookies() == []
    sign_up_by_keyboard(page, link, screenshots_dir)
    assert page.url == f"{live_server}/", page.locator("main").inner_text()
    expect(page.locator(".who")).to_contain_text("Grace Hopper")
    expect(page.locator("h1")).to_have_text("Your work")
    page.screenshot(path=str(screenshots_dir / "signup-home.png"), full_page=True)

    page.goto(link)
    expect(page.locator("h1")).to_have_text("This invitation was already used")
    expect(page.locator("main")).to_contain_text("Ask the project lead or administrator")
    page.screenshot(path=str(screenshots_dir / "signup-used.png"), full_page=True)

    lead_page.reload()
    expect(lead_page.locator('tr[data-status="used"] th')).to_have_text(EMAIL)
    assert dialogs == []
    with database.scoped(write=False) as session:
        user = session.scalars(select(User).where(User.email == EMAIL)).one()
        assert (user.name, user.role) == ("Grace Hopper", "expert")
        profile = session.get(ExpertProfile, user.id)
        assert profile is not None
        assert (profile.domains, profile.languages) == (["law", "medicine"], ["en", "fr"])
        invitation = session.scalars(select(Invitation)).one()
        assert (invitation.user_id, invitation.invited_by) == (user.id, lead.id)
        assert invitation.note == "Oncology pharmacist, referred by Ada"
