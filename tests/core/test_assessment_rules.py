"""Assessment rules: question validation naming the field, key stripping by whitelist,
grading, score, pass decision and the time limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from expertloop.core import assessments as rules
from expertloop.core.errors import Invalid

QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "q1",
        "kind": "single_choice",
        "prompt": "First-line drug for anaphylaxis?",
        "options": [{"id": "a", "text": "Adrenaline"}, {"id": "b", "text": "Cetirizine"}],
        "answer": "a",
    },
    {
        "id": "q2",
        "kind": "multiple_choice",
        "prompt": "Which are beta blockers?",
        "points": 2,
        "options": [
            {"id": "a", "text": "Atenolol"},
            {"id": "b", "text": "Amlodipine"},
            {"id": "c", "text": "Bisoprolol"},
        ],
        "answers": ["a", "c"],
    },
    {"id": "q3", "kind": "numeric", "prompt": "eGFR cut-off?", "answer": 30, "tolerance": 0.5},
    {
        "id": "q4",
        "kind": "free_text",
        "prompt": "Explain why.",
        "points": 3,
        "rubric": [{"points": 3, "description": "SENTINEL-RUBRIC names the mechanism"}],
    },
]


def test_validate_questions_keeps_known_fields_and_defaults_points() -> None:
    raw = [{**QUESTIONS[0], "extra": "dropped"}]
    assert rules.validate_questions(raw) == [{**QUESTIONS[0], "points": 1}]
    assert "extra" in raw[0]  # the input is not changed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "essay"}, "questions[0].kind"),
        ({"id": ""}, "questions[0].id"),
        ({"prompt": " "}, "questions[0].prompt"),
        ({"points": 0}, "questions[0].points"),
        ({"points": True}, "questions[0].points"),
        ({"answer": "z"}, "questions[0].answer"),
        ({"options": [{"id": "a", "text": "A"}]}, "questions[0].options"),
        (
            {"options": [{"id": "a", "text": "A"}, {"id": "", "text": "B"}]},
            "questions[0].options[1].id",
        ),
        (
            {"options": [{"id": "a", "text": "A"}, {"id": "a", "text": "B"}]},
            "questions[0].options[1].id",
        ),
        (
            {"options": [{"id": "a", "text": "A"}, {"id": "b", "text": ""}]},
            "questions[0].options[1].text",
        ),
    ],
)
def test_validate_questions_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        rules.validate_questions([{**QUESTIONS[0], **change}])
    assert caught.value.code == "assessment.invalid"
    assert field in [error.field for error in caught.value.errors]


@pytest.mark.parametrize(
    ("index", "change", "field"),
    [
        (1, {"answers": []}, "questions[2].answers"),
        (1, {"answers": ["a", "z"]}, "questions[2].answers[1]"),
        (1, {"answers": ["a", "a"]}, "questions[2].answers"),
        (2, {"answer": "30"}, "questions[2].answer"),
        (2, {"tolerance": -1}, "questions[2].tolerance"),
        (3, {"rubric": []}, "questions[2].rubric"),
        (3, {"rubric": [{"points": 4, "description": "x"}]}, "questions[2].rubric[0].points"),
        (3, {"rubric": [{"points": 1}]}, "questions[2].rubric[0].description"),
    ],
)
def test_validate_questions_names_the_field_of_the_third_question(
    index: int, change: dict[str, Any], field: str
) -> None:
    raw = [QUESTIONS[0], {**QUESTIONS[0], "id": "q0"}, {**QUESTIONS[index], **change}]
    with pytest.raises(Invalid) as caught:
        rules.validate_questions(raw)
    assert field in [error.field for error in caught.value.errors]


@pytest.mark.parametrize("raw", [[], "questions", [1] * 201])
def test_validate_questions_refuses_a_bad_list(raw: Any) -> None:
    with pytest.raises(Invalid) as caught:
        rules.validate_questions(raw)
    assert [error.field for error in caught.value.errors] == ["questions"]


def test_validate_questions_refuses_repeated_ids() -> None:
    with pytest.raises(Invalid) as caught:
        rules.validate_questions([QUESTIONS[0], QUESTIONS[0]])
    assert [e.field for e in caught.value.errors] == ["questions[1].id"]


def test_public_questions_never_carry_the_key() -> None:
    shown = rules.public_questions(rules.validate_questions(QUESTIONS))
    assert shown == [
        {
            "id": "q1",
            "kind": "single_choice",
            "prompt": "First-line drug for anaphylaxis?",
            "points": 1,
            "options": [{"id": "a", "text": "Adrenaline"}, {"id": "b", "text": "Cetirizine"}],
        },
        {
            "id": "q2",
            "kind": "multiple_choice",
            "prompt": "Which are beta blockers?",
            "points": 2,
            "options": [
                {"id": "a", "text": "Atenolol"},
                {"id": "b", "text": "Amlodipine"},
                {"id": "c", "text": "Bisoprolol"},
            ],
        },
        {"id": "q3", "kind": "numeric", "prompt": "eGFR cut-off?", "points": 1},
        {"id": "q4", "kind": "free_text", "prompt": "Explain why.", "points": 3},
    ]


def test_public_question_ignores_key_fields_it_does_not_know() -> None:
    question = {
        **QUESTIONS[0],
        "points": 1,
        "explanation": "SECRET",
        "options": [{"id": "a", "text": "A", "correct": True}],
    }
    assert "SECRET" not in json.dumps(rules.public_question(question))
    assert "correct" not in json.dumps(rules.public_question(question))


@pytest.mark.parametrize(
    ("index", "given", "points"),
    [
        (0, "a", 1.0),
        (0, "b", 0.0),
        (0, None, 0.0),
        (1, ["c", "a"], 2.0),
        (1, ["a"], 0.0),
        (1, ["a", "b", "c"], 0.0),
        (2, 30.5, 1.0),
        (2, 29.5, 1.0),
        (2, 30.51, 0.0),
        (2, 30, 1.0),
    ],
)
def test_auto_points_by_kind(index: int, given: Any, points: float) -> None:
    assert rules.auto_points(rules.validate_questions([QUESTIONS[index]])[0], given) == points


def test_grade_answers_leaves_free_text_to_a_reviewer() -> None:
    questions = rules.validate_questions(QUESTIONS)
    grading = rules.grade_answers(questions, {"q1": "a", "q2": ["a"], "q3": 30.2})
    assert grading == rules.Grading({"q1": 1.0, "q2": 0.0, "q3": 1.0}, needs_review=True)
    assert not rules.grade_answers(questions[:3], {}).needs_review


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"q9": "a"}, "answers.q9"),
        ({"q1": "z"}, "answers.q1"),
        ({"q1": ["a"]}, "answers.q1"),
        ({"q2": "a"}, "answers.q2"),
        ({"q2": ["a", "a"]}, "answers.q2"),
        ({"q2": [{"x": 1}]}, "answers.q2"),
        ({"q3": "30"}, "answers.q3"),
        ({"q3": True}, "answers.q3"),
        ({"q4": 5}, "answers.q4"),
    ],
)
def test_validate_answers_names_the_question(answers: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        rules.validate_answers(rules.validate_questions(QUESTIONS), answers)
    assert caught.value.code == "attempt.invalid_answers"
    assert [e.field for e in caught.value.errors] == [field]


def test_validate_answers_drops_blank_answers() -> None:
    questions = rules.validate_questions(QUESTIONS)
    assert rules.validate_answers(questions, {"q1": None, "q3": 2}) == {"q3": 2}


@pytest.mark.parametrize(
    ("points", "fields"),
    [
        ({}, ["points.q4"]),
        ({"q4": 3.5}, ["points.q4"]),
        ({"q4": -1}, ["points.q4"]),
        ({"q4": 2, "q1": 1}, ["points.q1"]),
    ],
)
def test_validate_review_points_names_the_question(
    points: dict[str, Any], fields: list[str]
) -> None:
    with pytest.raises(Invalid) as caught:
        rules.validate_review_points(rules.validate_questions(QUESTIONS), points)
    assert [e.field for e in caught.value.errors] == fields


def test_score_and_pass_decision() -> None:
    questions = rules.validate_questions(QUESTIONS)  # 7 points in all
    earned = {"q1": 1.0, "q2": 2.0, "q3": 1.0, "q4": 1.5}
    assert rules.score(questions, earned) == round(5.5 / 7, 6)
    assert rules.passes(rules.score(questions, earned), 0.75)
    assert not rules.passes(rules.score(questions, earned), 0.8)
    assert rules.passes(rules.score(questions[:1], {"q1": 1.0}), 1.0)
    assert rules.score(questions, {}) == 0.0


def test_time_limit_with_grace() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = rules.deadline(start, 600)
    assert end == start + timedelta(seconds=600)
    assert rules.in_time(end + timedelta(seconds=rules.GRACE_SECONDS), end)
    assert not rules.in_time(end + timedelta(seconds=rules.GRACE_SECONDS + 1), end)
    assert rules.seconds_left(start + timedelta(seconds=0.5), end) == 600
    assert rules.seconds_left(end + timedelta(seconds=3), end) == 0


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({}, []),
        ({"title": ""}, ["title"]),
        ({"pass_mark": 0}, ["pass_mark"]),
        ({"pass_mark": 1.2}, ["pass_mark"]),
        ({"time_limit_seconds": 59}, ["time_limit_seconds"]),
        ({"time_limit_seconds": 86_401}, ["time_limit_seconds"]),
    ],
)
def test_validate_settings_names_the_field(values: dict[str, Any], fields: list[str]) -> None:
    given = {"title": "T", "pass_mark": 0.7, "time_limit_seconds": 600, "instructions": ""}
    errors = rules.validate_settings(**{**given, **values})
    assert [error.field for error in errors] == fields
