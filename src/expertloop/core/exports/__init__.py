"""Export shaping: items, judgments and consensus to training-ready rows (TRL dataset types).

One module per format, each with ``rows(item, judgments, consensus, *, options)``: ``sft``,
``preference`` (DPO / reward), ``kto``, ``stepwise`` (PRM) and ``raw``; ``card`` writes the
dataset card. Inputs are the plain dataclasses of ``records``.
"""
