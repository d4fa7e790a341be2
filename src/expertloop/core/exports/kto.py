"""Unpaired preference rows (KTO) from pairwise and rubric judgments.

TRL's unpaired preference type is ``{"prompt", "completion", "label"}``, ``label`` True for a
desirable completion and False for an undesirable one; ``KTOTrainer`` reads it
(https://huggingface.co/docs/trl/kto_trainer, "Expected dataset format";
https://huggingface.co/docs/trl/dataset_formats, "Unpaired preference"; Ethayarajh et al.
2024, *KTO: Model Alignment as Prospect Theoretic Optimization*). Conversational rows hold the
prompt as messages and the completion as one assistant message.

* ``pairwise``: each preference that ``preference.pairs`` finds (consensus by default, each
  judgment with ``options.per_judgment``; ties give nothing) yields the chosen response with
  True and the rejected one with False.
* ``rubric``: a response's score is the mean over criteria of the consensus scores (or, without
  a consensus, the mean over judgments of each judgment's mean; with ``per_judgment`` one row
  per judgment and response). Score >= ``options.kto_threshold`` -> True. With
  ``options.flagged_undesirable`` (default), a response any usable judgment flagged is False.

Example:
    >>> from expertloop.core.exports.records import ExportItem, ExportJudgment, ExportOptions
    >>> item = ExportItem(3, "rubric", "Q", responses=[{"id": "r1", "text": "good"}])
    >>> vote = ExportJudgment("e-1", {"scores": {"r1": {"accuracy": {"score": 5}}}})
    >>> [(r["completion"], r["label"]) for r in rows(item, [vote], None, options=ExportOptions())]
    [('good', True)]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from statistics import fmean
from typing import Any

from expertloop.core.exports.common import (
    JSON,
    as_messages,
    as_text,
    assistant,
    conversational,
    provenance,
    response_text,
    usable,
)
from expertloop.core.exports.preference import pairs
from expertloop.core.exports.records import (
    DEFAULT_OPTIONS,
    ExportConsensus,
    ExportItem,
    ExportJudgment,
    ExportOptions,
)


def rows(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> Iterator[JSON]:
    """KTO rows of one item.

    Args:
        item: a ``pairwise`` or ``rubric`` item (other kinds yield nothing).
        judgments: the item's judgments; rejected ones are skipped.
        consensus: the item's consensus.
        options: ``per_judgment``, ``conversational``, ``kto_threshold``,
            ``flagged_undesirable``.

    Returns:
        An iterator of ``{"prompt", "completion", "label"}`` rows with ``provenance`` (naming
        the ``response`` id, and for rubric rows the ``score``).
    """
    kept = usable(judgments)
    if item.kind == "pairwise":
        yield from _pairwise(item, kept, consensus, options)
    elif item.kind == "rubric":
        yield from _rubric(item, kept, consensus, options)


def _pairwise(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    options: ExportOptions,
) -> Iterator[JSON]:
    for pair in pairs(item, judgments, consensus, options):
        sides = ((pair.chosen, pair.chosen_text, True), (pair.rejected, pair.rejected_text, False))
        for response, text, label in sides:
            extra = {"source": item.kind, "response": response}
            yield _row(item, text, label, provenance(item, pair.basis, consensus, **extra), options)


def _rubric(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    options: ExportOptions,
) -> Iterator[JSON]:
    if options.per_judgment:
        groups = [([j], _mean_scores(j.value)) for j in judgments]
    elif consensus is not None and "scores" in consensus.value:
        groups = [(list(judgments), _mean_scores(consensus.value))]
    else:
        groups = [(list(judgments), _panel_scores(judgments))]
    for basis, scores in groups:
        flagged = _flagged(basis) if options.flagged_undesirable else set()
        for response, score in scores.items():
            text = response_text(item, response)
            if text is None or math.isnan(score):
                continue  # no such response, or a score that is not a number
            label = score >= options.kto_threshold and response not in flagged
            extra = {"source": item.kind, "response": response, "score": score}
            yield _row(item, text, label, provenance(item, basis, consensus, **extra), options)


def _row(item: ExportItem, text: str, label: bool, origin: JSON, options: ExportOptions) -> JSON:
    if conversational(item, options):
        prompt: Any = as_messages(item.prompt)
        completion: Any = assistant(text)
    else:
        prompt, completion = as_text(item.prompt), text
    return {"prompt": prompt, "completion": completion, "label": label, "provenance": origin}


def _score(entry: object) -> float:
    """A criterion score: a number (consensus means) or ``{"score": n}`` (a judgment)."""
    if isinstance(entry, Mapping):
        entry = entry.get("score")
    return float(entry) if isinstance(entry, int | float) else float("nan")


def _mean_scores(value: Mapping[str, Any]) -> dict[str, float]:
    """Each response's mean score over its criteria."""
    scores = value.get("scores") or {}
    return {
        str(response): fmean(_score(e) for e in criteria.values())
        for response, criteria in scores.items()
        if criteria
    }


def _panel_scores(judgments: Sequence[ExportJudgment]) -> dict[str, float]:
    """Each response's mean over judgments of their per-response means."""
    by_response: dict[str, list[float]] = {}
    for judgment in judgments:
        for response, score in _mean_scores(judgment.value).items():
            by_response.setdefault(response, []).append(score)
    return {response: fmean(scores) for response, scores in by_response.items()}


def _flagged(judgments: Sequence[ExportJudgment]) -> set[str]:
    return {
        str(flag.get("response"))
        for j in judgments
        for flag in j.value.get("flags") or []
        if isinstance(flag, Mapping)
    }
