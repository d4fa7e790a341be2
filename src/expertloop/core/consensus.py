"""From a project's judgments to each item's consensus, and what adaptive overlap does next.

``compute_consensus`` turns judgment values of one kind into the input of the project's
aggregation method, runs it once over the whole project (so every expert's reliability is
measured on all their work), and returns each item's answer, confidence and detail, plus each
expert's reliability. ``decide`` turns an item's confidence into a ``ConsensusState`` and says
whether another slot should open.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from expertloop.core.aggregation.answers import Answers, LabelResult
from expertloop.core.aggregation.bradley_terry import BradleyTerry, Comparisons
from expertloop.core.aggregation.dawid_skene import DawidSkene
from expertloop.core.aggregation.glad import GLAD
from expertloop.core.aggregation.mace import MACE
from expertloop.core.aggregation.majority_vote import MajorityVote
from expertloop.core.aggregation.one_coin import OneCoinDawidSkene
from expertloop.core.aggregation.rating_means import RatingMeans, Ratings
from expertloop.core.aggregation.steps import StepAggregation, StepJudgment
from expertloop.core.lifecycles import ConsensusState
from expertloop.core.quality_policy import OverlapRules


@dataclass(frozen=True)
class Vote:
    """One judgment as aggregation reads it (a reviewer's revision already applied)."""

    item_id: int
    expert_id: int
    value: dict[str, Any]


@dataclass(frozen=True)
class ItemConsensus:
    """An item's aggregate answer (a value of the project's kind), its confidence in [0, 1],
    how many judgments it rests on, and method-specific detail (e.g. the answer shares)."""

    value: dict[str, Any]
    confidence: float
    judgments: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectConsensus:
    """Every item's consensus and every expert's reliability (0 to 1) by ``method``."""

    method: str
    items: dict[int, ItemConsensus]
    reliability: dict[int, float]


LabelFit = Callable[[Answers], LabelResult]


def _id(name: Hashable) -> int:
    """An item or expert id that went through an aggregator's names."""
    return int(cast(int, name))


def label_fit(method: str, rng: np.random.Generator) -> LabelFit:
    """The fit function of a label method by its short name (``ds``, ``mv``, ...).

    Raises:
        ValueError: an unknown method name.
    """
    factories: dict[str, Callable[[], LabelFit]] = {
        "mv": lambda: MajorityVote().fit,
        "ds": lambda: DawidSkene().fit,
        "onecoin": lambda: OneCoinDawidSkene().fit,
        "glad": lambda: GLAD().fit,
        "mace": lambda: MACE(rng=rng).fit,
    }
    if method not in factories:
        raise ValueError(f"unknown label method {method!r}; one of {', '.join(factories)}")
    return factories[method]()


def answer_key(kind: str, value: dict[str, Any]) -> Hashable:
    """The class a label-like judgment votes for."""
    if kind == "label":
        return tuple(sorted(value["labels"]))
    if kind == "pairwise":
        return str(value["choice"])
    return (value["verdict"], value.get("correction"))


def key_value(kind: str, key: Any) -> dict[str, Any]:
    """The judgment value a class stands for (the inverse of ``answer_key``)."""
    if kind == "label":
        return {"labels": list(key)}
    if kind == "pairwise":
        return {"choice": key}
    return {"verdict": key[0], "correction": key[1]}


def _label_consensus(
    kind: str, votes: Sequence[Vote], method: str, rng: np.random.Generator
) -> ProjectConsensus:
    answers = Answers.from_rows((v.expert_id, v.item_id, answer_key(kind, v.value)) for v in votes)
    result = label_fit(method, rng)(answers)
    counts = np.bincount(answers.tasks, minlength=answers.n_tasks)
    items = {}
    for task, item_id in enumerate(answers.task_names):
        shares = {
            _key_text(answers.label_names[label]): round(float(p), 4)
            for label, p in enumerate(result.posteriors[task])
            if p >= 0.0001
        }
        items[_id(item_id)] = ItemConsensus(
            value=key_value(kind, answers.label_names[int(result.labels[task])]),
            confidence=float(result.confidence[task]),
            judgments=int(counts[task]),
            detail={"posterior": shares},
        )
    skills = {_id(w): float(s) for w, s in zip(answers.worker_names, result.skills, strict=True)}
    return ProjectConsensus(method, items, skills)


def _key_text(key: Hashable) -> str:
    if isinstance(key, tuple):
        return "+".join("" if part is None else str(part) for part in key)
    return str(key)


def _ranking_consensus(votes: Sequence[Vote]) -> ProjectConsensus:
    """Per item, Bradley-Terry over the pairs each expert's ranking implies."""
    by_item: dict[int, list[Vote]] = defaultdict(list)
    for vote in votes:
        by_item[vote.item_id].append(vote)
    items = {}
    for item_id, item_votes in by_item.items():
        rows = [row for vote in item_votes for row in _ranking_pairs(vote.value["ranking"])]
        fit = BradleyTerry().fit(Comparisons.from_rows(rows))
        order = fit.order()
        confidence = fit.win_probability(int(order[0]), int(order[1])) if len(order) > 1 else 1.0
        ranking = [[str(fit.item_names[int(code)])] for code in order]
        scores = {
            str(name): round(float(s), 4)
            for name, s in zip(fit.item_names, fit.scores, strict=True)
        }
        items[item_id] = ItemConsensus(
            {"ranking": ranking}, float(confidence), len(item_votes), {"scores": scores}
        )
    return ProjectConsensus("bt", items, {})


def _ranking_pairs(groups: Sequence[Sequence[str]]) -> list[tuple[str, str, str]]:
    rows = []
    for better_index, better in enumerate(groups):
        for worse_index in range(better_index, len(groups)):
            for left in better:
                for right in groups[worse_index]:
                    if left < right or worse_index != better_index:
                        winner = "tie" if worse_index == better_index else "left"
                        rows.append((left, right, winner))
    return rows


def _rating_consensus(votes: Sequence[Vote]) -> ProjectConsensus:
    """Bias-corrected means per (item, response, criterion); confidence is the chance the
    rounded mean is the true score (normal approximation), least over the item's scores."""
    rows = [
        (vote.expert_id, (vote.item_id, response, criterion), float(entry["score"]))
        for vote in votes
        for response, criteria in vote.value["scores"].items()
        for criterion, entry in criteria.items()
    ]
    fit = RatingMeans().fit(Ratings.from_rows(rows))
    scores: dict[int, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    confidence: dict[int, float] = defaultdict(lambda: 1.0)
    for name, mean, error in zip(fit.item_names, fit.means, fit.standard_errors, strict=True):
        item_id, response, criterion = cast(tuple[int, str, str], name)
        scores[item_id][response][criterion] = round(float(mean), 3)
        sure = math.erf(0.5 / (float(error) * math.sqrt(2))) if error > 0 else 1.0
        confidence[item_id] = min(confidence[item_id], sure)
    judged = _counts(votes)
    items = {
        item_id: ItemConsensus(
            {"scores": {r: dict(c) for r, c in by_response.items()}},
            confidence[item_id],
            judged[item_id],
        )
        for item_id, by_response in scores.items()
    }
    reliability = {
        _id(w): float(r) for w, r in zip(fit.worker_names, fit.reliabilities, strict=True)
    }
    return ProjectConsensus("means", items, reliability)


def _counts(votes: Sequence[Vote]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for vote in votes:
        counts[vote.item_id] += 1
    return counts


def _steps_consensus(votes: Sequence[Vote]) -> ProjectConsensus:
    judgments = [
        StepJudgment(
            worker=vote.expert_id,
            item=vote.item_id,
            labels=tuple(step["label"] for step in vote.value["steps"]),
        )
        for vote in votes
    ]
    fit = StepAggregation().fit(judgments)
    judged = _counts(votes)
    items = {
        _id(steps.item): ItemConsensus(
            {"first_error": steps.first_error},
            float(steps.confidence),
            judged[_id(steps.item)],
            {"wrong": [round(p, 4) for p in steps.wrong]},
        )
        for steps in fit.items
    }
    reliability = {_id(w): float(s) for w, s in fit.skills.items()}
    return ProjectConsensus("steps", items, reliability)


def compute_consensus(
    kind: str, votes: Sequence[Vote], *, method: str, rng: np.random.Generator
) -> ProjectConsensus:
    """Aggregate one project's votes (inputs are not modified).

    Args:
        kind: the project's task kind; ``method``: one of ``METHODS_BY_KIND[kind]``.
        votes: the judgments that count (gold items and rejected judgments left out).
        rng: the random generator methods with restarts draw from (MACE).

    Returns:
        Each judged item's consensus and each expert's reliability.

    Raises:
        ValueError: a kind without consensus, or an unknown method.
    """
    if not votes:
        return ProjectConsensus(method, {}, {})
    if kind in ("label", "pairwise", "verify"):
        return _label_consensus(kind, votes, method, rng)
    if kind == "ranking":
        return _ranking_consensus(votes)
    if kind == "rubric":
        return _rating_consensus(votes)
    if kind == "step_review":
        return _steps_consensus(votes)
    raise ValueError(f"{kind} projects have no consensus to compute")


@dataclass(frozen=True)
class Decision:
    """Where an item's consensus stands and whether to open one more slot for it."""

    state: ConsensusState
    open_slot: bool = False


def decide(
    *, confidence: float, judgments: int, overlap: int, rules: OverlapRules | None
) -> Decision:
    """The consensus state of an item judged ``judgments`` times out of its ``overlap``.

    Fixed overlap: agreed once every slot is judged. Adaptive: agreed when the confidence
    reaches the target; below it, one more slot while ``overlap < k_max``, else disputed.

    Example:
        >>> rules = OverlapRules(k_min=2, k_max=3, target=0.9)
        >>> decide(confidence=0.6, judgments=2, overlap=2, rules=rules)
        Decision(state=<ConsensusState.OPEN: 'open'>, open_slot=True)
        >>> decide(confidence=0.6, judgments=3, overlap=3, rules=rules).state.value
        'disputed'
    """
    if judgments < overlap:
        return Decision(ConsensusState.OPEN)
    if rules is None or confidence >= rules.target:
        return Decision(ConsensusState.AGREED)
    if overlap < rules.k_max:
        return Decision(ConsensusState.OPEN, open_slot=True)
    return Decision(ConsensusState.DISPUTED)
