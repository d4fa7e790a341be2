"""``verify``: the expert accepts, rejects or corrects a model's prediction.

Spec: ``{"labels": ["..."] | null, "min_rationale_chars": 0}``; when ``labels`` is given (1 to
200 distinct names), a correction must be one of them. The prediction itself may fall outside
the set: that is a reason to correct it, not to refuse the item.

Item: ``data.prediction``: ``{"label": "...", "model": "optional", "confidence": 0..1
optional}``; the prompt is the input the model saw. Responses are not used.

Value: ``{"verdict": "accept" | "reject" | "correct", "correction": "..."}``; ``correction``
is required exactly when the verdict is ``correct`` and must differ from the predicted label
(checked by ``check_value_against_item``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from expertloop.core.errors import FieldError
from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

VERDICTS = ("accept", "reject", "correct")
MAX_LABELS = 200
MAX_LABEL_CHARS = 1_000
PREDICTION_KEYS = {"label", "model", "confidence"}


class VerifyKind(BaseKind):
    """A verdict on one model prediction, with a correction when it is wrong."""

    name = "verify"
    checks_value_against_item = True

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        check.unknown_keys(spec, {"labels", "min_rationale_chars"}, "spec")
        labels = None
        if spec.get("labels") is not None:
            labels = check.names(
                spec, "labels", "spec", (), sizes=(1, MAX_LABELS), max_chars=MAX_LABEL_CHARS
            )
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {"labels": labels, "min_rationale_chars": minimum}

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        check = Checker("items.invalid")
        check.unknown_keys(data, {"prediction"}, "data")
        prediction = data.get("prediction")
        if not isinstance(prediction, Mapping):
            check.fail("data.prediction", "must be an object {label, model, confidence}")
            return check.errors
        check.unknown_keys(prediction, PREDICTION_KEYS, "data.prediction")
        check.text(
            prediction.get("label"),
            "data.prediction.label",
            max_chars=MAX_LABEL_CHARS,
            min_chars=1,
        )
        if prediction.get("model") is not None:
            check.text(prediction["model"], "data.prediction.model", max_chars=200, min_chars=1)
        if prediction.get("confidence") is not None:
            check.number(prediction["confidence"], "data.prediction.confidence", 0, 1)
        return check.errors

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"verdict", "correction"}, "value")
        verdict = value.get("verdict")
        if verdict not in VERDICTS:
            check.fail("value.verdict", "must be accept, reject or correct")
        correction = value.get("correction")
        if verdict == "correct":
            correction = check.text(
                correction, "value.correction", max_chars=MAX_LABEL_CHARS, min_chars=1
            )
            labels = spec["labels"]
            if correction is not None and labels is not None and correction not in labels:
                check.fail("value.correction", f"must be one of {', '.join(labels)}")
        elif correction is not None:
            check.fail("value.correction", "is given only with the verdict correct")
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"verdict": verdict, "correction": correction}

    def check_value_against_item(
        self, spec: JSON, value: JSON, responses: list[JSON], data: JSON
    ) -> list[FieldError]:
        predicted = data.get("prediction", {}).get("label")
        if value["verdict"] == "correct" and value["correction"] == predicted:
            return [FieldError("value.correction", "must differ from the prediction")]
        return []
