"""Plain inputs of export shaping: an item, its judgments, its consensus, and the options.

The services layer loads these from the store and hands them to the per-format ``rows``
functions; nothing here touches a database, a clock or the environment. Expert ids arrive
already pseudonymous (``pseudonym``), so no row ever carries a real user id.

Example:
    >>> pseudonym(42, b"project-salt") == pseudonym(42, b"project-salt")
    True
    >>> pseudonym(42, b"project-salt") != pseudonym(42, b"other-salt")
    True
    >>> pseudonym(42, b"project-salt")[:2]
    'e-'
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Message = Mapping[str, str]
Prompt = str | Sequence[Message]

# 6 bytes (12 hex digits): with 10,000 experts the chance that two share a pseudonym is about
# 2e-7; the 3 bytes of a short id such as "e-3f9a1c" would collide with ~0.3 chance at 10,000.
PSEUDONYM_BYTES = 6


def pseudonym(expert_id: int | str, salt: bytes | str) -> str:
    """A stable pseudonymous expert id: a keyed BLAKE2b hash of the real id.

    Args:
        expert_id: the expert's user id.
        salt: the instance's (or export's) secret key; without it the id cannot be reversed
            by hashing every candidate id. At most 64 bytes (BLAKE2b's key size).

    Returns:
        ``"e-"`` followed by 12 hex digits; the same id and salt always give the same string.

    Raises:
        ValueError: when the salt is longer than 64 bytes.
    """
    key = salt.encode() if isinstance(salt, str) else salt
    digest = hashlib.blake2b(str(expert_id).encode(), key=key, digest_size=PSEUDONYM_BYTES)
    return f"e-{digest.hexdigest()}"


@dataclass(frozen=True)
class ExportItem:
    """An item as exports read it.

    ``kind`` is the project's task kind; ``prompt`` a text or chat messages
    ``[{"role", "content"}]``; ``responses`` ``[{"id", "text", "model"}]``.
    """

    item_id: int
    kind: str
    prompt: Prompt
    external_id: str | None = None
    responses: Sequence[Mapping[str, Any]] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportJudgment:
    """One expert's judgment of an item (a reviewer's revision already applied to ``value``).

    ``expert`` is a pseudonym; ``review_state`` is ``None`` when not reviewed, else the
    review verdict (``accepted``, ``rejected``, ``revised``); rejected judgments are never
    exported as training rows (``raw`` keeps them).
    """

    expert: str
    value: Mapping[str, Any]
    rationale: str = ""
    guideline_version: int = 1
    active_seconds: float = 0.0
    review_state: str | None = None
    tracks: Sequence[str] = ()
    created_at: datetime | None = None


@dataclass(frozen=True)
class ExportConsensus:
    """An item's consensus: an answer of the project's kind and how sure it is."""

    value: Mapping[str, Any]
    confidence: float
    state: str
    method: str
    agreement: float | None = None
    adjudicated: bool = False


@dataclass(frozen=True)
class ExportOptions:
    """How rows are shaped; every field has the documented default.

    Attributes:
        conversational: write prompt and answers as messages even when the prompt is a text.
        per_judgment: preference and KTO rows from each judgment instead of the consensus.
        margin: add TRL's reward-modelling ``margin`` column to preference rows.
        kto_threshold: a rubric response whose mean score reaches it is desirable.
        flagged_undesirable: a rubric response any expert flagged is undesirable (KTO).
        neutral_label: the stepwise label of a ``neutral`` step.
        after_error: ``drop`` the steps after the first wrong one, or ``keep`` them as False.
    """

    conversational: bool = False
    per_judgment: bool = False
    margin: bool = False
    kto_threshold: float = 4.0
    flagged_undesirable: bool = True
    neutral_label: bool = True
    after_error: Literal["drop", "keep"] = "drop"


DEFAULT_OPTIONS = ExportOptions()
