"""What the API and page tests share to act as an expert through the JSON API: claim the next
item, judge it, or judge everything left to them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

ValueOf = Callable[[str], dict[str, Any]]
"""The value an expert gives an item, from the item's external id."""


def claim(client: Any, person: Any, project_id: int) -> dict[str, Any]:
    """Claim the next item of the project; the lease (``assignment_id``, ``item``, ...)."""
    response = client.post(f"/api/v1/projects/{project_id}/claims", headers=person.headers)
    assert response.status_code == 200, response.text
    lease: dict[str, Any] = response.json()
    return lease


def submit(
    client: Any, person: Any, assignment_id: int, value: dict[str, Any], rationale: str = ""
) -> int:
    """Judge a claimed item; the judgment's id."""
    response = client.post(
        f"/api/v1/assignments/{assignment_id}/judgment",
        json={"value": value, "rationale": rationale},
        headers=person.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def judge(
    client: Any, person: Any, project_id: int, label: str = "yes", rationale: str = ""
) -> int:
    """Claim the next item and judge it with one label; the judgment's id."""
    lease = claim(client, person, project_id)
    return submit(client, person, lease["assignment_id"], {"labels": [label]}, rationale)


def labelled(labels: Mapping[str, str]) -> ValueOf:
    """Each item's value: the one label ``labels`` names for its external id."""
    return lambda external_id: {"labels": [labels[external_id]]}


def judge_all(client: Any, person: Any, project_id: int, value_of: ValueOf) -> int:
    """Claim and judge until nothing is left for ``person``; how many judgments that made."""
    made = 0
    while (
        response := client.post(f"/api/v1/projects/{project_id}/claims", headers=person.headers)
    ).status_code == 200:
        lease = response.json()
        submit(client, person, lease["assignment_id"], value_of(lease["item"]["external_id"]))
        made += 1
    assert response.status_code == 204, response.text
    return made
