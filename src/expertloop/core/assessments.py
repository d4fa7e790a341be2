"""Assessments, pure: question validation, answer keys kept apart, grading, score, pass decision.

A question is a dict: ``id``, ``kind``, ``prompt`` (Markdown), ``points`` (> 0, default 1) and,
per kind, its options and its key:

- ``single_choice``: ``options`` ``[{"id", "text"}]``, key ``answer`` (an option id);
- ``multiple_choice``: ``options``, key ``answers`` (option ids; full points only for the exact
  set, none otherwise);
- ``numeric``: key ``answer`` (a number) and ``tolerance`` (>= 0): correct when
  ``|given - answer| <= tolerance``;
- ``free_text``: key ``rubric`` ``[{"points", "description"}]``, graded by a reviewer.

What an expert sees is built from a whitelist (:func:`public_question`), never by deleting the
key from a copy: a key field added later stays hidden unless someone whitelists it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from expertloop.core.errors import FieldError, invalid

SINGLE, MULTIPLE, NUMERIC, FREE_TEXT = "single_choice", "multiple_choice", "numeric", "free_text"
QUESTION_KINDS = (SINGLE, MULTIPLE, NUMERIC, FREE_TEXT)
CHOICE_KINDS = frozenset({SINGLE, MULTIPLE})
MAX_QUESTIONS, MAX_OPTIONS, MAX_RUBRIC = 200, 26, 20
MAX_ID, MAX_TEXT, MAX_ANSWER_CHARS = 60, 20_000, 50_000
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 60, 86_400
GRACE_SECONDS = 5
FREE_ATTEMPTS = 1
"""Attempts every expert has at an assessment; each admin grant adds one."""
"""Submissions this late after the deadline are still accepted (the network takes time)."""
PUBLIC_FIELDS = ("id", "kind", "prompt", "points")
PUBLIC_OPTION_FIELDS = ("id", "text")


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: Any, where: str, errors: list[FieldError], *, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        errors.append(FieldError(where, f"must be a non-empty text of at most {limit} characters"))
        return ""
    return value


def validate_questions(raw: Any) -> list[dict[str, Any]]:
    """The questions in their stored shape (known fields only), or every problem at once.

    Args:
        raw: the author's list of question dicts.

    Returns:
        New dicts; ``raw`` is not changed.

    Raises:
        Invalid: ``assessment.invalid`` naming each field, e.g. ``questions[2].options[1].id``.
    """
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_QUESTIONS:
        raise invalid(
            "assessment.invalid",
            [FieldError("questions", f"must be a list of 1 to {MAX_QUESTIONS} questions")],
        )
    errors: list[FieldError] = []
    questions = [_question(item, f"questions[{i}]", errors) for i, item in enumerate(raw)]
    seen: set[str] = set()
    for index, question in enumerate(questions):
        if question["id"] and question["id"] in seen:
            errors.append(FieldError(f"questions[{index}].id", "repeats an earlier question id"))
        seen.add(question["id"])
    if errors:
        raise invalid("assessment.invalid", errors)
    return questions


def _question(raw: Any, where: str, errors: list[FieldError]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        errors.append(FieldError(where, "must be an object"))
        return {"id": ""}
    kind = raw.get("kind")
    if kind not in QUESTION_KINDS:
        errors.append(FieldError(f"{where}.kind", f"must be one of {', '.join(QUESTION_KINDS)}"))
    points = raw.get("points", 1)
    if not _is_number(points) or points <= 0:
        errors.append(FieldError(f"{where}.points", "must be a number above 0"))
        points = 1
    question: dict[str, Any] = {
        "id": _text(raw.get("id"), f"{where}.id", errors, limit=MAX_ID),
        "kind": kind,
        "prompt": _text(raw.get("prompt"), f"{where}.prompt", errors),
        "points": points,
    }
    if kind in CHOICE_KINDS:
        question.update(_choice_key(raw, where, errors, multiple=kind == MULTIPLE))
    elif kind == NUMERIC:
        question.update(_numeric_key(raw, where, errors))
    elif kind == FREE_TEXT:
        question["rubric"] = _rubric(raw.get("rubric"), where, points, errors)
    return question


def _options(raw: Any, where: str, errors: list[FieldError]) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_OPTIONS:
        errors.append(FieldError(f"{where}.options", f"must be a list of 2 to {MAX_OPTIONS}"))
        return []
    options, seen = [], set()
    for index, option in enumerate(raw):
        at = f"{where}.options[{index}]"
        if not isinstance(option, dict):
            errors.append(FieldError(at, "must be an object with id and text"))
            continue
        option_id = _text(option.get("id"), f"{at}.id", errors, limit=MAX_ID)
        if option_id and option_id in seen:
            errors.append(FieldError(f"{at}.id", "repeats an earlier option id"))
        seen.add(option_id)
        options.append({"id": option_id, "text": _text(option.get("text"), f"{at}.text", errors)})
    return options


def _choice_key(
    raw: dict[str, Any], where: str, errors: list[FieldError], *, multiple: bool
) -> dict[str, Any]:
    options = _options(raw.get("options"), where, errors)
    ids = {option["id"] for option in options}
    if not multiple:
        answer = raw.get("answer")
        if options and not (isinstance(answer, str) and answer in ids):
            errors.append(FieldError(f"{where}.answer", "must be the id of one of the options"))
        return {"options": options, "answer": answer}
    answers = raw.get("answers")
    if not isinstance(answers, list) or not answers or len(set(map(str, answers))) < len(answers):
        errors.append(FieldError(f"{where}.answers", "must be a list of distinct option ids"))
        return {"options": options, "answers": []}
    for index, answer in enumerate(answers):
        if options and not (isinstance(answer, str) and answer in ids):
            errors.append(FieldError(f"{where}.answers[{index}]", "is not an option id"))
    return {"options": options, "answers": list(answers)}


def _numeric_key(raw: dict[str, Any], where: str, errors: list[FieldError]) -> dict[str, Any]:
    answer, tolerance = raw.get("answer"), raw.get("tolerance", 0)
    if not _is_number(answer):
        errors.append(FieldError(f"{where}.answer", "must be a number"))
    if not _is_number(tolerance) or tolerance < 0:
        errors.append(FieldError(f"{where}.tolerance", "must be a number of 0 or more"))
    return {"answer": answer, "tolerance": tolerance}


def _rubric(raw: Any, where: str, points: float, errors: list[FieldError]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_RUBRIC:
        errors.append(FieldError(f"{where}.rubric", f"must be a list of 1 to {MAX_RUBRIC} lines"))
        return []
    rubric = []
    for index, line in enumerate(raw):
        at = f"{where}.rubric[{index}]"
        if not isinstance(line, dict):
            errors.append(FieldError(at, "must be an object with points and description"))
            continue
        value = line.get("points")
        if not _is_number(value) or not 0 <= value <= points:
            errors.append(FieldError(f"{at}.points", f"must be a number from 0 to {points}"))
        description = _text(line.get("description"), f"{at}.description", errors)
        rubric.append({"points": value, "description": description})
    return rubric


def attempts_left(*, used: int, grants: int) -> int:
    """How many more attempts an expert may start (the one-attempt rule, plus grants)."""
    return max(0, FREE_ATTEMPTS + grants - used)


def public_question(question: dict[str, Any]) -> dict[str, Any]:
    """What an expert may see of a question: whitelisted fields only, never the key."""
    shown = {name: question[name] for name in PUBLIC_FIELDS}
    if question["kind"] in CHOICE_KINDS:
        shown["options"] = [
            {name: option[name] for name in PUBLIC_OPTION_FIELDS} for option in question["options"]
        ]
    return shown


def public_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [public_question(question) for question in questions]


def validate_answers(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """The expert's answers checked against the questions' shapes (an unanswered question
    scores 0); a new dict.

    Raises:
        Invalid: ``attempt.invalid_answers`` naming ``answers.<question id>``.
    """
    by_id = {question["id"]: question for question in questions}
    errors: list[FieldError] = []
    for question_id, value in answers.items():
        question = by_id.get(question_id)
        if question is None:
            errors.append(FieldError(f"answers.{question_id}", "is not a question of this test"))
            continue
        problem = _answer_problem(question, value)
        if problem:
            errors.append(FieldError(f"answers.{question_id}", problem))
    if errors:
        raise invalid("attempt.invalid_answers", errors)
    return {question_id: value for question_id, value in answers.items() if value is not None}


def _answer_problem(question: dict[str, Any], value: Any) -> str | None:
    if value is None:
        return None
    kind = question["kind"]
    ids = {option["id"] for option in question.get("options", [])}
    if kind == SINGLE and not (isinstance(value, str) and value in ids):
        return "must be the id of one of the options"
    if kind == MULTIPLE and (
        not isinstance(value, list)
        or not all(isinstance(v, str) and v in ids for v in value)
        or len(set(value)) < len(value)
    ):
        return "must be a list of distinct option ids"
    if kind == NUMERIC and not _is_number(value):
        return "must be a number"
    if kind == FREE_TEXT and (not isinstance(value, str) or len(value) > MAX_ANSWER_CHARS):
        return f"must be a text of at most {MAX_ANSWER_CHARS} characters"
    return None


def auto_points(question: dict[str, Any], given: Any) -> float:
    """Points an objective question earns for ``given`` (0 when unanswered or wrong)."""
    kind, points = question["kind"], float(question["points"])
    if given is None:
        return 0.0
    if kind == SINGLE:
        return points if given == question["answer"] else 0.0
    if kind == MULTIPLE:
        return points if set(given) == set(question["answers"]) else 0.0
    if kind == NUMERIC:
        correct = abs(float(given) - float(question["answer"])) <= float(question["tolerance"])
        return points if correct else 0.0
    raise ValueError(f"{kind} questions are graded by a reviewer")


@dataclass(frozen=True)
class Grading:
    """Points per objective question, and whether free-text answers await a reviewer."""

    points: dict[str, float]
    needs_review: bool


def grade_answers(questions: list[dict[str, Any]], answers: dict[str, Any]) -> Grading:
    """Grade every objective question; free-text questions are left to a reviewer."""
    points = {
        q["id"]: auto_points(q, answers.get(q["id"])) for q in questions if q["kind"] != FREE_TEXT
    }
    return Grading(points, any(q["kind"] == FREE_TEXT for q in questions))


def validate_review_points(
    questions: list[dict[str, Any]], given: dict[str, Any]
) -> dict[str, float]:
    """A reviewer's points: one number from 0 to the question's points per free-text question.

    Raises:
        Invalid: ``attempt.invalid_points`` naming ``points.<question id>``.
    """
    free = {q["id"]: q for q in questions if q["kind"] == FREE_TEXT}
    errors = [
        FieldError(f"points.{qid}", "is not a free-text question of this test")
        for qid in given
        if qid not in free
    ]
    for qid, question in free.items():
        value = given.get(qid)
        if not _is_number(value) or not 0 <= value <= question["points"]:
            errors.append(FieldError(f"points.{qid}", f"must be from 0 to {question['points']}"))
    if errors:
        raise invalid("attempt.invalid_points", errors)
    return {qid: float(given[qid]) for qid in free}


def score(questions: list[dict[str, Any]], points: dict[str, float]) -> float:
    """The fraction of all points earned, from 0 to 1."""
    total = sum(float(q["points"]) for q in questions)
    earned = sum(min(float(points.get(q["id"], 0.0)), float(q["points"])) for q in questions)
    return round(earned / total, 6) if total else 0.0


def passes(score_value: float, pass_mark: float) -> bool:
    """Whether a score reaches the pass mark (both fractions of the points)."""
    return score_value + 1e-9 >= pass_mark


def deadline(started_at: datetime, time_limit_seconds: int) -> datetime:
    return started_at + timedelta(seconds=time_limit_seconds)


def in_time(now: datetime, deadline_at: datetime) -> bool:
    """Whether a submission at ``now`` is accepted: by the deadline plus a short grace."""
    return now <= deadline_at + timedelta(seconds=GRACE_SECONDS)


def seconds_left(now: datetime, deadline_at: datetime) -> int:
    return max(0, math.ceil((deadline_at - now).total_seconds()))


def validate_settings(
    *, title: str, pass_mark: Any, time_limit_seconds: Any, instructions: str
) -> list[FieldError]:
    """Problems with an assessment's own fields (the questions are checked apart)."""
    errors = []
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        errors.append(FieldError("title", "must be 1 to 200 characters"))
    if not _is_number(pass_mark) or not 0 < pass_mark <= 1:
        errors.append(FieldError("pass_mark", "must be a fraction above 0 and at most 1"))
    limit = time_limit_seconds
    if not isinstance(limit, int) or not MIN_TIME_LIMIT <= limit <= MAX_TIME_LIMIT:
        errors.append(
            FieldError(
                "time_limit_seconds", f"must be from {MIN_TIME_LIMIT} to {MAX_TIME_LIMIT} seconds"
            )
        )
    if not isinstance(instructions, str) or len(instructions) > MAX_TEXT:
        errors.append(FieldError("instructions", f"must be at most {MAX_TEXT} characters"))
    return errors


def result_message(
    *, status: str, score_value: float | None, pass_mark: float, qualification: str | None
) -> str:
    """What an attempt's result says to the expert (never which answers were right).

    ``qualification`` is the status of the qualification the assessment grants, when one
    exists: a passed attempt grants it only when the expert had none.
    """
    shown = f"{round(100 * score_value)}%" if score_value is not None else ""
    mark = f"{round(100 * pass_mark)}%"
    if status == "pending_review":
        return "Submitted; a reviewer will grade the free-text answers."
    if status == "expired":
        return "The time limit ran out before this attempt was submitted."
    if status == "failed":
        return f"Scored {shown}, below the pass mark of {mark}."
    if status != "passed":
        return "In progress."
    if qualification in ("suspended", "revoked"):
        return (
            f"Passed with {shown}. Your qualification for this track is {qualification}; "
            "passing does not change it (an admin can)."
        )
    return f"Passed with {shown}; you are qualified for this track."


ASSESSMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"published", "archived"}),
    "published": frozenset({"archived"}),
    "archived": frozenset({"published"}),
}
"""Where an assessment's status may go; staying where it is is always allowed."""
