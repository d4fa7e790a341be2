"""Preference rows (DPO, and reward modelling with ``margin``) from pairwise, ranking and
correction judgments.

TRL's preference type is ``{"prompt", "chosen", "rejected"}``; in the conversational format
``prompt`` is a list of messages and ``chosen`` / ``rejected`` are lists holding the assistant
message (https://huggingface.co/docs/trl/dataset_formats, "Preference"). ``DPOTrainer`` reads
it as is; ``RewardTrainer`` reads the same rows and, when a ``margin`` column is present, uses
it in the loss (https://huggingface.co/docs/trl/reward_trainer, "Adding a margin to the loss";
Touvron et al. 2023, *Llama 2*, sec. 3.2.2).

Where the pairs come from:

* ``pairwise``: by default one row per item from the consensus choice (``A`` is the item's
  first response, ``B`` the second); a tie gives no row, nor does a missing consensus.
  With ``options.per_judgment``, one row per non-tie judgment instead.
* ``ranking``: every pair of responses in different groups of the consensus order (or of each
  judgment's order with ``per_judgment``), better group chosen; tied responses give no pair.
* ``correction``: per judgment, the expert's edit is chosen over the original model answer.

Margin (``options.margin``), a documented mapping onto TRL's real-valued margin:

* pairwise: strength 1 / 2 / 3 -> 1.0 / 2.0 / 3.0, averaged over the judgments that agree with
  the exported choice (a judgment without strength counts 1); per judgment, its own strength;
* ranking: the number of groups between the two responses (adjacent groups -> 1.0);
* correction: 1.0.

Example:
    >>> from expertloop.core.exports.records import (
    ...     ExportConsensus, ExportItem, ExportJudgment, ExportOptions)
    >>> item = ExportItem(7, "pairwise", "Why?", responses=[
    ...     {"id": "A", "text": "Because."}, {"id": "B", "text": "No idea."}])
    >>> votes = [ExportJudgment("e-1", {"choice": "A", "strength": 3}),
    ...          ExportJudgment("e-2", {"choice": "A", "strength": 1})]
    >>> agreed = ExportConsensus({"choice": "A"}, 0.9, "agreed", "bradley_terry")
    >>> row = next(rows(item, votes, agreed, options=ExportOptions(margin=True)))
    >>> row["chosen"], row["rejected"], row["margin"]
    ('Because.', 'No idea.', 2.0)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, product
from typing import Any

from expertloop.core.exports.common import (
    JSON,
    as_messages,
    as_text,
    assistant,
    conversational,
    provenance,
    usable,
)
from expertloop.core.exports.records import (
    DEFAULT_OPTIONS,
    ExportConsensus,
    ExportItem,
    ExportJudgment,
    ExportOptions,
)

SIDES = {"A": 0, "B": 1}


@dataclass(frozen=True)
class Pair:
    """One preference: response ids and texts, its margin and the judgments behind it."""

    chosen: str
    chosen_text: str
    rejected: str
    rejected_text: str
    margin: float
    basis: Sequence[ExportJudgment]


def rows(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> Iterator[JSON]:
    """Preference rows of one item.

    Args:
        item: a ``pairwise``, ``ranking`` or ``correction`` item (other kinds yield nothing).
        judgments: the item's judgments; rejected ones are skipped.
        consensus: the item's consensus (pairwise and ranking rows come from it by default).
        options: ``per_judgment``, ``conversational`` and ``margin``.

    Returns:
        An iterator of ``{"prompt", "chosen", "rejected"}`` rows (plus ``margin`` when asked),
        each with ``provenance`` naming the ``chosen`` and ``rejected`` response ids.
    """
    chat = conversational(item, options)
    for pair in pairs(item, usable(judgments), consensus, options):
        row: JSON = (
            {
                "prompt": as_messages(item.prompt),
                "chosen": assistant(pair.chosen_text),
                "rejected": assistant(pair.rejected_text),
            }
            if chat
            else {
                "prompt": as_text(item.prompt),
                "chosen": pair.chosen_text,
                "rejected": pair.rejected_text,
            }
        )
        if options.margin:
            row["margin"] = pair.margin
        extra = {"source": item.kind, "chosen": pair.chosen, "rejected": pair.rejected}
        row["provenance"] = provenance(item, pair.basis, consensus, **extra)
        yield row


def pairs(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    options: ExportOptions,
) -> Iterator[Pair]:
    """The item's preferences, by kind (see the module docstring)."""
    if item.kind == "pairwise":
        yield from _pairwise(item, judgments, consensus, options)
    elif item.kind == "ranking":
        yield from _ranking(item, judgments, consensus, options)
    elif item.kind == "correction":
        yield from _correction(item, judgments)


def pairwise_choice(
    item: ExportItem, value: Mapping[str, Any]
) -> tuple[Mapping[str, Any], Mapping[str, Any]] | None:
    """The (chosen, rejected) responses a pairwise value names; None for a tie or no choice."""
    return chosen_of(item.responses, value)


def chosen_of(
    responses: Sequence[Mapping[str, Any]], value: Mapping[str, Any]
) -> tuple[Mapping[str, Any], Mapping[str, Any]] | None:
    """``pairwise_choice`` on an item's responses."""
    side = SIDES.get(str(value.get("choice")))
    if side is None or len(responses) != 2:
        return None
    return responses[side], responses[1 - side]


def consensus_margin(values: Sequence[Mapping[str, Any]], choice: Any) -> float:
    """A consensus row's margin: the mean strength of the judgment values (not rejected) that
    chose ``choice``; 1.0 when none did."""
    agreeing = [strength(v) for v in values if v.get("choice") == choice]
    return sum(agreeing) / len(agreeing) if agreeing else 1.0


def _pairwise(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    options: ExportOptions,
) -> Iterator[Pair]:
    if options.per_judgment:
        for judgment in judgments:
            found = pairwise_choice(item, judgment.value)
            if found is not None:
                yield _pair(*found, strength(judgment.value), [judgment])
        return
    found = None if consensus is None else pairwise_choice(item, consensus.value)
    if consensus is None or found is None:
        return
    margin = consensus_margin([j.value for j in judgments], consensus.value.get("choice"))
    yield _pair(*found, margin, judgments)


def _ranking(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    options: ExportOptions,
) -> Iterator[Pair]:
    if options.per_judgment:
        orders = [(j.value.get("ranking") or [], [j]) for j in judgments]
    elif consensus is not None:
        orders = [(consensus.value.get("ranking") or [], list(judgments))]
    else:
        orders = []
    texts = {str(r.get("id")): str(r.get("text", "")) for r in item.responses}
    for groups, basis in orders:
        for (better, upper), (worse, lower) in combinations(enumerate(groups), 2):
            for chosen, rejected in product(map(str, upper), map(str, lower)):
                if chosen in texts and rejected in texts:
                    margin = float(worse - better)
                    yield Pair(chosen, texts[chosen], rejected, texts[rejected], margin, basis)


def _correction(item: ExportItem, judgments: Sequence[ExportJudgment]) -> Iterator[Pair]:
    first = item.responses[0] if item.responses else {}
    for judgment in judgments:
        edited = judgment.value.get("edited")
        original = judgment.value.get("original", first.get("text"))
        if edited and original is not None and str(edited) != str(original):
            original_id = str(first.get("id", "original"))
            yield Pair("edited", str(edited), original_id, str(original), 1.0, [judgment])


def _pair(
    chosen: Mapping[str, Any],
    rejected: Mapping[str, Any],
    margin: float,
    basis: Sequence[ExportJudgment],
) -> Pair:
    return Pair(*sides(chosen, rejected), margin, basis)


def sides(chosen: Mapping[str, Any], rejected: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The chosen and rejected responses' ids and texts, as rows write them."""
    return (
        str(chosen.get("id")),
        str(chosen.get("text", "")),
        str(rejected.get("id")),
        str(rejected.get("text", "")),
    )


def strength(value: Mapping[str, Any]) -> float:
    """A pairwise value's strength 1 / 2 / 3 as the margin 1.0 / 2.0 / 3.0; absent (a tie)
    counts 1."""
    found = value.get("strength")
    return float(found) if isinstance(found, int | float) else 1.0
