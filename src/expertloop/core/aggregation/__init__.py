"""Truth inference: one algorithm per module, each ``Method(...).fit(data) -> result``.

Labels (``Answers`` in, ``LabelResult`` out): ``majority_vote``, ``dawid_skene``, ``one_coin``,
``glad``, ``mace``. Pairwise preferences: ``bradley_terry``. Rubric scores: ``rating_means``.
Step reviews: ``steps``. Inputs are never mutated; random generators are passed in.
"""
