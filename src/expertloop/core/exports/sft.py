"""Supervised fine-tuning rows from ``demonstration`` and ``correction`` judgments.

TRL's ``SFTTrainer`` reads either a conversational *language modelling* row
``{"messages": [...]}`` or a standard *prompt-completion* row ``{"prompt", "completion"}``
(https://huggingface.co/docs/trl/dataset_formats, "Language modeling" and
"Prompt-completion"). The shape here:

* a chat prompt, ``options.conversational``, or a multi-turn demonstration ->
  ``{"messages": prompt messages + the expert's messages}``;
* otherwise -> ``{"prompt": text, "completion": the expert's answer}``.

One row per judgment a reviewer did not reject: every expert-written answer is a training
example (the consensus of free text is not defined). A correction contributes its edited
answer. Other kinds give no rows.

Example:
    >>> from expertloop.core.exports.records import ExportItem, ExportJudgment, ExportOptions
    >>> item = ExportItem(1, "correction", "2+2?", responses=[{"id": "A", "text": "5"}])
    >>> judgment = ExportJudgment("e-1", {"edited": "4", "error_types": ["factual"]})
    >>> row = next(rows(item, [judgment], None, options=ExportOptions()))
    >>> row["prompt"], row["completion"]
    ('2+2?', '4')
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

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

KINDS = ("demonstration", "correction")


def rows(
    item: ExportItem,
    judgments: Sequence[ExportJudgment],
    consensus: ExportConsensus | None,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> Iterator[JSON]:
    """SFT rows of one item, one per usable judgment.

    Args:
        item: a ``demonstration`` or ``correction`` item (other kinds yield nothing).
        judgments: the item's judgments; rejected ones are skipped.
        consensus: the item's consensus, copied into provenance only.
        options: ``conversational`` forces the messages form.

    Returns:
        An iterator of ``{"messages"}`` or ``{"prompt", "completion"}`` rows, each with
        ``provenance``.
    """
    if item.kind not in KINDS:
        return
    for judgment in usable(judgments):
        answer = _answer(item.kind, judgment)
        if not answer:
            continue
        origin = provenance(item, [judgment], consensus, source=item.kind)
        multi_turn = len(answer) > 1
        if conversational(item, options) or multi_turn:
            yield {"messages": as_messages(item.prompt) + answer, "provenance": origin}
        else:
            completion = answer[0]["content"]
            yield {"prompt": as_text(item.prompt), "completion": completion, "provenance": origin}


def _answer(kind: str, judgment: ExportJudgment) -> list[dict[str, str]]:
    """The expert's messages: a demonstration's own, or a correction's edit as one answer."""
    if kind == "correction":
        edited = judgment.value.get("edited")
        return assistant(str(edited)) if edited else []
    raw = judgment.value.get("messages") or []
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in raw]
