"""The shared input and output of the label aggregators.

``Answers`` holds one row per (worker, task, label) judgment as integer codes in numpy arrays,
with the names those codes stand for. Every label method takes it and returns a ``LabelResult``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def encode(
    values: Iterable[Hashable], known: Iterable[Hashable] = ()
) -> tuple[list[Hashable], IntArray]:
    """Names (``known`` first, then the others in first-seen order) and each value's code.

    Example:
        >>> encode(["b", "a", "b"])
        (['b', 'a'], array([0, 1, 0]))
        >>> encode(["b", "a"], known=["a", "z"])
        (['a', 'z', 'b'], array([2, 0]))
    """
    values = list(values)
    names = list(dict.fromkeys([*known, *dict.fromkeys(values)]))
    lookup = dict(zip(names, range(len(names)), strict=True))
    codes = np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values))
    return names, codes


def _last_of_each(keys: IntArray) -> IntArray | None:
    """Row indices keeping the last row of each repeated key, in row order; None when no
    key repeats (the common case, checked without a Python loop)."""
    _, last_from_end = np.unique(keys[::-1], return_index=True)
    if len(last_from_end) == len(keys):
        return None
    return np.sort(len(keys) - 1 - last_from_end)


@dataclass(frozen=True)
class Answers:
    """Judgments as codes: row ``r`` says worker ``workers[r]`` gave task ``tasks[r]`` the label
    ``labels[r]``. ``*_names[code]`` is what a code stands for.

    A worker answers a task at most once; ``from_rows`` keeps the last of repeated answers.
    ``label_names`` may list labels nobody chose (a project's full label set).
    """

    workers: IntArray
    tasks: IntArray
    labels: IntArray
    worker_names: list[Hashable]
    task_names: list[Hashable]
    label_names: list[Hashable]

    @property
    def n_workers(self) -> int:
        return len(self.worker_names)

    @property
    def n_tasks(self) -> int:
        return len(self.task_names)

    @property
    def n_labels(self) -> int:
        return len(self.label_names)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[Hashable, Hashable, Hashable]],
        *,
        labels: Iterable[Hashable] = (),
    ) -> Answers:
        """Build from ``(worker, task, label)`` rows; ``labels`` fixes the order of label codes
        (any label not listed there is appended in first-seen order).

        Example:
            >>> answers = Answers.from_rows([("w1", "t1", "a"), ("w2", "t1", "b")])
            >>> answers.n_workers, answers.n_tasks, answers.label_names
            (2, 1, ['a', 'b'])
        """
        columns = list(zip(*rows, strict=True)) or [(), (), ()]
        worker_names, workers = encode(columns[0])
        task_names, tasks = encode(columns[1])
        label_names, label_codes = encode(columns[2], labels)
        keep = _last_of_each(workers * max(len(task_names), 1) + tasks)
        if keep is not None:
            workers, tasks, label_codes = workers[keep], tasks[keep], label_codes[keep]
        return cls(workers, tasks, label_codes, worker_names, task_names, label_names)


@dataclass(frozen=True)
class LabelResult:
    """What a label method inferred.

    ``posteriors[t, l]`` is the probability that task ``t``'s true label is ``l`` (rows sum to
    1); ``labels[t]`` its argmax (ties go to the lowest code) and ``confidence[t]`` its
    probability. ``skills[w]`` is the method's own reliability figure for worker ``w`` (for
    Dawid-Skene and relatives: the probability of answering correctly, weighted by the class
    priors), between 0 and 1.
    """

    posteriors: FloatArray
    skills: FloatArray
    method: str
    iterations: int = 0
    converged: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    """Method-specific estimates (confusion matrices, difficulties, priors)."""

    @property
    def labels(self) -> IntArray:
        return np.asarray(self.posteriors.argmax(axis=1), dtype=np.int64)

    @property
    def confidence(self) -> FloatArray:
        return np.asarray(self.posteriors.max(axis=1), dtype=np.float64)
