"""Step review, verify and cluster review demo items.

Step review: short worked solutions from finance, engineering, medicine and maths, some with a
wrong step, plus the first 10 ProcessBench (GSM8K) rows when the file is at its usual path.
Verify: model predictions (triage codes, contract clause types) to accept, reject or correct.
Cluster review: model-found clusters of support tickets and adverse-event reports, some with
members that do not belong.
"""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any

from expertloop.core.kinds.step_review import processbench_item

PROCESSBENCH_PATH = Path("../shared/data/processbench_gsm8k/gsm8k.jsonl")
PROCESSBENCH_ROWS = 10

# (id, domain, problem, steps)
SOLUTIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "steps-finance-01",
        "finance",
        "A bond pays a 5% annual coupon on a face value of 1,000 and matures in 2 years. What "
        "is its price when the yield is 6%?",
        [
            "The cash flows are 50 after one year and 1,050 after two years.",
            "Discount the first: 50 / 1.06 = 47.17.",
            "Discount the second: 1,050 / 1.06 = 990.57.",
            "The price is 47.17 + 990.57 = 1,037.74, above par.",
        ],
    ),
    (
        "steps-med-01",
        "medicine",
        "A child weighs 18 kg. Amoxicillin is prescribed at 40 mg/kg/day in three divided doses. "
        "The suspension is 250 mg/5 mL. How many mL per dose?",
        [
            "Daily dose: 40 mg/kg x 18 kg = 720 mg.",
            "Per dose: 720 mg / 3 = 240 mg.",
            "Concentration: 250 mg in 5 mL is 50 mg/mL.",
            "Volume per dose: 240 / 50 = 4.8 mL, three times a day.",
        ],
    ),
    (
        "steps-eng-01",
        "engineering",
        "A simply supported beam of span 6 m carries a uniform load of 10 kN/m. What is the "
        "maximum bending moment?",
        [
            "The total load is 10 kN/m x 6 m = 60 kN, so each support carries 30 kN.",
            "For a uniform load the maximum moment is at midspan.",
            "M = w L^2 / 4 = 10 x 36 / 4 = 90 kNm.",
            "So the beam must be designed for 90 kNm.",
        ],
    ),
    (
        "steps-maths-01",
        "maths",
        "Solve x^2 - 5x + 6 = 0.",
        [
            "Look for two numbers that multiply to 6 and add to -5.",
            "These are -2 and -3.",
            "So x^2 - 5x + 6 = (x - 2)(x - 3).",
            "The solutions are x = 2 and x = 3.",
        ],
    ),
    (
        "steps-finance-02",
        "finance",
        "An investment grows from 10,000 to 14,641 in 4 years. What is its compound annual "
        "growth rate?",
        [
            "The growth factor is 14,641 / 10,000 = 1.4641.",
            "Divide by the number of years: 1.4641 / 4 = 0.366.",
            "So the annual growth rate is 36.6%.",
        ],
    ),
]


def step_review_items(processbench: Path = PROCESSBENCH_PATH) -> list[dict[str, Any]]:
    """The written solutions, then up to 10 ProcessBench rows if the file is there."""
    items = [
        {
            "external_id": item_id,
            "prompt": problem,
            "data": {"steps": steps},
            "metadata": {"domain": domain},
        }
        for item_id, domain, problem, steps in SOLUTIONS
    ]
    if processbench.is_file():
        with processbench.open(encoding="utf-8") as lines:
            rows = [json.loads(line) for line in islice(lines, PROCESSBENCH_ROWS)]
        items.extend(processbench_item(row) for row in rows)
    return items


TRIAGE_LABELS = ["P1 immediate", "P2 very urgent", "P3 urgent", "P4 standard", "P5 non-urgent"]

# (id, presentation, predicted label, confidence)
TRIAGE_PREDICTIONS: list[tuple[str, str, str, float]] = [
    (
        "triage-01",
        "58-year-old man, central crushing chest pain for 40 minutes radiating to the left "
        "arm, sweating, BP 100/60, HR 110.",
        "P2 very urgent",
        0.81,
    ),
    (
        "triage-02",
        "24-year-old woman, sprained ankle playing netball 3 hours ago, can bear weight, "
        "no bony tenderness at the malleoli.",
        "P4 standard",
        0.92,
    ),
    (
        "triage-03",
        "3-year-old, fever 39.8 C for one day, non-blanching purple rash on the legs, drowsy.",
        "P3 urgent",
        0.55,
    ),
    (
        "triage-04",
        "67-year-old woman, sudden weakness of the right arm and slurred speech that began "
        "50 minutes ago.",
        "P1 immediate",
        0.88,
    ),
    (
        "triage-05",
        "35-year-old man asking for a repeat prescription of his usual antihistamine; no "
        "symptoms today.",
        "P3 urgent",
        0.47,
    ),
    (
        "triage-06",
        "19-year-old, took 30 paracetamol tablets 2 hours ago, currently feels well.",
        "P5 non-urgent",
        0.62,
    ),
]


def verify_items() -> list[dict[str, Any]]:
    return [
        {
            "external_id": item_id,
            "prompt": presentation,
            "data": {
                "prediction": {
                    "label": label,
                    "model": "triage-classifier-v2",
                    "confidence": confidence,
                }
            },
            "metadata": {"domain": "medicine", "setting": "emergency department"},
        }
        for item_id, presentation, label, confidence in TRIAGE_PREDICTIONS
    ]


# (id, domain, proposed name, members)
CLUSTERS: list[tuple[str, str, str, list[str]]] = [
    (
        "cluster-ae-01",
        "pharmacovigilance",
        "Muscle pain on statins",
        [
            "Started atorvastatin 40 mg last month, now aching thighs when climbing stairs.",
            "Simvastatin: cramps in both calves at night, CK mildly raised.",
            "Rosuvastatin 10 mg: shoulder and upper-arm weakness after 6 weeks.",
            "Itchy rash on my arms two days after starting amoxicillin.",
            "Muscle tenderness and dark urine on high-dose atorvastatin with clarithromycin.",
        ],
    ),
    (
        "cluster-ae-02",
        "pharmacovigilance",
        "Cough on ACE inhibitors",
        [
            "Dry tickly cough since starting ramipril, worse at night.",
            "Lisinopril: persistent non-productive cough for three weeks.",
            "Perindopril cough stopped within a week of switching to losartan.",
            "Enalapril and a constant throat tickle, no cold symptoms.",
        ],
    ),
    (
        "cluster-support-01",
        "software",
        "Login fails after password reset",
        [
            "Reset my password, the new one is rejected at login.",
            "The reset link says 'token expired' though I clicked it immediately.",
            "After resetting, I get logged out every five minutes.",
            "Invoice PDF shows the wrong VAT number.",
            "Two-factor code no longer accepted since I changed my password.",
        ],
    ),
    (
        "cluster-legal-01",
        "law",
        "Limitation of liability clauses",
        [
            "Supplier's total liability shall not exceed the fees paid in the preceding 12 months.",
            "Neither party is liable for indirect or consequential loss, including loss of profit.",
            "Nothing in this agreement limits liability for death or personal injury caused by "
            "negligence.",
            "This agreement is governed by the laws of England and Wales.",
        ],
    ),
    (
        "cluster-finance-01",
        "finance",
        "Card payments declined abroad",
        [
            "Card declined at a hotel in Lisbon, works fine at home.",
            "Contactless payment refused in Tokyo, chip and PIN worked.",
            "ATM in Mexico City kept my card after two attempts.",
            "Online purchase from a US shop declined, no travel involved.",
            "Transfer to my savings account took three days.",
        ],
    ),
]


def cluster_items() -> list[dict[str, Any]]:
    return [
        {
            "external_id": item_id,
            "prompt": f"Is this a coherent cluster of {domain} reports? Name it and mark outliers.",
            "data": {
                "proposed_name": name,
                "members": [
                    {"id": f"m{number}", "text": text}
                    for number, text in enumerate(members, start=1)
                ],
            },
            "metadata": {"domain": domain, "clusterer": "embed-kmeans-v1"},
        }
        for item_id, domain, name, members in CLUSTERS
    ]
