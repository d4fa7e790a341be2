"""Helpers of the web page tests: log a person in through the form, read the CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest

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


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">raw link</a>',
    "<svg onload=alert(1)></svg><iframe src=javascript:alert(1)></iframe>",
    "![pic](javascript:alert(1)) <style>body{display:none}</style>",
    '"><script>alert(1)</script><p title="',
    "{{ 7+7 }} {% raw %} ${7+7}",
]
ODD_UNICODE = (
    "\u202eevil\u202c \u200b\u200d\ufeff e\u0301 \U0001f9ea "
    "\u0645\u0631\u062d\u0628\u0627 \u4f60\u597d \u0007"
)


def hostile_rows(kind: str, count: int = 1) -> list[dict[str, Any]]:
    """Items whose every text field tries to inject active content."""
    text = "\n\n".join(HOSTILE)
    rows = []
    for index in range(count):
        responses = [
            {"id": "A", "text": f"Answer A {ODD_UNICODE}\n\n{text}", "model": "<script>m</script>"},
            {"id": "B", "text": "huge " * 40_000 + text, "model": "m"},
        ]
        rows.append(
            {
                "external_id": f"hostile-{index}",
                "prompt": [
                    {"role": "system", "content": text},
                    {"role": "user", "content": f"Check this {ODD_UNICODE}\n\n{text}"},
                ],
                "context": text,
                "responses": responses if kind == "pairwise" else responses[:1],
            }
        )
    return rows


@pytest.fixture
def hostile() -> Any:
    return hostile_rows
