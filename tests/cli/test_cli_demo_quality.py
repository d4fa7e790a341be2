"""`expertloop demo` seeds a project that shows quality: its policy, gold items, work judged
through the queue, consensus (one item disputed), reviews to do, and items still open."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services.adjudication import adjudication_queue
from expertloop.services.dashboard import get_dashboard
from expertloop.services.gold import list_gold
from expertloop.services.judgments import stream_judgments
from expertloop.services.projects import get_progress, list_projects, quality_policy
from expertloop.services.quality import get_quality_report, list_consensus
from expertloop.services.reviews import review_queue
from expertloop.store import Database, Session
from expertloop.store.tables import Project
from expertloop.store.users import get_user_by_email

NAME = "Adverse-event report triage"
EXPERTS = ["amara.okafor@example.org", "lukas.brandt@example.org", "mei.tanaka@example.org"]
GOLD = {
    "ae-02": "non-serious",
    "ae-05": "serious",
    "ae-09": "life-threatening",
    "ae-12": "fatal",
}
WORKED = 9  # items the demo's experts judged (18 items: 4 gold, 9 worked, 5 left open)
LEFT_OPEN = 5


def actor(session: Session, email: str) -> Actor:
    user = get_user_by_email(session, email)
    assert user is not None
    return Actor(user.id, Role(user.role))


def triage_project(session: Session) -> tuple[Actor, Project]:
    lead = actor(session, "lead@example.org")
    found = [p for p in list_projects(session=session, actor=lead) if p.name == NAME]
    assert len(found) == 1
    return lead, found[0]


def test_demo_seeds_the_triage_project_with_its_policy_and_gold_items(
    cli: Any, database: Database
) -> None:
    result = cli("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert f"{NAME!r} (label, overlap 2): created, 18 items added" in result.stdout
    with database.scoped() as session:
        lead, project = triage_project(session)
        assert quality_policy(project).as_stored() == {
            "gold": {"rate": 0.15, "calibration": 2, "min_answered": 3},
            "overlap": {"k_min": 2, "k_max": 3, "target": 0.9},
            "review": {"share": 0.25, "probation": 0, "min_reliability": None},
            "method": "ds",
        }
        assert project.requirements == {"tracks": [], "domains": [], "min_quality": 0.5}
        assert project.spec["labels"] == ["non-serious", "serious", "life-threatening", "fatal"]
        gold = list_gold(session=session, actor=lead, project_id=project.id)
        assert {item.external_id: answer.answer["labels"][0] for item, answer in gold} == GOLD
        assert all(len(answer.explanation) > 40 for _, answer in gold)
        progress = get_progress(
            session=session, actor=lead, project_id=project.id, now=datetime.now(UTC)
        )
        assert (progress.items, progress.active_leases) == (18, 0)


def test_demo_work_gives_the_quality_pages_consensus_reviews_and_a_dispute(
    cli: Any, database: Database
) -> None:
    assert cli("demo", "--no-serve").exit_code == 0
    with database.scoped() as session:
        lead, project = triage_project(session)
        report = get_quality_report(session=session, actor=lead, project_id=project.id)
        assert report.method == "ds"
        assert sum(report.consensus.values()) == WORKED
        assert report.consensus["disputed"] >= 1
        assert report.consensus["agreed"] >= WORKED - 2
        assert report.figures["agreement"]["answer"]["alpha"] is not None
        gold_record = {e.name: (e.gold_correct, e.gold_answered) for e in report.experts}
        assert gold_record == {
            "Dr Amara Okafor": (2, 2),
            "Lukas Brandt": (1, 2),
            "Mei Tanaka": (2, 2),
        }
        assert all(e.reliability is not None for e in report.experts)
        disputed = list_consensus(
            session=session, actor=lead, project_id=project.id, state="disputed"
        )
        assert all(row.judgments == 3 for row in disputed)  # disputed only at k_max
        reviewer = actor(session, "sofia.marin@example.org")
        queue = adjudication_queue(session=session, actor=reviewer, project_id=project.id)
        assert "ae-07" in [entry.external_id for entry in queue]
        assert review_queue(session=session, actor=reviewer, project_id=project.id)


def test_demo_leaves_items_open_for_every_demo_expert(cli: Any, database: Database) -> None:
    assert cli("demo", "--no-serve").exit_code == 0
    now = datetime.now(UTC)
    with database.scoped() as session:
        for email in EXPERTS:
            board = get_dashboard(session=session, actor=actor(session, email), now=now)
            cards = {card.project.name: card for card in board.available}
            assert (cards[NAME].waiting, cards[NAME].in_progress) == (LEFT_OPEN, 0), email


def snapshot(session: Session) -> dict[str, Any]:
    lead, project = triage_project(session)
    reviewer = actor(session, "sofia.marin@example.org")
    pid = project.id
    consensus = list_consensus(session=session, actor=lead, project_id=pid)
    gold = list_gold(session=session, actor=lead, project_id=pid)
    pending = review_queue(session=session, actor=reviewer, project_id=pid)
    return {
        "judgments": list(stream_judgments(session=session, actor=lead, project_id=pid)),
        "consensus": [(c.item_id, c.state, c.value, c.confidence) for c in consensus],
        "gold": [(item.id, answer.answer) for item, answer in gold],
        "reviews": [entry.judgment.id for entry in pending],
        "items": get_progress(session=session, actor=lead, project_id=pid, now=datetime.now(UTC)),
    }


def test_demo_twice_changes_nothing_in_the_triage_project(cli: Any, database: Database) -> None:
    assert cli("demo", "--no-serve").exit_code == 0
    with database.scoped() as session:
        before = snapshot(session)
    second = cli("demo", "--no-serve")
    assert second.exit_code == 0, second.output
    assert f"{NAME!r} (label, overlap 2): already there, 0 items added" in second.stdout
    assert "  quality: 0 judgments added" in second.stdout
    with database.scoped() as session:
        assert snapshot(session) == before
    assert len(before["judgments"]) > WORKED * 2
