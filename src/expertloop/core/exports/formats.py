"""The export formats by name: which task kinds each serves and the function that shapes rows.

Example:
    >>> sorted(FORMATS)
    ['kto', 'preference', 'raw', 'sft', 'stepwise']
    >>> formats_for_kind("pairwise")
    ['kto', 'preference', 'raw']
    >>> get_format("dpo").name
    'preference'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from expertloop.core.errors import FieldError, invalid
from expertloop.core.exports import kto, preference, raw, sft, stepwise
from expertloop.core.exports.common import JSON
from expertloop.core.exports.records import (
    ExportConsensus,
    ExportItem,
    ExportJudgment,
    ExportOptions,
)

RowsFn = Callable[..., Iterator[JSON]]
"""``rows(item, judgments, consensus, *, options)`` of one format module."""

ALL_KINDS = (
    "label",
    "pairwise",
    "ranking",
    "rubric",
    "demonstration",
    "correction",
    "step_review",
    "red_team",
    "verify",
    "cluster_review",
)


@dataclass(frozen=True)
class ExportFormat:
    """A named export format: the kinds it serves and its row shaper."""

    name: str
    kinds: tuple[str, ...]
    shape: RowsFn
    description: str

    def rows(
        self,
        item: ExportItem,
        judgments: Sequence[ExportJudgment],
        consensus: ExportConsensus | None,
        options: ExportOptions,
    ) -> Iterator[JSON]:
        """The rows of one item in this format."""
        return self.shape(item, judgments, consensus, options=options)


FORMATS: dict[str, ExportFormat] = {
    "sft": ExportFormat(
        "sft", sft.KINDS, sft.rows, "SFT: messages, or prompt and completion (SFTTrainer)"
    ),
    "preference": ExportFormat(
        "preference",
        ("pairwise", "ranking", "correction"),
        preference.rows,
        "preference: prompt, chosen, rejected; margin for reward models (DPOTrainer, "
        "RewardTrainer)",
    ),
    "kto": ExportFormat(
        "kto",
        ("pairwise", "rubric"),
        kto.rows,
        "unpaired preference: prompt, completion, label (KTOTrainer)",
    ),
    "stepwise": ExportFormat(
        "stepwise",
        ("step_review",),
        stepwise.rows,
        "stepwise supervision: prompt, completions, labels (PRMTrainer)",
    ),
    "raw": ExportFormat(
        "raw", ALL_KINDS, raw.rows, "raw judgments and consensus, every kind (not a TRL type)"
    ),
}
ALIASES = {"dpo": "preference", "reward": "preference", "prm": "stepwise", "messages": "sft"}


def get_format(name: str) -> ExportFormat:
    """The format called ``name`` (or one of its aliases: dpo, reward, prm, messages).

    Raises:
        Invalid: ``export.invalid`` naming ``format`` and listing the formats.
    """
    found = FORMATS.get(ALIASES.get(name, name))
    if found is None:
        names = ", ".join(sorted(FORMATS))
        raise invalid(
            "export.invalid", [FieldError("format", f"unknown format {name!r}; use {names}")]
        )
    return found


def formats_for_kind(kind: str) -> list[str]:
    """The formats a project of ``kind`` can be exported in, sorted."""
    return sorted(name for name, fmt in FORMATS.items() if kind in fmt.kinds)
