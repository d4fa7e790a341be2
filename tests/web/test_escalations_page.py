"""The lead's project page lists the escalations, with the flagged text escaped."""

from __future__ import annotations

import re
from typing import Any

TWO = [{"id": "A", "text": "Take 4 g at once."}, {"id": "B", "text": "Ask your pharmacist."}]
SCORES = {"A": {"accuracy": {"score": 1}}, "B": {"accuracy": {"score": 5}}}


def judge(client: Any, project_id: int, person: Any, value: dict[str, Any], why: str) -> None:
    claim = client.post(f"/api/v1/projects/{project_id}/claims", headers=person.headers)
    assert claim.status_code == 200, claim.text
    response = client.post(
        f"/api/v1/assignments/{claim.json()['assignment_id']}/judgment",
        json={"value": value, "rationale": why},
        headers=person.headers,
    )
    assert response.status_code == 201, response.text


def test_lead_project_page_lists_escalations(client: Any, factory: Any, pages: Any) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    spec = {"criteria": [{"id": "accuracy", "name": "Accuracy"}]}
    project_id = factory.project(lead=lead, kind="rubric", spec=spec)
    rows = [{"external_id": f"r{i}", "prompt": "Dose?", "responses": TWO} for i in range(2)]
    created = client.post(
        f"/api/v1/projects/{project_id}/items", json={"items": rows}, headers=lead.headers
    )
    assert created.status_code == 201, created.text
    judge(client, project_id, expert, {"scores": SCORES}, "Both fine.")
    flag = {"response": "A", "flag": "unsafe", "note": "<script>alert(1)</script> overdose"}
    judge(client, project_id, expert, {"scores": SCORES, "flags": [flag]}, "A is <b>bad</b>.")
    pages.log_in(lead)

    html = pages.get(f"/projects/{project_id}").text

    assert '<h2 id="escalations-title">Escalations</h2>' in html
    found = re.findall(r'<tr class="escalation-row"[^>]*>(.*?)</tr>', html, re.S)
    assert len(found) == 1
    (row,) = found
    assert "<code>r1</code>" in row and "Expert 2" in row
    assert '<span class="badge flag">unsafe</span> on response <code>A</code>' in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt; overdose" in row
    assert "A is &lt;b&gt;bad&lt;/b&gt;." in row
    assert "<script>alert(1)" not in html


def test_project_page_without_escalations_says_so(client: Any, factory: Any, pages: Any) -> None:
    lead = factory.user("lead")
    project_id = factory.project(lead=lead, items=1)
    pages.log_in(lead)

    html = pages.get(f"/projects/{project_id}").text

    assert "Nothing escalated." in html
