"""Pseudonyms, chat detection and provenance shared by every export format."""

from __future__ import annotations

from typing import Any

import pytest
from export_data import CHAT, consensus, item, judgment

from expertloop.core.exports.common import as_messages, as_text, is_chat, provenance, usable
from expertloop.core.exports.records import pseudonym


def test_pseudonym_is_stable_keyed_and_short() -> None:
    first = pseudonym(42, "salt")
    assert first == pseudonym(42, b"salt")
    assert first != pseudonym(42, "pepper")
    assert first != pseudonym(43, "salt")
    assert first.startswith("e-") and len(first) == 14
    int(first[2:], 16)


def test_pseudonym_rejects_a_long_salt() -> None:
    with pytest.raises(ValueError):
        pseudonym(1, b"x" * 65)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (CHAT, True),
        ([{"role": "assistant", "content": "x"}], True),
        ("text", False),
        ([], False),
        ([{"role": "user"}], False),
        ([{"role": "user", "content": "x"}, "loose"], False),
        ({"role": "user", "content": "x"}, False),
        (None, False),
    ],
)
def test_is_chat_detects_role_content_lists(value: Any, expected: bool) -> None:
    assert is_chat(value) is expected


def test_prompt_helpers_copy_and_join() -> None:
    messages = as_messages(CHAT)
    assert messages == CHAT and messages is not CHAT and messages[0] is not CHAT[0]
    assert as_messages("Hi") == [{"role": "user", "content": "Hi"}]
    assert as_text(CHAT) == "Be brief.\n\nCapital of France?"


def test_usable_drops_rejected_judgments_only() -> None:
    kept = [
        judgment("e-1", {}, review_state=None),
        judgment("e-2", {}, review_state="accepted"),
        judgment("e-4", {}, review_state="revised"),
    ]
    assert usable([*kept, judgment("e-3", {}, review_state="rejected")]) == kept


def test_provenance_summarises_the_panel_and_consensus() -> None:
    votes = [
        judgment("e-1", {}, tracks=("stem", "coding"), guideline_version=2, active_seconds=10),
        judgment("e-2", {}, tracks=("stem",), guideline_version=3, active_seconds=5.5),
    ]
    agreed = consensus({}, adjudicated=True, state="adjudicated")
    origin = provenance(item("pairwise"), votes, agreed, source="pairwise")
    assert origin == {
        "item_id": 11,
        "external_id": "ext-11",
        "kind": "pairwise",
        "experts": [
            {"id": "e-1", "tracks": ["coding", "stem"], "guideline_version": 2,
             "active_seconds": 10.0},
            {"id": "e-2", "tracks": ["stem"], "guideline_version": 3, "active_seconds": 5.5},
        ],
        "tracks": ["coding", "stem"],
        "guideline_versions": [2, 3],
        "active_seconds": 15.5,
        "judgments": 2,
        "confidence": 0.9,
        "agreement": 0.75,
        "consensus_state": "adjudicated",
        "method": "test",
        "adjudicated": True,
        "source": "pairwise",
    }  # fmt: skip


def test_provenance_without_consensus_has_none_figures() -> None:
    origin = provenance(item("label"), [], None)
    assert origin["confidence"] is None and origin["agreement"] is None
    assert origin["adjudicated"] is None and origin["experts"] == []
