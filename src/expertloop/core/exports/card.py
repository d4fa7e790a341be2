"""A Markdown dataset card for an export, summarised from its rows as they stream past.

``CardSummary.update(row)`` reads one exported row (any format) and keeps counters only, so a
summary costs constant memory in the number of rows (it grows with the number of distinct
experts, tracks and guideline versions, never with items). ``dataset_card(summary)`` renders a
Hugging Face dataset card: YAML front matter (``license``, ``tags``) then counts, label or
preference balance, agreement, the expert panel by track and background attribute, guideline
versions, the licence and the TRL trainer the format suits
(https://huggingface.co/docs/hub/datasets-cards; TRL types from
https://huggingface.co/docs/trl/dataset_formats).

Items are counted when ``provenance.item_id`` changes from one row to the next: exports stream
rows grouped by item, and counting that way needs no set of seen ids.

Example:
    >>> summary = CardSummary(name="demo", format="kto", license="cc-by-4.0")
    >>> summary.update({"prompt": "Q", "completion": "A", "label": True,
    ...                 "provenance": {"item_id": 1, "experts": [], "agreement": 0.5}})
    >>> card = dataset_card(summary)
    >>> "KTOTrainer" in card and "license: cc-by-4.0" in card
    True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from expertloop.core.exports.common import is_chat

# format -> (TRL dataset type, trainers that read it)
FORMATS = {
    "sft": ("prompt-completion / language modelling", "SFTTrainer"),
    "preference": ("preference", "DPOTrainer; RewardTrainer (with the margin column)"),
    "kto": ("unpaired preference", "KTOTrainer"),
    "stepwise": ("stepwise supervision", "PRMTrainer"),
    "raw": ("raw judgments and consensus (not a TRL type)", "none: audit and re-aggregation"),
}
TEXT_COLUMNS = ("messages", "prompt", "completion", "chosen", "rejected")


@dataclass
class CardSummary:
    """Running counts over an export's rows (an accumulator: ``update`` changes it in place)."""

    name: str
    format: str
    license: str = "other"
    description: str = ""
    rows: int = 0
    items: int = 0
    conversational: int = 0
    balance: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    guideline_versions: Counter[str] = field(default_factory=Counter)
    experts: dict[str, frozenset[str]] = field(default_factory=dict)
    attributes: Counter[tuple[str, str]] = field(default_factory=Counter)
    agreement_sum: float = 0.0
    agreement_count: int = 0
    confidence_sum: float = 0.0
    confidence_count: int = 0
    adjudicated: int = 0
    last_item: Any = None

    def update(self, row: Mapping[str, Any]) -> None:
        """Count one exported row; its ``provenance`` feeds the panel and agreement figures."""
        origin: Mapping[str, Any] = row.get("provenance") or {}
        self.rows += 1
        if self.rows == 1 or origin.get("item_id") != self.last_item:
            self.items += 1
            self.last_item = origin.get("item_id")
        for column in TEXT_COLUMNS:
            value = row.get(column)
            if value is not None and value.__class__ is not str and is_chat(value):
                self.conversational += 1
                break
        balance = _balance(row, origin)
        if balance:
            self.balance.update(balance)
        if origin.get("source"):
            self.sources[str(origin["source"])] += 1
        for version in origin.get("guideline_versions") or ():
            self.guideline_versions[str(version)] += 1
        for expert in origin.get("experts") or ():
            self._add_expert(expert)
        self._update_consensus(origin)

    def merge(self, later: CardSummary) -> None:
        """Add the counts of the rows that follow these, counted apart (an export written in
        parts); the sums of agreement and confidence are added as sums, which may differ
        from a row-by-row sum in the last bit."""
        self.rows += later.rows
        self.items += later.items
        self.conversational += later.conversational
        for mine, theirs in (
            (self.balance, later.balance),
            (self.sources, later.sources),
            (self.guideline_versions, later.guideline_versions),
        ):
            mine.update(theirs)
        for name, tracks in later.experts.items():
            known = self.experts.get(name)
            self.experts[name] = tracks if known is None else known | tracks
        self.agreement_sum += later.agreement_sum
        self.agreement_count += later.agreement_count
        self.confidence_sum += later.confidence_sum
        self.confidence_count += later.confidence_count
        self.adjudicated += later.adjudicated
        if later.items:
            self.last_item = later.last_item

    def _add_expert(self, expert: Mapping[str, Any]) -> None:
        known = self.experts.get(expert["id"])
        tracks = expert.get("tracks") or ()
        if known is None:
            self.experts[expert["id"]] = frozenset(tracks)
        elif tracks and not known.issuperset(tracks):
            self.experts[expert["id"]] = known | frozenset(tracks)

    def add_panel(self, attributes: Mapping[str, str]) -> None:
        """Count one panel expert's background attributes (region, sector, ...), once each."""
        self.attributes.update((str(k), str(v)) for k, v in attributes.items())

    def _update_consensus(self, origin: Mapping[str, Any]) -> None:
        if isinstance(origin.get("agreement"), int | float):
            self.agreement_sum += float(origin["agreement"])
            self.agreement_count += 1
        if isinstance(origin.get("confidence"), int | float):
            self.confidence_sum += float(origin["confidence"])
            self.confidence_count += 1
        if origin.get("adjudicated") is True:
            self.adjudicated += 1


def _balance(row: Mapping[str, Any], origin: Mapping[str, Any]) -> dict[str, int] | None:
    """What a row adds to the label or preference balance (None: nothing)."""
    if isinstance(row.get("label"), bool):
        return {"desirable" if row["label"] else "undesirable": 1}
    if isinstance(row.get("labels"), list):
        return Counter("correct step" if label else "wrong step" for label in row["labels"])
    if "chosen" in row and origin.get("chosen") is not None:
        return {f"chosen {origin['chosen']}": 1}
    if "type" in row:
        return {f"{row['type']} rows": 1}
    return None


def dataset_card(summary: CardSummary) -> str:
    """The Markdown dataset card of an export.

    Args:
        summary: the counts gathered while the rows streamed.

    Returns:
        The card: YAML front matter then sections; figures with no data read ``n/a``.
    """
    kind, trainer = FORMATS.get(summary.format, ("unknown", "unknown"))
    parts = [
        f"---\nlicense: {summary.license}\ntags:\n- trl\n- expertloop\n- {summary.format}\n---",
        f"# {summary.name}",
        summary.description,
        f"## Format\n\n- expertloop format: `{summary.format}`\n- TRL dataset type: {kind}\n"
        f"- suits: {trainer}\n"
        f"- conversational rows: {summary.conversational} of {summary.rows}",
        f"## Counts\n\n| rows | items | experts |\n|---|---|---|\n"
        f"| {summary.rows} | {summary.items} | {len(summary.experts)} |",
        "## Balance\n\n" + _table(("value", "rows"), sorted(summary.balance.items())),
        "## Sources\n\n" + _table(("task kind", "rows"), sorted(summary.sources.items())),
        _agreement(summary),
        _panel(summary),
        "## Guideline versions\n\n"
        + _table(("version", "rows"), sorted(summary.guideline_versions.items())),
        "## Provenance\n\nEvery row has a `provenance` column: pseudonymous expert ids with their"
        " tracks, guideline versions, active seconds, and the consensus confidence, agreement,"
        " state and adjudication outcome.",
        f"## Licence\n\n{summary.license}",
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _agreement(summary: CardSummary) -> str:
    agreement = _mean(summary.agreement_sum, summary.agreement_count)
    confidence = _mean(summary.confidence_sum, summary.confidence_count)
    return (
        f"## Agreement\n\n- mean agreement: {agreement}\n- mean consensus confidence:"
        f" {confidence}\n- adjudicated rows: {summary.adjudicated}"
    )


def _panel(summary: CardSummary) -> str:
    tracks = Counter(track for held in summary.experts.values() for track in held)
    by_track = _table(("track", "experts"), sorted(tracks.items()))
    attributes = summary.attributes.items()
    rows = sorted((f"{name}: {value}", count) for (name, value), count in attributes)
    by_attribute = _table(("attribute", "experts"), rows)
    return f"## Expert panel\n\n### By track\n\n{by_track}\n\n### By attribute\n\n{by_attribute}"


def _mean(total: float, count: int) -> str:
    return f"{total / count:.3f}" if count else "n/a"


def _table(header: tuple[str, str], rows: list[tuple[str, int]]) -> str:
    if not rows:
        return "n/a"
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| {_cell(name)} | {count} |" for name, count in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """A value safe inside a Markdown table cell: pipes escaped, one line."""
    return " ".join(text.replace("|", "\\|").split())
