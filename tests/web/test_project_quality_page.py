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
    project_id = factory.project(lead=lead, items=3, overlap=2)
    login(client, lead)
    before = client.get(f"/projects/{project_id}")
    assert "No consensus yet" in before.text
    judge_all(client, experts[0], project_id, labelled({"q0": "yes", "q1": "no", "q2": "yes"}))
    judge_all(client, experts[1], project_id, labelled({"q0": "yes", "q1": "no", "q2": "no"}))
    with database.scoped() as session:
        refresh_project(
            session=session, project_id=project_id, now=clock(), rng=np.random.default_rng(0)
        )
    page = client.get(f"/projects/{project_id}")
    assert page.status_code == 200
    text = page.text
    assert 'id="consensus-agreed">3<' in text
    start = text.index('id="quality-title"')
    assert "Method <strong>ds</strong> · 6 judgments on 3 items" in text, text[start : start + 600]
    assert "Krippendorff's alpha" in text and 'id="expert-quality"' in text
    names = [expert.email.split("@")[0].replace("expert", "Expert ") for expert in experts]
    assert all(name in text for name in names)
    # 2 of 3 agree where chance alone agrees on 4 of 9: kappa (2/3 - 4/9) / (5/9) = 0.4
    assert f"{names[0]} and {names[1]} 0.40 on 3 items" in text


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
