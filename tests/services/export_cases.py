"""Small exports built with the core ``rows`` functions, one per format and form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from expertloop.core.exports import kto, preference, raw, sft, stepwise
from expertloop.core.exports.records import (
    ExportConsensus,
    ExportItem,
    ExportJudgment,
    ExportOptions,
)

CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Capitale de la France ?"},
]
TEXT = "Capitale de la France ?"
PAIR = [
    {"id": "A", "text": "Paris, évidemment.", "model": "m1"},
    {"id": "B", "text": "Lyon.", "model": "m2"},
]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
RowsOf = Callable[..., Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    """An export: its format name, whether it is conversational, and its rows."""

    name: str
    format_name: str
    conversational: bool
    rows: list[dict[str, Any]]


def judgment(expert: str, value: dict[str, Any], **fields: Any) -> ExportJudgment:
    defaults: dict[str, Any] = {
        "rationale": "because",
        "guideline_version": 2,
        "active_seconds": 30.0,
        "tracks": ("stem",),
        "created_at": WHEN,
    }
    return ExportJudgment(expert, value, **{**defaults, **fields})


def consensus(value: dict[str, Any], agreement: float | None = 0.75) -> ExportConsensus:
    return ExportConsensus(value, 0.9, "agreed", "test", agreement)


def items(kind: str, prompt: Any, count: int = 3, **fields: Any) -> list[ExportItem]:
    """``count`` items of ``kind``, ids 1.., external ids ``ext-<id>``."""
    return [ExportItem(i, kind, prompt, f"ext-{i}", **fields) for i in range(1, count + 1)]


def export(
    shape: RowsOf,
    sources: list[ExportItem],
    votes: list[ExportJudgment],
    agreed: ExportConsensus | None,
    options: ExportOptions | None = None,
) -> list[dict[str, Any]]:
    """Every row of ``sources`` shaped by ``shape`` (a core ``rows`` function)."""
    chosen = options or ExportOptions()
    return [row for source in sources for row in shape(source, votes, agreed, options=chosen)]


def _sft(prompt: Any, kind: str, forced: bool = False) -> list[dict[str, Any]]:
    if kind == "correction":
        votes = [judgment("e-1", {"edited": "Paris."}), judgment("e-2", {"edited": "Paris !"})]
    else:
        answer = [{"role": "assistant", "content": "Paris."}]
        votes = [judgment("e-1", {"messages": answer})]
    options = ExportOptions(conversational=forced)
    return export(sft.rows, items(kind, prompt, responses=PAIR), votes, None, options)


def _preference(prompt: Any, margin: bool) -> list[dict[str, Any]]:
    votes = [judgment("e-1", {"choice": "A", "strength": 3}), judgment("e-2", {"choice": "A"})]
    sources = items("pairwise", prompt, responses=PAIR)
    return export(
        preference.rows, sources, votes, consensus({"choice": "A"}), ExportOptions(margin=margin)
    )


def _kto_rubric() -> list[dict[str, Any]]:
    scores = {"A": {"accuracy": {"score": 5}}, "B": {"accuracy": {"score": 1}}}
    votes = [judgment("e-1", {"scores": scores}, tracks=("stem", "law"))]
    return export(kto.rows, items("rubric", TEXT, responses=PAIR), votes, None)


def _kto_pairwise_chat() -> list[dict[str, Any]]:
    votes = [judgment("e-1", {"choice": "B"})]
    sources = items("pairwise", CHAT, responses=PAIR)
    return export(kto.rows, sources, votes, consensus({"choice": "B"}, agreement=None))


def _stepwise() -> list[dict[str, Any]]:
    sources = items("step_review", "1+1*2?", data={"steps": ["1*2=2", "1+2=3", "3"]})
    labels = [{"label": "correct"}, {"label": "correct"}, {"label": "correct"}]
    votes = [judgment("e-1", {"steps": labels, "first_error": -1})]
    return export(stepwise.rows, sources, votes, consensus({"first_error": 1}))


def _raw() -> list[dict[str, Any]]:
    votes = [
        judgment("e-1", {"choice": "A", "strength": 2}),
        judgment("e-2", {"choice": "B"}, review_state="rejected", created_at=None),
    ]
    return export(
        raw.rows, items("pairwise", TEXT, responses=PAIR), votes, consensus({"choice": "A"})
    )


def cases() -> list[Case]:
    """Every format, in its standard and its conversational form where TRL has both."""
    return [
        Case("sft-prompt-completion", "sft", False, _sft(TEXT, "correction")),
        Case("sft-messages", "sft", True, _sft(CHAT, "demonstration")),
        Case("sft-forced-messages", "sft", True, _sft(TEXT, "correction", forced=True)),
        Case("preference-margin", "preference", False, _preference(TEXT, margin=True)),
        Case("preference-chat", "preference", True, _preference(CHAT, margin=False)),
        Case("kto-rubric", "kto", False, _kto_rubric()),
        Case("kto-chat", "kto", True, _kto_pairwise_chat()),
        Case("stepwise", "stepwise", False, _stepwise()),
        Case("raw", "raw", False, _raw()),
    ]
