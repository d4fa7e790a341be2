"""The workbench pages of the kinds beyond label and pairwise: shortcuts, and inert hostile text."""

from __future__ import annotations

import pytest
from test_hostile_items import expected_own_tags, scan
from web_cases import KIND_CASES, hostile_case


@pytest.mark.parametrize("kind", sorted(KIND_CASES))
def test_workbench_renders_the_kind_with_its_shortcuts(client, factory, pages, kind: str) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    case = KIND_CASES[kind]
    project_id = factory.project(lead=lead, kind=kind, spec=case["spec"])
    created = client.post(
        f"/api/v1/projects/{project_id}/items",
        json={"items": [{**case["row"], "external_id": "ok"}]},
        headers=lead.headers,
    )
    assert created.status_code == 201, created.text
    pages.log_in(expert)
    response = pages.get(f"/projects/{project_id}/work")
    assert response.status_code == 200, response.text
    assert f'data-kind="{kind}"' in response.text
    assert f"/static/kinds/{kind}.js" in response.text
    for shortcut in case["keys"]:
        assert shortcut in response.text
    assert client.get(f"/static/kinds/{kind}.js").status_code == 200


@pytest.mark.parametrize("kind", sorted(KIND_CASES))
def test_hostile_item_of_the_kind_renders_as_inert_text(client, factory, pages, kind: str) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, kind=kind, spec=KIND_CASES[kind]["spec"])
    created = client.post(
        f"/api/v1/projects/{project_id}/items",
        json={"items": [hostile_case(kind)]},
        headers=lead.headers,
    )
    assert created.status_code == 201, created.text
    pages.log_in(expert)
    response = pages.get(f"/projects/{project_id}/work")
    assert response.status_code == 200
    page = scan(response.text)
    assert page.found == []
    assert sorted(expected_own_tags(page)).count("script") == 3  # api.js, workbench.js, the kind
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text or "<img src=x onerror=alert(1)>" in text


def test_step_review_page_with_ten_thousand_steps_renders(client, factory, pages) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, kind="step_review", spec={})
    steps = [f"Step {n}: <script>alert({n})</script> x = {n}" for n in range(10_000)]
    row = {"external_id": "long", "prompt": "Long proof", "data": {"steps": steps}}
    created = client.post(
        f"/api/v1/projects/{project_id}/items", json={"items": [row]}, headers=lead.headers
    )
    assert created.status_code == 201, created.text
    pages.log_in(expert)
    response = pages.get(f"/projects/{project_id}/work")
    assert response.status_code == 200
    assert response.text.count('<li class="step"') == 10_000
    assert scan(response.text).found == []
    assert "<script>alert(" not in response.text
