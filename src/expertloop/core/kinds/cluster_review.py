"""``cluster_review``: the expert judges a model-found cluster, names it, marks its outliers.

Spec: ``{"require_name": true, "min_rationale_chars": 0}``.

Item: ``data.members``: 2 to 500 ``{"id": "...", "text": "..."}`` with distinct ids, and an
optional ``data.proposed_name`` (the model's name for the cluster). Responses are not used.

Value: ``{"coherent": true | false, "name": "...", "outliers": ["<member id>", ...]}``;
``name`` is required when the cluster is coherent and the spec requires a name; ``outliers``
are distinct and must be members of the item (checked by ``check_value_against_item``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from expertloop.core.errors import FieldError
from expertloop.core.kinds.base import JSON, BaseKind, Checker, require_mapping

MIN_MEMBERS = 2
MAX_MEMBERS = 500
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 200
MAX_MEMBER_CHARS = 100_000


class ClusterReviewKind(BaseKind):
    """A verdict on one cluster: coherence, a name and the members that do not belong."""

    name = "cluster_review"
    checks_value_against_item = True

    def validate_spec(self, spec: Mapping[str, Any]) -> JSON:
        spec = require_mapping(spec, "project.invalid_spec", "spec")
        check = Checker("project.invalid_spec")
        check.unknown_keys(spec, {"require_name", "min_rationale_chars"}, "spec")
        require_name = check.flag(spec, "require_name", "spec", True)
        minimum = check.int_in(spec, "min_rationale_chars", "spec", 0, 10_000, 0)
        check.raise_if_any()
        return {"require_name": require_name, "min_rationale_chars": minimum}

    def check_item(self, spec: JSON, responses: list[JSON], data: JSON) -> list[FieldError]:
        check = Checker("items.invalid")
        check.unknown_keys(data, {"members", "proposed_name"}, "data")
        if data.get("proposed_name") is not None:
            check.text(
                data["proposed_name"], "data.proposed_name", max_chars=MAX_NAME_CHARS, min_chars=1
            )
        members = data.get("members")
        if not isinstance(members, list) or not MIN_MEMBERS <= len(members) <= MAX_MEMBERS:
            check.fail("data.members", f"must be a list of {MIN_MEMBERS} to {MAX_MEMBERS} members")
            return check.errors
        seen: set[str] = set()
        for index, member in enumerate(members):
            where = f"data.members[{index}]"
            if not isinstance(member, Mapping):
                check.fail(where, "must be an object {id, text}")
                continue
            check.unknown_keys(member, {"id", "text"}, where)
            member_id = check.text(
                member.get("id"), f"{where}.id", max_chars=MAX_ID_CHARS, min_chars=1
            )
            if member_id in seen:
                check.fail(f"{where}.id", f"repeats the id {member_id!r}")
            elif member_id is not None:
                seen.add(member_id)
            check.text(member.get("text"), f"{where}.text", max_chars=MAX_MEMBER_CHARS)
        return check.errors

    def validate_value(self, spec: JSON, value: Mapping[str, Any], rationale: str) -> JSON:
        value = require_mapping(value, "judgment.invalid_value", "value")
        check = Checker("judgment.invalid_value")
        check.unknown_keys(value, {"coherent", "name", "outliers"}, "value")
        coherent = check.flag(value, "coherent", "value", False)
        if "coherent" not in value:
            check.fail("value.coherent", "is required (true or false)")
        name = value.get("name")
        if name is not None:
            name = check.text(name, "value.name", max_chars=MAX_NAME_CHARS)
            name = name.strip() if name else None
        if coherent and spec["require_name"] and not name:
            check.fail("value.name", "name the cluster")
        outliers = _read_outliers(check, value.get("outliers", []))
        check.rationale(rationale, spec["min_rationale_chars"])
        check.raise_if_any()
        return {"coherent": coherent, "name": name or None, "outliers": outliers}

    def check_value_against_item(
        self, spec: JSON, value: JSON, responses: list[JSON], data: JSON
    ) -> list[FieldError]:
        members = {member["id"] for member in data.get("members", [])}
        return [
            FieldError(f"value.outliers[{index}]", f"{outlier!r} is not a member of the cluster")
            for index, outlier in enumerate(value["outliers"])
            if outlier not in members
        ]


def _read_outliers(check: Checker, raw: object) -> list[str]:
    if not isinstance(raw, list) or len(raw) > MAX_MEMBERS:
        check.fail("value.outliers", f"must be a list of at most {MAX_MEMBERS} member ids")
        return []
    outliers: list[str] = []
    for index, outlier in enumerate(raw):
        where = f"value.outliers[{index}]"
        if not isinstance(outlier, str) or not outlier.strip() or len(outlier) > MAX_ID_CHARS:
            check.fail(where, "must be a member id (a non-empty string)")
        elif outlier in outliers:
            check.fail(where, f"repeats the member {outlier!r}")
        else:
            outliers.append(outlier)
    return outliers
