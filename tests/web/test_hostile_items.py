"""Items that try to inject scripts: the workbench shows their text and runs none of it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

ACTIVE_TAGS = {
    "script",
    "iframe",
    "img",
    "svg",
    "object",
    "embed",
    "style",
    "link",
    "base",
    "form",
    "frame",
    "math",
    "meta",
}
SAFE_SCHEMES = ("http:", "https:", "mailto:", "/", "#", "?")


class ActiveContent(HTMLParser):
    """Collects every tag or attribute in the page that could run or load something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []
        self.own: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ACTIVE_TAGS:
            self.own.append((tag, attrs))
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and value and not value.startswith(SAFE_SCHEMES):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and (values.get("href") or "").lower().startswith("javascript"):
            self.found.append(f"<a href={values['href']!r}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def scan(html: str) -> ActiveContent:
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    return parser


OWN_FORMS = {"judgment-form", "export-form"}


def expected_own_tags(parser: ActiveContent) -> list[str]:
    """The page's own active tags: stylesheet, scripts, meta tags, logout, judgment and export
    forms."""
    own = []
    for tag, attrs in parser.own:
        values = dict(attrs)
        if tag == "script":
            assert values["src"].startswith(
                ("/static/api.js", "/static/workbench.js", "/static/exports.js", "/static/kinds/")
            ), attrs
        elif tag == "link":
            assert values["href"].startswith("/static/app.css"), attrs
        elif tag == "form":
            assert values.get("action") == "/logout" or values.get("id") in OWN_FORMS, attrs
        else:
            assert tag == "meta", attrs
        own.append(tag)
    return own


@pytest.mark.parametrize("kind", ["label", "pairwise"])
def test_hostile_item_renders_as_inert_text(client, factory, pages, hostile, kind: str) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, kind=kind)
    created = client.post(
        f"/api/v1/projects/{project_id}/items", json={"items": hostile(kind)}, headers=lead.headers
    )
    assert created.status_code == 201, created.text
    pages.log_in(expert)
    response = pages.get(f"/projects/{project_id}/work")
    assert response.status_code == 200
    page = scan(response.text)
    assert page.found == []
    own = ["form", "form", "link", "meta", "meta", "meta", "script", "script", "script"]
    assert sorted(expected_own_tags(page)) == own
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text  # shown to the expert as text
    assert "<img src=x onerror=alert(1)>" in text
    assert "[click me](javascript:alert(1))" in text
    assert "\u202eevil\u202c" in text and "\U0001f9ea" in text and "e\u0301" in text
    assert "{{ 7+7 }} {% raw %} ${7+7}" in text  # never evaluated as a template
    assert "<script>m</script>" not in text  # model names are hidden: judging is blind
    if kind == "pairwise":
        assert text.count("huge ") == 40_000


def test_hostile_judgment_rationale_is_escaped_on_the_project_page(client, factory, pages) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=1)
    body = client.post(f"/api/v1/projects/{project_id}/claims", headers=expert.headers).json()
    rationale = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
    submitted = client.post(
        f"/api/v1/assignments/{body['assignment_id']}/judgment",
        json={"value": {"labels": ["yes"]}, "rationale": rationale},
        headers=expert.headers,
    )
    assert submitted.status_code == 201
    pages.log_in(lead)
    page = scan(pages.get(f"/projects/{project_id}").text)
    assert page.found == []
    own = ["form", "form", "link", "meta", "meta", "meta", "script"]  # script: exports.js
    assert sorted(expected_own_tags(page)) == own
    assert rationale in "".join(page.text)
