"""Consensus per task kind on small data worked out by hand, and adaptive overlap's decisions."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from expertloop.core.consensus import (
    Decision,
    Vote,
    answer_key,
    compute_consensus,
    decide,
    key_value,
)
from expertloop.core.lifecycles import ConsensusState
from expertloop.core.quality_policy import OverlapRules

RNG = np.random.default_rng(0)


def label_votes(table: dict[int, list[str]]) -> list[Vote]:
    """{item: [label of expert 1, expert 2, ...]} as votes."""
    return [
        Vote(item, expert, {"labels": [label]})
        for item, labels in table.items()
        for expert, label in enumerate(labels, start=1)
    ]


@pytest.mark.parametrize("method", ["mv", "ds", "onecoin", "glad", "mace"])
def test_a_unanimous_label_is_the_consensus_with_high_confidence(method: str) -> None:
    votes = label_votes({1: ["yes", "yes", "yes"], 2: ["no", "no", "no"], 3: ["yes", "yes", "no"]})
    result = compute_consensus("label", votes, method=method, rng=np.random.default_rng(0))
    assert result.items[1].value == {"labels": ["yes"]}
    assert result.items[2].value == {"labels": ["no"]}
    assert result.items[3].value == {"labels": ["yes"]}
    assert result.items[1].confidence > result.items[3].confidence
    assert [result.items[i].judgments for i in (1, 2, 3)] == [3, 3, 3]
    assert set(result.reliability) == {1, 2, 3}


def test_dawid_skene_trusts_the_expert_who_agrees_with_the_others() -> None:
    # Experts 1 and 2 agree everywhere; expert 3 always says the opposite. On item 9 only
    # experts 2 and 3 answered and disagree: the reliable one wins.
    table = {i: ["yes", "yes", "no"] if i % 2 else ["no", "no", "yes"] for i in range(1, 9)}
    votes = [*label_votes(table), Vote(9, 2, {"labels": ["no"]}), Vote(9, 3, {"labels": ["yes"]})]
    result = compute_consensus("label", votes, method="ds", rng=RNG)
    assert result.items[9].value == {"labels": ["no"]}
    assert result.items[9].confidence > 0.9
    assert result.reliability[2] > 0.9 > 0.1 > result.reliability[3]
    assert result.items[9].detail["posterior"]["no"] > 0.9


def test_inputs_are_not_modified() -> None:
    votes = label_votes({1: ["yes", "no"], 2: ["no", "no"]})
    before = copy.deepcopy(votes)
    compute_consensus("label", votes, method="ds", rng=RNG)
    assert votes == before


@pytest.mark.parametrize(
    ("kind", "value", "key"),
    [
        ("label", {"labels": ["b", "a"]}, ("a", "b")),
        ("pairwise", {"choice": "A", "strength": 3}, "A"),
        ("verify", {"verdict": "correct", "correction": "spam"}, ("correct", "spam")),
    ],
)
def test_answer_keys_round_trip(kind: str, value: dict[str, object], key: object) -> None:
    assert answer_key(kind, value) == key
    assert answer_key(kind, key_value(kind, key)) == key


def test_pairwise_consensus_is_the_choice() -> None:
    votes = [
        Vote(1, 1, {"choice": "A", "strength": 2}),
        Vote(1, 2, {"choice": "A", "strength": 1}),
        Vote(1, 3, {"choice": "tie", "strength": None}),
    ]
    result = compute_consensus("pairwise", votes, method="mv", rng=RNG)
    assert result.items[1].value == {"choice": "A"}
    assert result.items[1].confidence == pytest.approx(2 / 3)


def test_ranking_consensus_orders_by_bradley_terry() -> None:
    votes = [
        Vote(1, 1, {"ranking": [["B"], ["A"], ["C"]]}),
        Vote(1, 2, {"ranking": [["B"], ["C"], ["A"]]}),
        Vote(1, 3, {"ranking": [["B", "A"], ["C"]]}),
    ]
    result = compute_consensus("ranking", votes, method="bt", rng=RNG)
    assert result.items[1].value["ranking"][0] == ["B"]
    assert [group[0] for group in result.items[1].value["ranking"]] == ["B", "A", "C"]
    assert 0.5 < result.items[1].confidence < 1


def test_rubric_consensus_corrects_a_generous_expert() -> None:
    votes = []
    for item in range(1, 13):
        truth = 1 + item % 5
        for expert, bias in ((1, 0), (2, 0), (3, 1)):
            score = {"score": truth + bias}
            votes.append(Vote(item, expert, {"scores": {"A": {"accuracy": score}}}))
    result = compute_consensus("rubric", votes, method="means", rng=RNG)
    means = [result.items[i].value["scores"]["A"]["accuracy"] for i in range(1, 13)]
    truths = [1 + i % 5 for i in range(1, 13)]
    plain = [t + 1 / 3 for t in truths]
    assert np.abs(np.array(means) - truths).mean() < np.abs(np.array(plain) - truths).mean()


def test_step_review_consensus_is_the_first_wrong_step() -> None:
    def steps(*labels: str) -> dict[str, object]:
        return {"steps": [{"label": label} for label in labels]}

    votes = [
        Vote(1, 1, steps("correct", "incorrect", "correct")),
        Vote(1, 2, steps("correct", "incorrect", "incorrect")),
        Vote(1, 3, steps("correct", "correct", "incorrect")),
        Vote(2, 1, steps("correct", "correct")),
        Vote(2, 2, steps("correct", "correct")),
    ]
    result = compute_consensus("step_review", votes, method="steps", rng=RNG)
    assert result.items[1].value == {"first_error": 1}
    assert result.items[2].value == {"first_error": -1}


def test_written_work_has_no_consensus() -> None:
    with pytest.raises(ValueError, match="no consensus"):
        compute_consensus("demonstration", [Vote(1, 1, {})], method="ds", rng=RNG)


RULES = OverlapRules(k_min=2, k_max=4, target=0.9)


@pytest.mark.parametrize(
    ("confidence", "judgments", "overlap", "rules", "expected"),
    [
        (0.99, 1, 2, RULES, Decision(ConsensusState.OPEN)),
        (0.95, 2, 2, RULES, Decision(ConsensusState.AGREED)),
        (0.60, 2, 2, RULES, Decision(ConsensusState.OPEN, open_slot=True)),
        (0.60, 3, 3, RULES, Decision(ConsensusState.OPEN, open_slot=True)),
        (0.60, 4, 4, RULES, Decision(ConsensusState.DISPUTED)),
        (0.90, 4, 4, RULES, Decision(ConsensusState.AGREED)),
        (0.30, 3, 3, None, Decision(ConsensusState.AGREED)),
        (0.30, 2, 3, None, Decision(ConsensusState.OPEN)),
    ],
)
def test_decide(
    confidence: float,
    judgments: int,
    overlap: int,
    rules: OverlapRules | None,
    expected: Decision,
) -> None:
    got = decide(confidence=confidence, judgments=judgments, overlap=overlap, rules=rules)
    assert got == expected
