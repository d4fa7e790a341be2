"""Demonstration and correction demo items: prompts to answer, and model answers to fix.

Each correction item carries one model answer with a specific, checkable flaw (a wrong
threshold, a missing step, an unsafe suggestion); the demo stores no corrected version.
"""

from __future__ import annotations

from typing import Any

DEMONSTRATION_PROMPTS: list[tuple[str, str, Any]] = [
    (
        "demo-med-01",
        "medicine",
        "Explain to a newly diagnosed patient with type 2 diabetes what an HbA1c of 58 mmol/mol "
        "means, what target to aim for, and what will happen at the next appointments.",
    ),
    (
        "demo-law-01",
        "law",
        "Draft a short, plain-language explanation for a small business owner of the "
        "difference between a data controller and a data processor under the GDPR, with one "
        "example of each from a bakery that takes online orders.",
    ),
    (
        "demo-finance-01",
        "finance",
        [
            {
                "role": "system",
                "content": "You are a careful assistant for a personal-finance education site.",
            },
            {
                "role": "user",
                "content": "What is the difference between an index fund and an actively "
                "managed fund?",
            },
            {
                "role": "assistant",
                "content": "An index fund tracks a market index; an active fund's manager picks "
                "investments to try to beat it.",
            },
            {
                "role": "user",
                "content": "So which is better for my pension, given I'm 30 and won't touch "
                "it for 35 years?",
            },
        ],
    ),
    (
        "demo-eng-01",
        "engineering",
        "A junior engineer asks why the factor of safety for a lifting hook is much higher "
        "than for a building floor beam. Write the answer a senior engineer would give.",
    ),
    (
        "demo-software-01",
        "software",
        "Explain to a reviewer why this Python function leaks file handles and show the fixed "
        "version:\n\ndef count_lines(paths):\n    return sum(len(open(p).readlines()) for p in "
        "paths)",
    ),
    (
        "demo-maths-01",
        "maths",
        "Prove that the square root of 2 is irrational, in a way a strong 16-year-old can "
        "follow, naming each step.",
    ),
]


def demonstration_items() -> list[dict[str, Any]]:
    return [
        {"external_id": item_id, "prompt": prompt, "metadata": {"domain": domain}}
        for item_id, domain, prompt in DEMONSTRATION_PROMPTS
    ]


CORRECTION_ERROR_TYPES = [
    "factual",
    "reasoning",
    "omission",
    "safety",
    "outdated",
    "style",
]

# (id, domain, question, flawed model answer)
CORRECTION_ANSWERS: list[tuple[str, str, str, str]] = [
    (
        "fix-med-01",
        "medicine",
        "When should a patient with a DVT start anticoagulation, and for how long?",
        "Start anticoagulation once the ultrasound confirms the clot; a provoked DVT needs 12 "
        "months of treatment, and an unprovoked one 6 weeks. Warfarin is the first choice.",
    ),
    (
        "fix-law-01",
        "law",
        "How long does a consumer in the EU have to withdraw from an online purchase?",
        "Seven days from the order, and the seller can charge a restocking fee of up to 20%.",
    ),
    (
        "fix-finance-01",
        "finance",
        "What is the effective annual rate of a loan at 12% nominal, compounded monthly?",
        "The effective annual rate is 12% divided by 12, so 1% a year.",
    ),
    (
        "fix-eng-01",
        "engineering",
        "How do I size a fuse for a 230 V, 2 kW heater circuit?",
        "Current is 2000 / 230 = 8.7 A, so fit an 8 A fuse so it runs right at the limit; the "
        "cable size does not matter for the fuse choice.",
    ),
    (
        "fix-software-01",
        "software",
        "How do I avoid SQL injection in a Python app using psycopg?",
        'Escape quotes yourself before building the string: cur.execute("SELECT * FROM users '
        'WHERE name = \'" + name.replace("\'", "\'\'") + "\'"). That is the standard approach.',
    ),
    (
        "fix-maths-01",
        "maths",
        "What is the derivative of x^x?",
        "Using the power rule, d/dx x^x = x * x^(x-1) = x^x.",
    ),
]


def correction_items() -> list[dict[str, Any]]:
    return [
        {
            "external_id": item_id,
            "prompt": question,
            "responses": [{"id": "A", "text": answer, "model": "assistant-sft-v3"}],
            "metadata": {"domain": domain},
        }
        for item_id, domain, question, answer in CORRECTION_ANSWERS
    ]
