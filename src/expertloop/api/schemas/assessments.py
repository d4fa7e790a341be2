"""Request and response bodies of the assessments routes.

An expert's bodies never carry an answer key: the services build the questions an expert sees
from a whitelist, and ``points`` (per question) is filled only for graders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from expertloop.api.schemas import Strict


class AssessmentCreate(Strict):
    track: str = Field(description="The track a pass qualifies for, by name")
    domain: str | None = Field(default=None, description="A domain slug; none: the whole track")
    title: str
    instructions: str = Field(default="", description="Markdown, shown before the start")
    questions: list[Any] = Field(
        description="1 to 200 questions: single_choice, multiple_choice, numeric, free_text, "
        "each with its key (answer, answers, answer + tolerance, rubric)"
    )
    pass_mark: float = Field(description="Fraction of the points needed to pass, (0, 1]")
    time_limit_seconds: int = Field(description="60 to 86400, enforced on the server")


class AssessmentUpdate(Strict):
    status: str = Field(description="draft, published or archived")


class AssessmentPublic(BaseModel):
    id: int
    track: str
    domain: str | None
    title: str
    instructions: str
    pass_mark: float
    time_limit_seconds: int
    status: str
    question_count: int
    total_points: float
    questions: list[dict[str, Any]] | None = Field(
        description="With the answer key, for leads and admins only; experts get the "
        "questions (without key) when they start an attempt"
    )
    attempts_left: int | None = Field(description="Experts and reviewers: attempts they have")
    my_status: str | None = Field(description="Experts and reviewers: their latest attempt")
    created_at: datetime


class AssessmentsPublic(BaseModel):
    data: list[AssessmentPublic]
    count: int


class AttemptSubmit(Strict):
    answers: dict[str, Any] = Field(
        description="Question id -> option id, list of option ids, number or text"
    )


class AttemptGrade(Strict):
    points: dict[str, Any] = Field(description="Free-text question id -> points given")
    feedback: str = ""


class AttemptPublic(BaseModel):
    id: int
    assessment_id: int
    assessment_title: str
    track: str
    domain: str | None
    expert_id: int
    expert_name: str | None = Field(description="Graders only")
    number: int
    status: str
    started_at: datetime
    deadline: datetime
    seconds_left: int
    submitted_at: datetime | None
    questions: list[dict[str, Any]] = Field(description="Without the answer key")
    my_answers: dict[str, Any] = Field(description="What the expert submitted")
    score: float | None = Field(description="Fraction of the points, once graded")
    passed: bool | None
    feedback: str
    message: str
    points: dict[str, Any] | None = Field(description="Points per question, graders only")


class AttemptsPublic(BaseModel):
    data: list[AttemptPublic]
    count: int


class AttemptGrantCreate(Strict):
    expert_id: int
    reason: str


class AttemptGrantPublic(BaseModel):
    id: int
    assessment_id: int
    expert_id: int
    granted_by: int | None
    reason: str
    created_at: datetime
    attempts_left: int
