"""What ``expertloop demo`` seeds: an admin, a lead, a reviewer, three experts, one project of
every task kind and two projects that need a qualification.

This module holds the users and the label project of clinical claims; ``demo_pairwise`` and
``demo_kinds`` hold the others.

The claims are written to be judged: some match current guidelines, some are outdated or
wrong, some are right only with caveats. The demo stores no answer key.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from expertloop.cli.demo_assessments import locked_projects
from expertloop.cli.demo_kinds import other_kind_projects
from expertloop.cli.demo_pairwise import PAIRWISE_ITEMS
from expertloop.services.projects import ProjectDraft
from expertloop.services.seeding import SeedProject, SeedUser

DEMO_PASSWORD = "expertloop-demo"

DEMO_USERS = [
    SeedUser("lead@example.org", "Dana Whitfield", "lead", DEMO_PASSWORD),
    SeedUser("admin@example.org", "Ravi Iyer", "admin", DEMO_PASSWORD),
    SeedUser(
        "sofia.marin@example.org",
        "Dr Sofia Marin",
        "reviewer",
        DEMO_PASSWORD,
        {
            "domains": ["medicine"],
            "languages": ["es", "en"],
            "attributes": {
                "region": "Southern Europe",
                "sector": "emergency medicine",
                "years_of_practice": 19,
            },
        },
    ),
    SeedUser(
        "amara.okafor@example.org",
        "Dr Amara Okafor",
        "expert",
        DEMO_PASSWORD,
        {
            "domains": ["medicine"],
            "languages": ["en", "yo"],
            "attributes": {
                "region": "West Africa",
                "sector": "public teaching hospital",
                "years_of_practice": 14,
                "specialty": "internal medicine",
            },
        },
    ),
    SeedUser(
        "lukas.brandt@example.org",
        "Lukas Brandt",
        "expert",
        DEMO_PASSWORD,
        {
            "domains": ["law", "finance"],
            "languages": ["de", "en"],
            "attributes": {
                "region": "Central Europe",
                "sector": "corporate law firm",
                "years_of_practice": 8,
                "specialty": "commercial contracts",
            },
        },
    ),
    SeedUser(
        "mei.tanaka@example.org",
        "Mei Tanaka",
        "expert",
        DEMO_PASSWORD,
        {
            "domains": ["medicine", "chemistry"],
            "languages": ["ja", "en"],
            "attributes": {
                "region": "East Asia",
                "sector": "community pharmacy",
                "years_of_practice": 23,
                "specialty": "clinical pharmacy",
            },
        },
    ),
]

LABEL_GUIDELINES = """\
# Is this medication statement supported by current guidelines?

Each item is one statement taken from a model's answer to a patient or clinician.

- **supported**: a current major guideline (NICE, WHO, ADA, ESC, AHA/ACC, GINA, USPSTF...)
  says the same, for the population the statement names.
- **unsupported**: a current guideline says otherwise, or the statement is outdated.
- **needs nuance**: right for some patients but stated too broadly, or missing a caveat that
  would change what a reader does.

Name the guideline (and year) in your rationale when you can.
"""

CLAIMS: list[tuple[str, str, str]] = [
    (
        "endocrinology",
        "Metformin is the first-line medicine for every adult newly diagnosed with "
        "type 2 diabetes, whatever their cardiovascular or kidney history.",
        "patient leaflet",
    ),
    (
        "cardiology",
        "Adults with heart failure with reduced ejection fraction should be offered an SGLT2 "
        "inhibitor such as dapagliflozin or empagliflozin, whether or not they have diabetes.",
        "clinician question",
    ),
    (
        "infectious disease",
        "Acute bronchitis in otherwise healthy adults should be treated with "
        "amoxicillin to stop it progressing to pneumonia.",
        "patient chat",
    ),
    (
        "cardiology",
        "Everyone over 60 should take low-dose aspirin every day to prevent a first "
        "heart attack or stroke.",
        "patient chat",
    ),
    (
        "cardiology",
        "In atrial fibrillation with a raised CHA2DS2-VASc score, a direct oral "
        "anticoagulant is preferred over warfarin unless the patient has a mechanical heart "
        "valve or moderate-to-severe mitral stenosis.",
        "clinician question",
    ),
    (
        "infectious disease",
        "Ciprofloxacin is the first-choice antibiotic for uncomplicated "
        "cystitis in non-pregnant women.",
        "clinician question",
    ),
    (
        "cardiology",
        "A statin should be stopped as soon as ALT rises above the upper limit of normal.",
        "patient leaflet",
    ),
    (
        "obstetrics",
        "A woman with chronic hypertension who becomes pregnant can stay on her ACE "
        "inhibitor as long as her blood pressure is well controlled.",
        "patient chat",
    ),
    (
        "respiratory",
        "For adults with mild asthma, an inhaled budesonide-formoterol inhaler used as "
        "needed is a recommended reliever, in preference to a short-acting beta-agonist alone.",
        "clinician question",
    ),
    (
        "haematology",
        "High-dose oral vitamin B12 works as well as injections for every patient "
        "with B12 deficiency, including those with neurological symptoms.",
        "patient chat",
    ),
    (
        "endocrinology",
        "Levothyroxine is best taken with breakfast together with your calcium "
        "supplement, so the calcium helps it absorb.",
        "patient leaflet",
    ),
    (
        "geriatrics",
        "Long-term benzodiazepines such as diazepam are a good first-line treatment "
        "for generalised anxiety disorder in adults over 65.",
        "clinician question",
    ),
    (
        "haematology",
        "Patients taking warfarin must cut all vitamin K-containing foods, such as "
        "spinach and broccoli, out of their diet.",
        "patient leaflet",
    ),
    (
        "toxicology",
        "Bystanders can give naloxone as a nasal spray to someone with a suspected "
        "opioid overdose, and should call emergency services as well because the naloxone can wear "
        "off before the opioid does.",
        "patient leaflet",
    ),
]


def label_items() -> list[dict[str, Any]]:
    return [
        {
            "external_id": f"claim-{number:02d}",
            "prompt": statement,
            "context": f"From a model answer in a {source}; area: {area}.",
            "metadata": {"area": area, "source": source},
        }
        for number, (area, statement, source) in enumerate(CLAIMS, start=1)
    ]


PAIRWISE_GUIDELINES = """\
# Which answer would you rather an expert colleague gave?

Two model answers to the same question from your field. Prefer the answer that is **correct**,
then **safe** (says what to do when it matters), then **complete**, then **clear**. Choose
*tie* only when neither is meaningfully better. Strength: 1 slight, 2 clear, 3 decisive.
Say in the rationale what decided it (at least 20 characters).
"""


DEMO_RATE = Decimal("45.00")
MINUTES = {"label": 2, "pairwise": 4, "ranking": 6, "rubric": 6, "verify": 2}
"""The lead's estimate of minutes per item by kind (writing kinds take longer: 10)."""


def demo_projects() -> list[SeedProject]:
    """Every demo project; those open to every expert pay the demo's own rate."""
    return [
        seed if seed.draft.requirements else _with_terms(seed)
        for seed in [*_open_projects(), *locked_projects()]
    ]


def _with_terms(seed: SeedProject) -> SeedProject:
    minutes = MINUTES.get(seed.draft.kind, 10)
    draft = replace(seed.draft, hourly_rate=DEMO_RATE, minutes_per_item=minutes)
    return SeedProject(draft, seed.items)


def _open_projects() -> list[SeedProject]:
    return [
        SeedProject(
            ProjectDraft(
                name="Clinical claims: supported by current guidelines?",
                kind="label",
                spec={"labels": ["supported", "unsupported", "needs nuance"], "multiple": False},
                overlap=3,
                lease_seconds=900,
                guidelines=LABEL_GUIDELINES,
            ),
            label_items(),
        ),
        SeedProject(
            ProjectDraft(
                name="Expert answers: medicine, law, finance, engineering",
                kind="pairwise",
                spec={"min_rationale_chars": 20},
                overlap=2,
                lease_seconds=1200,
                guidelines=PAIRWISE_GUIDELINES,
            ),
            PAIRWISE_ITEMS,
        ),
        *other_kind_projects(),
    ]
