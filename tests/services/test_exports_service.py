"""The export service against a real database: pairwise judgments through the queue, consensus
by the worker's refresh, then rows in each format with filters and pseudonymous provenance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from expertloop.core.errors import Invalid
from expertloop.services.exports import ExportRequest, open_export
from expertloop.store import Database
from export_jobs_kit import judged_pairwise_project
from judging import judge_all


def _rows(database: Database, project_id: int, request: dict[str, Any]) -> list[dict[str, Any]]:
    with database.scoped(write=False) as session:
        stream = open_export(
            session=session,
            actor=None,
            project_id=project_id,
            request=ExportRequest.from_dict(request),
        )
        return list(stream.rows)


def test_export_preference_rows_carry_pseudonymous_provenance(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    rows = _rows(database, project_id, {"format": "dpo", "options": {"margin": True}})
    assert [r["provenance"]["external_id"] for r in rows] == ["q0", "q1", "q2"]  # tie: no row
    first = rows[0]
    assert first["chosen"] == "Answer A to question 0"
    assert first["rejected"] == "Answer B to question 0"
    assert first["margin"] == 2.0
    origin = first["provenance"]
    assert origin["judgments"] == 3 and origin["agreement"] == 1.0
    assert origin["consensus_state"] in {"agreed", "open"}
    ids = {e["id"] for e in origin["experts"]}
    assert len(ids) == 3 and all(i.startswith("e-") for i in ids)
    assert rows[2]["chosen"] == "Answer B to question 2"


def test_export_pseudonyms_are_stable_and_never_user_ids(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    once = _rows(database, project_id, {"format": "raw"})
    again = _rows(database, project_id, {"format": "raw"})
    assert [r.get("expert") for r in once] == [r.get("expert") for r in again]
    experts = {r["expert"] for r in once if r["type"] == "judgment"}
    assert len(experts) == 3
    assert not any(str(e).isdigit() for e in experts)
    assert sum(r["type"] == "judgment" for r in once) == 12


def test_export_filters_guideline_version_dates_and_metadata(
    client: Any, factory: Any, database: Database, clock: Any
) -> None:
    project_id = judged_pairwise_project(client, factory, database, clock)
    assert (
        _rows(database, project_id, {"format": "raw", "filters": {"guideline_versions": [2]}}) == []
    )
    assert (
        _rows(database, project_id, {"format": "raw", "filters": {"metadata": {"source": "x"}}})
        == []
    )
    later = (clock() + timedelta(days=1)).isoformat()
    assert _rows(database, project_id, {"format": "raw", "filters": {"since": later}}) == []
    kept = _rows(
        database,
        project_id,
        {"format": "kto", "filters": {"min_confidence": 0.0, "metadata": {"source": "test"}}},
    )
    assert {r["label"] for r in kept} == {True, False}


def test_export_refuses_a_format_the_kind_does_not_have(factory: Any, database: Database) -> None:
    project_id = factory.project(kind="label", items=1)
    with pytest.raises(Invalid) as caught:
        _rows(database, project_id, {"format": "stepwise"})
    assert caught.value.errors[0].field == "format"
    assert "label project exports as raw" in caught.value.errors[0].message


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"format": "nope"}, "format"),
        ({"filters": {"min_confidence": 2}}, "filters.min_confidence"),
        ({"filters": {"since": "yesterday"}}, "filters.since"),
        ({"filters": {"since": "2026-01-01T00:00:00"}}, "filters.since"),
        ({"filters": {"colour": "red"}}, "filters.colour"),
        ({"options": {"colour": "red"}}, "options"),
    ],
)
def test_export_request_names_the_bad_field(request_body: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        ExportRequest.from_dict(request_body)
    assert caught.value.errors[0].field == field


def test_export_request_round_trips_through_json() -> None:
    body = {
        "format": "preference",
        "options": {"margin": True},
        "filters": {
            "accepted_only": True,
            "guideline_versions": [1, 2],
            "since": "2026-01-01T00:00:00+00:00",
        },
        "license": "cc-by-4.0",
    }
    request = ExportRequest.from_dict(body)
    assert ExportRequest.from_dict(request.to_dict()) == request
    assert request.to_dict()["filters"]["guideline_versions"] == [1, 2]


def test_export_of_a_project_with_one_chat_prompt_is_conversational_throughout(
    factory: Any, database: Database, client: Any
) -> None:
    from expertloop.services.items import import_items

    project_id = factory.project(kind="pairwise", overlap=1)
    chat = [{"role": "user", "content": "Dose of adrenaline?"}]
    pair = [{"id": "A", "text": "0.5 mg IM"}, {"id": "B", "text": "5 mg IV"}]
    rows = [
        {"external_id": "text", "prompt": "Dose?", "responses": pair},
        {"external_id": "chat", "prompt": chat, "responses": pair},
    ]
    with database.scoped() as session:
        import_items(
            session=session, actor=None, project_id=project_id, rows=rows, now=factory.clock()
        )
    expert = factory.user("expert")
    judge_all(client, expert, project_id, lambda ext: {"choice": "A", "strength": 1})
    out = _rows(database, project_id, {"format": "kto", "options": {"per_judgment": True}})
    assert len(out) == 4
    assert all(isinstance(r["prompt"], list) for r in out)
    assert out[0]["prompt"] == [{"role": "user", "content": "Dose?"}]
