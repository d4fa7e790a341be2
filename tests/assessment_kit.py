"""What the assessment tests share: questions whose keys carry sentinels, a builder that
stores an assessment through the service, and a recursive search for key fields."""

from __future__ import annotations

from typing import Any

from expertloop.core.lifecycles import Role
from expertloop.core.policies import Actor
from expertloop.services import assessments
from expertloop.store import Database
from expertloop.store.tables import Domain

SENTINEL_NUMBER = 8675.309
SENTINEL_RUBRIC = "SENTINEL-RUBRIC"
SENTINELS = ("8675.309", SENTINEL_RUBRIC)
KEY_FIELDS = frozenset({"answer", "answers", "rubric", "tolerance"})

CHOICE: dict[str, Any] = {
    "id": "q1",
    "kind": "single_choice",
    "prompt": "First-line drug for **anaphylaxis**?",
    "options": [{"id": "a", "text": "IM adrenaline"}, {"id": "b", "text": "Oral cetirizine"}],
    "answer": "a",
}
MULTIPLE: dict[str, Any] = {
    "id": "q2",
    "kind": "multiple_choice",
    "prompt": "Which are beta blockers?",
    "options": [
        {"id": "a", "text": "Atenolol"},
        {"id": "b", "text": "Amlodipine"},
        {"id": "c", "text": "Bisoprolol"},
    ],
    "answers": ["a", "c"],
}
NUMERIC: dict[str, Any] = {
    "id": "q3",
    "kind": "numeric",
    "prompt": "The sentinel number?",
    "answer": SENTINEL_NUMBER,
    "tolerance": 0.001,
}
FREE: dict[str, Any] = {
    "id": "q4",
    "kind": "free_text",
    "prompt": "Explain the mechanism.",
    "points": 2,
    "rubric": [{"points": 2, "description": f"{SENTINEL_RUBRIC}: names the receptor"}],
}
RIGHT = {"q1": "a", "q2": ["c", "a"], "q3": SENTINEL_NUMBER}
WRONG = {"q1": "b", "q2": ["a"], "q3": 1.5}


def body(questions: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    """An assessment as the API and the CLI take it (track stem, 75% to pass, 10 minutes)."""
    return {
        "track": "stem",
        "title": "Clinical pharmacology",
        "instructions": "Answer **alone**; 10 minutes.",
        "questions": questions if questions is not None else [CHOICE, MULTIPLE, NUMERIC],
        "pass_mark": 0.75,
        "time_limit_seconds": 600,
        **changes,
    }


def make_assessment(database: Database, clock: Any, *, publish: bool = True, **changes: Any) -> int:
    """Store an assessment through the service as the local operator; returns its id."""
    draft = assessments.AssessmentDraft(**body(**changes))
    with database.scoped() as session:
        view = assessments.create_assessment(
            session=session, actor=None, draft=draft, now=clock(), publish=publish
        )
    return view.assessment.id


def add_domain(database: Database, clock: Any, slug: str) -> None:
    with database.scoped() as session:
        session.add(Domain(slug=slug, name=slug.title(), created_at=clock()))
        session.commit()


def actor(person: Any) -> Actor:
    return Actor(person.id, Role(person.role))


def key_fields(value: Any, path: str = "") -> list[str]:
    """Every place in a JSON value where a key field (answer, rubric...) appears."""
    found: list[str] = []
    if isinstance(value, dict):
        for name, item in value.items():
            if name in KEY_FIELDS:
                found.append(f"{path}.{name}")
            found.extend(key_fields(item, f"{path}.{name}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(key_fields(item, f"{path}[{index}]"))
    return found


def leaks(text: str) -> list[str]:
    """The sentinels of the answer key found in a response body or a page."""
    return [sentinel for sentinel in SENTINELS if sentinel in text]
