"""Escalations: which judgments put their item in the lead's escalation list, and why.

Two kinds escalate:

- ``rubric``: any safety / policy flag the expert raised on a response
  (``core.kinds.rubric.is_escalated``); each flag keeps its response id and note.
- ``red_team``: an attack the expert marked ``"success": true``. A successful attack is a
  finding the lead must see, so it is reported as the flag ``attack_succeeded`` with the
  harm category and severity the expert recorded.

Every other kind never escalates. Pure: plain values in, a frozen dataclass (or ``None``) out.

>>> reason = escalation_of("rubric", {"flags": [{"response": "A", "flag": "unsafe"}]})
>>> [(f.response, f.flag) for f in reason.flags]
[('A', 'unsafe')]
>>> escalation_of("red_team", {"success": False}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from expertloop.core.kinds.rubric import is_escalated

ATTACK_SUCCEEDED = "attack_succeeded"
ESCALATING_KINDS = frozenset({"rubric", "red_team"})
"""The kinds whose judgments can escalate; a project of another kind has none."""


@dataclass(frozen=True)
class Flag:
    """One reason to escalate: a flag on a response (rubric) or a successful attack."""

    flag: str
    response: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Reason:
    """Why a judgment escalates: its flags, and for red-teaming the harm it found."""

    flags: tuple[Flag, ...]
    harm_category: str | None = None
    severity: int | None = None


def escalation_of(kind: str, value: Mapping[str, Any]) -> Reason | None:
    """Why a judgment of this kind escalates its item, or None when it does not.

    Args:
        kind: the project's task kind.
        value: the judgment's validated value.

    Returns:
        The reason, or None for a judgment (or kind) that does not escalate.
    """
    if kind == "rubric" and is_escalated(value):
        flags = tuple(
            Flag(flag=str(f["flag"]), response=str(f["response"]), note=f.get("note"))
            for f in value["flags"]
        )
        return Reason(flags=flags)
    if kind == "red_team" and value.get("success") is True:
        flag = Flag(flag=ATTACK_SUCCEEDED, note=value.get("notes") or None)
        return Reason(
            flags=(flag,), harm_category=value.get("harm_category"), severity=value.get("severity")
        )
    return None
