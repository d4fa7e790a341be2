"""`expertloop demo --no-serve` seeds a usable demo, and seeds it again without failing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services.dashboard import get_dashboard
from expertloop.services.projects import get_progress, list_projects
from expertloop.services.users import log_in
from expertloop.store import Database
from expertloop.store.users import get_profile, get_user_by_email

EXPERTS = ["amara.okafor@example.org", "lukas.brandt@example.org", "mei.tanaka@example.org"]
LOCKED = {
    "Emergency triage vignettes (qualified clinicians)": "Clinical reasoning for triage reviewers",
    "Patch review (coding track)": "Code reading for reviewers",
}


def logins(stdout: str) -> list[tuple[str, str, str]]:
    lines = [line.split() for line in stdout.splitlines() if "password:" in line]
    return [(words[0], words[1], words[3]) for words in lines]


KINDS = [
    ("cluster_review", 2),
    ("correction", 2),
    ("demonstration", 2),
    ("label", 2),  # adverse-event triage: adaptive overlap starts at k_min 2
    ("label", 3),
    ("pairwise", 2),
    ("ranking", 2),
    ("red_team", 2),
    ("rubric", 2),
    ("step_review", 2),
    ("verify", 2),
]


def test_demo_seeds_a_lead_three_experts_and_a_project_of_every_kind(
    cli: Any, database: Database
) -> None:
    result = cli("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    seen = logins(result.stdout)
    assert [(role, email) for role, email, _ in seen] == [
        ("lead", "lead@example.org"),
        ("admin", "admin@example.org"),
        ("reviewer", "sofia.marin@example.org"),
        *[("expert", email) for email in EXPERTS],
    ]
    now = datetime.now(UTC)
    with database.scoped() as session:
        for _, email, password in seen:
            log_in(session=session, email=email, password=password, now=now, days=1)
        lead = get_user_by_email(session, "lead@example.org")
        assert lead is not None
        everything = list_projects(session=session, actor=Actor(lead.id, Role.LEAD))
        projects = [p for p in everything if p.name not in LOCKED]
        assert sorted((p.kind, p.overlap) for p in projects) == KINDS
        assert sorted(p.name for p in everything if p.name in LOCKED) == sorted(LOCKED)
        for project in projects:
            progress = get_progress(session=session, actor=None, project_id=project.id, now=now)
            assert progress.items >= (12 if project.kind in ("label", "pairwise") else 5)
        backgrounds = []
        for email in EXPERTS:
            expert = get_user_by_email(session, email)
            assert expert is not None
            profile = get_profile(session, expert.id)
            assert profile is not None
            backgrounds.append(
                tuple(profile.attributes[k] for k in ("region", "sector", "years_of_practice"))
            )
    assert all(len({b[i] for b in backgrounds}) == 3 for i in range(3))


def test_demo_experts_see_what_their_qualifications_unlock(cli: Any, database: Database) -> None:
    assert cli("demo", "--no-serve").exit_code == 0
    now = datetime.now(UTC)
    with database.scoped() as session:
        boards = {}
        for email in EXPERTS[:2]:
            expert = get_user_by_email(session, email)
            assert expert is not None
            boards[email] = get_dashboard(
                session=session, actor=Actor(expert.id, Role.EXPERT), now=now
            )
    clinician, lawyer = boards[EXPERTS[0]], boards[EXPERTS[1]]
    assert all(card.terms.rate is not None for card in clinician.available)
    assert all(card.terms.minutes_per_item for card in clinician.available)
    open_names = {card.project.name for card in clinician.available}
    assert "Emergency triage vignettes (qualified clinicians)" in open_names
    assert [card.project.name for card in clinician.locked] == ["Patch review (coding track)"]
    unlocks = {
        card.project.name: [a.title for a in card.assessments or []] for card in lawyer.locked
    }
    assert unlocks == {name: [title] for name, title in LOCKED.items()}


def test_demo_twice_reuses_what_exists_and_prints_the_logins_again(
    cli: Any, database: Database
) -> None:
    first = cli("demo", "--no-serve")
    second = cli("demo", "--no-serve")
    assert (first.exit_code, second.exit_code) == (0, 0), second.output
    assert logins(second.stdout) == logins(first.stdout)
    assert "users: 0 created, 6 already there" in second.stdout
    assert second.stdout.count("already there, 0 items added") == len(KINDS) + len(LOCKED)
    assert second.stdout.count("': already there") == len(LOCKED)  # the two assessments
    with database.scoped() as session:
        lead = get_user_by_email(session, "lead@example.org")
        assert lead is not None
        projects = list_projects(session=session, actor=Actor(lead.id, Role.LEAD))
        assert len(projects) == len(KINDS) + len(LOCKED)
