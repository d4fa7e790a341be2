"""What the web tests share besides fixtures: hostile content and one case per task kind.

A module of its own (not ``conftest``) so that importing it by name is never ambiguous
between the ``conftest`` modules of different test folders.
"""

from __future__ import annotations

from typing import Any

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">raw link</a>',
    "<svg onload=alert(1)></svg><iframe src=javascript:alert(1)></iframe>",
    "![pic](javascript:alert(1)) <style>body{display:none}</style>",
    '"><script>alert(1)</script><p title="',
    "{{ 7+7 }} {% raw %} ${7+7}",
]
ODD_UNICODE = (
    "\u202eevil\u202c \u200b\u200d\ufeff e\u0301 \U0001f9ea "
    "\u0645\u0631\u062d\u0628\u0627 \u4f60\u597d \u0007"
)


def hostile_rows(kind: str, count: int = 1) -> list[dict[str, Any]]:
    """Items whose every text field tries to inject active content."""
    text = "\n\n".join(HOSTILE)
    rows = []
    for index in range(count):
        responses = [
            {"id": "A", "text": f"Answer A {ODD_UNICODE}\n\n{text}", "model": "<script>m</script>"},
            {"id": "B", "text": "huge " * 40_000 + text, "model": "m"},
        ]
        rows.append(
            {
                "external_id": f"hostile-{index}",
                "prompt": [
                    {"role": "system", "content": text},
                    {"role": "user", "content": f"Check this {ODD_UNICODE}\n\n{text}"},
                ],
                "context": text,
                "responses": responses if kind == "pairwise" else responses[:1],
            }
        )
    return rows


STEPS = ["Natalia sold 48 clips in April.", "In May she sold 48 / 2 = 24 clips.", "48 + 24 = 82."]
KIND_CASES: dict[str, dict[str, Any]] = {
    "ranking": {
        "spec": {"allow_ties": True},
        "row": {
            "prompt": "Explain **warfarin** and vitamin K interactions to a patient.",
            "responses": [
                {"id": "A", "text": "Eat no green vegetables at all."},
                {"id": "B", "text": "Keep your vitamin K intake *steady*; tell your clinic."},
                {"id": "C", "text": "Vitamin K has no effect on warfarin."},
            ],
        },
        "keys": ["move the focused response up / down", "tie it with the one above"],
    },
    "rubric": {
        "spec": {
            "criteria": [
                {
                    "id": "accuracy",
                    "name": "Accuracy",
                    "scale": {"min": 1, "max": 5},
                    "points": {"1": "dangerously wrong", "5": "fully correct"},
                },
                {"id": "clarity", "name": "Clarity", "scale": {"min": 1, "max": 3}},
            ],
            "flags": ["unsafe", "privacy_leak"],
        },
        "row": {
            "prompt": "Summarise the contraindications of metformin.",
            "responses": [{"id": "A", "text": "Severe renal impairment (eGFR < 30)."}],
        },
        "keys": ["score the focused criterion", "move between criteria"],
    },
    "verify": {
        "spec": {"labels": ["positive", "negative", "neutral"]},
        "row": {
            "prompt": "Review: *the battery died after two days*.",
            "data": {"prediction": {"label": "positive", "confidence": 0.71}},
        },
        "keys": ["accept", "reject", "correct: type the right label"],
    },
    "cluster_review": {
        "spec": {"require_name": True},
        "row": {
            "prompt": "Support tickets grouped by the model.",
            "data": {
                "proposed_name": "Login problems",
                "members": [
                    {"id": "t1", "text": "I cannot log in after the update."},
                    {"id": "t2", "text": "Password reset email never arrives."},
                    {"id": "t3", "text": "How do I export my invoices?"},
                ],
            },
        },
        "keys": ["coherent", "toggle an outlier", "edit the name"],
    },
    "step_review": {
        "spec": {"allow_neutral": True},
        "row": {"prompt": "How many clips did Natalia sell?", "data": {"steps": STEPS}},
        "keys": ["move between steps", "incorrect", "neutral"],
    },
    "correction": {
        "spec": {},
        "row": {
            "prompt": "What is the first-line treatment of anaphylaxis?",
            "responses": [{"id": "A", "text": "Oral antihistamines.\nThen observe."}],
        },
        "keys": ["edit the answer", "toggle an error type", "show the diff"],
    },
    "demonstration": {
        "spec": {},
        "row": {
            "prompt": [
                {"role": "system", "content": "You are a careful paediatric pharmacist."},
                {"role": "user", "content": "Dose of paracetamol for a 12 kg child?"},
            ],
        },
        "keys": ["write the answer"],
    },
    "red_team": {
        "spec": {},
        "row": {"prompt": "Probe whether the model gives **unsafe dosing** advice."},
        "keys": ["write the attack prompt", "fetch the reply live", "severity"],
    },
}


def hostile_case(kind: str) -> dict[str, Any]:
    """The kind's row with every text it shows replaced by injection attempts."""
    text = "\n\n".join(HOSTILE)
    row: dict[str, Any] = {**KIND_CASES[kind]["row"], "external_id": "hostile", "prompt": text}
    if "responses" in row:
        row["responses"] = [{**r, "text": f"{text} {ODD_UNICODE}"} for r in row["responses"]]
    data = dict(row.get("data", {}))
    if "steps" in data:
        data["steps"] = [text, ODD_UNICODE]
    if "members" in data:
        data["members"] = [{"id": "<b>x</b>", "text": text}, {"id": "m2", "text": ODD_UNICODE}]
        data["proposed_name"] = HOSTILE[0]
    if "prediction" in data:
        data["prediction"] = {"label": HOSTILE[1]}
    row["data"] = data
    return row
