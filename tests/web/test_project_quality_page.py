"""The lead's project page shows quality: consensus by state, agreement, each expert's figures."""

from __future__ import annotations

from typing import Any

import numpy as np

from expertloop.services.aggregation import refresh_project
from judging import judge_all, labelled


def login(client: Any, person: Any) -> None:
    response = client.post(
        "/login", data={"email": person.email, "password": person.password}, follow_redirects=False
    )
    assert response.status_code == 303


def test_the_project_page_shows_quality_after_a_refresh(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead = factory.user("lead")
    experts = [factory.user("expert") for _ in range(2)]
    project_id = factory.project(lead=lead, items=2, overlap=2)
    login(client, lead)
    before = client.get(f"/projects/{project_id}")
    assert "No consensus yet" in before.text
    judge_all(client, experts[0], project_id, labelled({"q0": "yes", "q1": "yes"}))
    judge_all(client, experts[1], project_id, labelled({"q0": "yes", "q1": "no"}))
    with database.scoped() as session:
        refresh_project(
            session=session, project_id=project_id, now=clock(), rng=np.random.default_rng(0)
        )
    page = client.get(f"/projects/{project_id}")
    assert page.status_code == 200
    text = page.text
    assert 'id="consensus-agreed">2<' in text
    start = text.index('id="quality-title"')
    assert "Method <strong>ds</strong> · 4 judgments on 2 items" in text, text[start : start + 600]
    assert "Krippendorff" in text and 'id="expert-quality"' in text
    for expert in experts:
        assert expert.email.split("@")[0].replace("expert", "Expert ") in text


def test_an_expert_sees_their_own_quality_on_the_dashboard(
    client: Any, factory: Any, database: Any, clock: Any
) -> None:
    lead, expert = factory.user("lead"), factory.user("expert")
    project_id = factory.project(lead=lead, items=3, quality={"gold": {"calibration": 1}})
    marked = client.put(
        f"/api/v1/projects/{project_id}/gold",
        json={"items": [{"external_id": "q0", "answer": {"labels": ["yes"]}}]},
        headers=lead.headers,
    )
    assert marked.status_code == 200
    judge_all(client, expert, project_id, labelled({"q0": "yes", "q1": "no", "q2": "no"}))
    login(client, expert)
    page = client.get("/").text
    assert 'id="my-quality"' in page
    assert "1 of 1" in page and "100%" in page
