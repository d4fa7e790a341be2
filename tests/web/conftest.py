"""Helpers of the web page tests: log a person in through the form, read the CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from web_cases import hostile_rows

from expertloop.web.deps import SESSION_COOKIE

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_of(html: str) -> str:
    found = CSRF_META.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


class Pages:
    """Drives the pages of one TestClient as a browser would (cookie jar, form posts)."""

    csrf_of = staticmethod(csrf_of)

    def __init__(self, client: Any) -> None:
        self.client = client

    def log_in(self, person: Any) -> str:
        response = self.client.post(
            "/login",
            data={"email": person.email, "password": person.password, "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        assert self.client.cookies.get(SESSION_COOKIE)
        return csrf_of(self.client.get("/").text)

    def get(self, path: str) -> Any:
        return self.client.get(path, follow_redirects=False)


@pytest.fixture
def pages(client: Any) -> Pages:
    return Pages(client)


@pytest.fixture
def hostile() -> Any:
    return hostile_rows
