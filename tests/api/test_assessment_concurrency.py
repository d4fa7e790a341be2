"""The one-attempt rule under real concurrency: threads with their own sessions start or
submit the same attempt at the same moment, on SQLite and (when its URL is set) PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from assessment_kit import RIGHT, actor, make_assessment
from expertloop.core.errors import Conflict, DomainError
from expertloop.services import attempts
from expertloop.store import IntegrityError
from expertloop.store.tables import AssessmentAttempt, QualificationEvent

ROUNDS = 8


def race(count: int, work: Callable[[], Any]) -> list[Any]:
    """Run ``work`` in ``count`` threads released together; results or domain errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work()
        except DomainError as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def count_attempts(database: Any, expert_id: int) -> int:
    with database.scoped() as session:
        query = select(func.count()).where(AssessmentAttempt.expert_id == expert_id)
        return int(session.scalar(query) or 0)


def test_start_attempt_from_two_threads_makes_one_attempt(
    database: Any, factory: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    for _ in range(ROUNDS):
        expert = actor(factory.user("expert"))

        def begin(expert: Any = expert) -> attempts.AttemptView:
            with database.scoped() as session:
                return attempts.start_attempt(
                    session=session, actor=expert, assessment_id=assessment_id, now=clock()
                )

        views = race(2, begin)
        assert all(isinstance(v, attempts.AttemptView) for v in views), views
        assert views[0].attempt.id == views[1].attempt.id
        assert sorted(v.resumed for v in views) == [False, True]
        assert count_attempts(database, expert.id) == 1


def test_submit_attempt_from_two_threads_grades_it_once(
    database: Any, factory: Any, clock: Any
) -> None:
    assessment_id = make_assessment(database, clock)
    for _ in range(ROUNDS):
        expert = actor(factory.user("expert"))
        with database.scoped() as session:
            started = attempts.start_attempt(
                session=session, actor=expert, assessment_id=assessment_id, now=clock()
            )

        def send(expert: Any = expert, attempt_id: int = started.attempt.id) -> Any:
            with database.scoped() as session:
                return attempts.submit_attempt(
                    session=session, actor=expert, attempt_id=attempt_id, answers=RIGHT, now=clock()
                )

        results = race(2, send)
        graded = [r for r in results if isinstance(r, attempts.AttemptView)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert (len(graded), len(refused)) == (1, 1), results
        assert graded[0].attempt.status == "passed"
        assert refused[0].code == "attempt.passed"
    with database.scoped() as session:
        assert session.scalar(select(func.count()).select_from(QualificationEvent)) == ROUNDS


def test_two_transactions_cannot_both_insert_a_first_attempt(
    database: Any, factory: Any, clock: Any
) -> None:
    """The constraint the start relies on, with two transactions open at once."""
    if database.sqlite:
        pytest.skip("SQLite admits one writer at a time: the second insert waits for its turn")
    assessment_id = make_assessment(database, clock)
    expert = factory.user("expert")
    values = {
        "assessment_id": assessment_id,
        "expert_id": expert.id,
        "number": 1,
        "status": "in_progress",
        "started_at": clock(),
        "deadline": clock(),
        "answers": {},
        "points": {},
    }
    first, second = database.session(), database.session()
    try:
        first.add(AssessmentAttempt(**values))
        first.flush()
        second.add(AssessmentAttempt(**values))
        errors: list[Exception] = []

        def flush_second() -> None:
            try:
                second.flush()
            except IntegrityError as error:
                errors.append(error)

        waiting = threading.Thread(target=flush_second)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive(), "the second insert should wait for the first transaction"
        first.commit()
        waiting.join(timeout=30)
        assert len(errors) == 1
    finally:
        second.rollback()
        second.close()
        first.close()
    assert count_attempts(database, expert.id) == 1


def test_start_attempt_that_loses_the_insert_race_resumes_the_winner(
    database: Any, factory: Any, clock: Any
) -> None:
    """PostgreSQL: another transaction inserted attempt 1 and has not committed; this start
    counts no attempt, inserts attempt 1 too, waits, fails on the unique number once the other
    commits, and returns the other's attempt (resumed) instead of a second one."""
    if database.sqlite:
        pytest.skip("SQLite admits one writer at a time: the start waits and then sees it")
    assessment_id = make_assessment(database, clock)
    person = factory.user("expert")
    values = {
        "assessment_id": assessment_id,
        "expert_id": person.id,
        "number": 1,
        "status": "in_progress",
        "started_at": clock(),
        "deadline": clock() + timedelta(seconds=600),
        "answers": {},
        "points": {},
    }
    winner = database.session()
    results: list[Any] = []

    def begin() -> None:
        with database.scoped() as session:
            results.append(
                attempts.start_attempt(
                    session=session, actor=actor(person), assessment_id=assessment_id, now=clock()
                )
            )

    try:
        row = AssessmentAttempt(**values)
        winner.add(row)
        winner.flush()
        loser = threading.Thread(target=begin)
        loser.start()
        loser.join(timeout=0.5)
        assert loser.is_alive(), "the second start should wait on the unique number"
        winner.commit()
        loser.join(timeout=30)
    finally:
        winner.close()
    assert len(results) == 1
    assert (results[0].attempt.id, results[0].resumed) == (row.id, True)
    assert count_attempts(database, person.id) == 1
