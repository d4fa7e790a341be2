"""The registry of task kinds. ``get_kind`` raises for a kind that does not exist."""

from __future__ import annotations

from expertloop.core.errors import FieldError, invalid
from expertloop.core.kinds.base import TaskKind
from expertloop.core.kinds.cluster_review import ClusterReviewKind
from expertloop.core.kinds.correction import CorrectionKind
from expertloop.core.kinds.demonstration import DemonstrationKind
from expertloop.core.kinds.label import LabelKind
from expertloop.core.kinds.pairwise import PairwiseKind
from expertloop.core.kinds.ranking import RankingKind
from expertloop.core.kinds.red_team import RedTeamKind
from expertloop.core.kinds.rubric import RubricKind
from expertloop.core.kinds.step_review import StepReviewKind
from expertloop.core.kinds.verify import VerifyKind

KINDS: dict[str, TaskKind] = {
    kind.name: kind
    for kind in (
        LabelKind(),
        PairwiseKind(),
        RankingKind(),
        RubricKind(),
        DemonstrationKind(),
        CorrectionKind(),
        StepReviewKind(),
        RedTeamKind(),
        VerifyKind(),
        ClusterReviewKind(),
    )
}


def get_kind(name: str) -> TaskKind:
    """The task kind called ``name``.

    Raises:
        Invalid: ``project.unknown_kind`` when no such kind exists.
    """
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise invalid(
            "project.unknown_kind",
            [FieldError(field="kind", message=f"unknown task kind {name!r}; known: {known}")],
        ) from None


__all__ = ["KINDS", "TaskKind", "get_kind"]
