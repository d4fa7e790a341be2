"""Stepwise supervision rows (process reward models) from ``step_review`` judgments.

TRL's stepwise supervision type is ``{"prompt", "completions", "labels"}``: the solution's
steps in order and one boolean per step, True for a correct step; ``PRMTrainer`` reads it
(https://huggingface.co/docs/trl/dataset_formats, "Stepwise supervision";
https://huggingface.co/docs/trl/prm_trainer; Uesato et al. 2022, *Solving math word problems
with process- and outcome-based feedback*; Lightman et al. 2023, *Let's Verify Step by Step*).
The prompt is always written as text: the trainer tokenizes prompt and steps as plain strings.

Labels, in this order of preference:

1. ``options.per_judgment``: one row per usable judgment, from its own step labels;
2. the consensus ``first_error`` k (per-step aggregation): steps before k True, step k False;
   k = -1 (no wrong step) makes every step True;
3. otherwise, when exactly one usable judgment exists, its step labels (several judgments and no
   consensus give no row: there is nothing to settle them).

A step label maps ``correct`` -> True, ``incorrect`` -> False, ``neutral`` ->
``options.neutral_label`` (default True: a neutral step does not break the chain). The steps
after the first wrong one are, by ``options.after_error``: ``drop`` (default) - cut, so the row
ends on its first False as in PRM800K-style training (a step after an error rests on a wrong
state, and its own label says little); ``keep`` - kept, with their own labels when a judgment
gives them and False when only the consensus ``first_error`` is known.

Example:
    >>> from expertloop.core.exports.records import ExportItem, ExportJudgment, ExportOptions
    >>> item = ExportItem(5, "step_review", "1+1*2?", data={"steps": ["1*2=2", "1+2=4", "4"]})
    >>> labels = [{"label": "correct"}, {"label": "incorrect"}, {"label": "correct"}]
    >>> vote = ExportJudgment("e-1", {"steps": labels, "first_error": 1})
    >>> row = next(rows(item, [vote], None, options=ExportOptions()))
    >>> row["completions"], row["labels"]
    (['1*2=2', '1+2=4'], [True, False])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from expertloop.core.exports.common import JSON, as_text, provenance, usable
from expertloop.core.exports.records import (
    DEFAULT_OPTIONS,
    ExportConsensus,
    ExportItem,
    ExportJudgment,
    ExportOptions,
)

INCORRECT = "incorrect"


def rows(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> Iterator[JSON]:
    """Stepwise rows of one item.

    Args:
        item: a ``step_review`` item with ``data.steps`` (other kinds yield nothing).
        judgments: the item's judgments; rejected ones are skipped.
        consensus: the item's consensus; its ``first_error`` decides the labels.
        options: ``per_judgment``, ``neutral_label``, ``after_error``.

    Returns:
        An iterator of ``{"prompt", "completions", "labels"}`` rows with ``provenance``
        (``first_error`` and ``label_source``: ``consensus`` or ``judgment``).
    """
    steps = [str(step) for step in item.data.get("steps") or []]
    if item.kind != "step_review" or not steps:
        return
    kept = usable(judgments)
    sources: list[tuple[list[bool], int, Sequence[ExportJudgment], str]] = []
    if options.per_judgment:
        sources = [(*_from_judgment(j.value, options), [j], "judgment") for j in kept]
    elif consensus is not None and isinstance(consensus.value.get("first_error"), int):
        first = int(consensus.value["first_error"])
        sources = [(_from_first_error(first, len(steps)), first, kept, "consensus")]
    elif len(kept) == 1:
        sources = [(*_from_judgment(kept[0].value, options), kept, "judgment")]
    for labels, first, basis, origin in sources:
        if len(labels) != len(steps) or first >= len(steps):
            continue  # a value that does not match the item's steps cannot be aligned
        cut = len(steps) if first < 0 or options.after_error == "keep" else first + 1
        extra = {"source": item.kind, "first_error": first, "label_source": origin}
        yield {
            "prompt": as_text(item.prompt),
            "completions": steps[:cut],
            "labels": labels[:cut],
            "provenance": provenance(item, basis, consensus, **extra),
        }


def _from_judgment(value: Mapping[str, Any], options: ExportOptions) -> tuple[list[bool], int]:
    """A judgment's step labels as booleans, and the index of its first wrong step (-1)."""
    names = [str(step.get("label")) for step in value.get("steps") or []]
    mapping = {"correct": True, INCORRECT: False, "neutral": options.neutral_label}
    first = names.index(INCORRECT) if INCORRECT in names else -1
    return [mapping.get(name, options.neutral_label) for name in names], first


def _from_first_error(first: int, count: int) -> list[bool]:
    """Steps before ``first`` True, the rest False (all True when ``first`` is -1)."""
    if first < 0:
        return [True] * count
    return [index < first for index in range(count)]
