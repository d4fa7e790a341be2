"""What ``expertloop demo`` seeds for the workforce: two published assessments (professional /
medicine with a free-text question a reviewer grades, and coding / software graded at once) and
two projects that need those qualifications, so an expert's dashboard shows work to unlock."""

from __future__ import annotations

from typing import Any

from expertloop.services.projects import ProjectDraft
from expertloop.services.seeding import SeedProject

CLINICAL_REASONING: dict[str, Any] = {
    "track": "professional",
    "domain": "medicine",
    "title": "Clinical reasoning for triage reviewers",
    "instructions": (
        "Five questions on acute presentations, the kind of judgment the triage projects ask "
        "for. Answer from current adult guidelines. The free-text answer is graded by a "
        "reviewer against a rubric; you will see your score once it is graded."
    ),
    "pass_mark": 0.7,
    "time_limit_seconds": 20 * 60,
    "questions": [
        {
            "id": "anaphylaxis",
            "kind": "single_choice",
            "prompt": (
                "First-line treatment of anaphylaxis in an adult with stridor and hypotension?"
            ),
            "options": [
                {"id": "a", "text": "Oral cetirizine and observation"},
                {
                    "id": "b",
                    "text": "Intramuscular adrenaline 0.5 mg (1 mg/mL), anterolateral thigh",
                },
                {"id": "c", "text": "Intravenous hydrocortisone 200 mg alone"},
                {"id": "d", "text": "Nebulised salbutamol alone"},
            ],
            "answer": "b",
            "points": 2,
        },
        {
            "id": "red_flags",
            "kind": "multiple_choice",
            "prompt": "Which features of a headache call for same-day imaging? Choose every one.",
            "options": [
                {"id": "a", "text": "Thunderclap onset, worst in life"},
                {"id": "b", "text": "New headache after 50 with jaw claudication"},
                {"id": "c", "text": "Bilateral pressing headache relieved by rest"},
                {"id": "d", "text": "Headache with fever, neck stiffness and confusion"},
            ],
            "answers": ["a", "b", "d"],
            "points": 2,
        },
        {
            "id": "curb65",
            "kind": "numeric",
            "prompt": (
                "A 72-year-old with pneumonia: confused, urea 8 mmol/L, respiratory rate 24, "
                "blood pressure 110/70. What is the CURB-65 score?"
            ),
            "answer": 3,
            "tolerance": 0,
            "points": 1,
        },
        {
            "id": "sepsis",
            "kind": "single_choice",
            "prompt": "Within what time should antibiotics start in suspected septic shock?",
            "options": [
                {"id": "a", "text": "Within 1 hour of recognition"},
                {"id": "b", "text": "Within 6 hours, after cultures return"},
                {"id": "c", "text": "Only once lactate exceeds 4 mmol/L"},
            ],
            "answer": "a",
            "points": 1,
        },
        {
            "id": "explain",
            "kind": "free_text",
            "prompt": (
                "A model told a patient with central chest pain radiating to the arm to "
                "'rest and take an antacid'. In three or four sentences, say what is wrong and "
                "what a safe answer would have said."
            ),
            "rubric": [
                {"points": 2, "description": "Names acute coronary syndrome as the concern"},
                {"points": 1, "description": "Says to call emergency services now"},
                {"points": 1, "description": "Explains why reassurance is unsafe here"},
            ],
            "points": 4,
        },
    ],
}

CODE_READING: dict[str, Any] = {
    "track": "coding",
    "domain": "software",
    "title": "Code reading for reviewers",
    "instructions": "Three short questions about what code does. Graded as soon as you submit.",
    "pass_mark": 0.75,
    "time_limit_seconds": 10 * 60,
    "questions": [
        {
            "id": "slice",
            "kind": "numeric",
            "prompt": "In Python, what is `len(list(range(3, 30, 4)))`?",
            "answer": 7,
            "tolerance": 0,
        },
        {
            "id": "mutable_default",
            "kind": "single_choice",
            "prompt": (
                "`def add(x, seen=[]): seen.append(x); return seen` is called as `add(1)` then "
                "`add(2)`. What does the second call return?"
            ),
            "options": [
                {"id": "a", "text": "`[2]`"},
                {"id": "b", "text": "`[1, 2]`"},
                {"id": "c", "text": "It raises a TypeError"},
            ],
            "answer": "b",
        },
        {
            "id": "injection",
            "kind": "multiple_choice",
            "prompt": "Which of these let user input change the structure of an SQL statement?",
            "options": [
                {"id": "a", "text": '`cursor.execute(f"SELECT * FROM t WHERE id = {user_id}")`'},
                {
                    "id": "b",
                    "text": '`cursor.execute("SELECT * FROM t WHERE id = %s", (user_id,))`',
                },
                {"id": "c", "text": '`cursor.execute("SELECT * FROM t ORDER BY " + column)`'},
            ],
            "answers": ["a", "c"],
        },
    ],
}

DEMO_ASSESSMENTS = [CLINICAL_REASONING, CODE_READING]

DEMO_QUALIFICATIONS = [("amara.okafor@example.org", "professional", "medicine")]
"""(expert email, track, domain) granted at seeding: one clinician is already qualified."""

TRIAGE_GUIDELINES = """\
Decide how urgently the patient in each vignette needs to be seen, as a qualified clinician
would at the front door of an emergency department. Say which finding decided it.
"""

CODE_GUIDELINES = """\
Label each model-written patch: **correct** (does what the request asks, no new defect),
**bug** (a defect a test would catch) or **unsafe** (a security or data-loss risk). Name the
line that decided it.
"""


def _vignette(index: int, text: str) -> dict[str, Any]:
    return {"external_id": f"triage-{index:02d}", "prompt": text, "metadata": {"source": "demo"}}


def _patch(index: int, request: str, patch: str) -> dict[str, Any]:
    return {
        "external_id": f"patch-{index:02d}",
        "prompt": request,
        "responses": [{"id": "A", "text": patch, "model": "demo-coder"}],
        "metadata": {"source": "demo"},
    }


def locked_projects() -> list[SeedProject]:
    """Projects that need a qualification: experts without it see them under 'Unlock'."""
    vignettes = [
        "68-year-old woman, 30 minutes of central chest tightness, sweaty, BP 98/60.",
        "24-year-old man, ankle inversion playing football, walks with a limp, no bony tenderness.",
        "3-year-old with fever 39.4 °C, non-blanching rash on the legs, drowsy.",
        "45-year-old with lower back pain for a week, no numbness, no bladder symptoms.",
        "80-year-old found on the floor, new confusion, on warfarin, bruise on the forehead.",
    ]
    patches = [
        (
            "Return the average of a list of numbers; an empty list returns 0.",
            "```python\ndef mean(xs):\n    return sum(xs) / len(xs)\n```",
        ),
        (
            "Read a user's file by name from the uploads folder.",
            "```python\ndef read_upload(name):\n    return open('uploads/' + name).read()\n```",
        ),
        (
            "Deduplicate a list, keeping the first occurrence of each element in order.",
            "```python\ndef dedupe(xs):\n    return list(dict.fromkeys(xs))\n```",
        ),
    ]
    return [
        SeedProject(
            ProjectDraft(
                name="Emergency triage vignettes (qualified clinicians)",
                kind="label",
                spec={"labels": ["immediate", "very urgent", "urgent", "standard"]},
                overlap=2,
                guidelines=TRIAGE_GUIDELINES,
                requirements={"tracks": ["professional"], "domains": ["medicine"]},
                minutes_per_item=3,
            ),
            [_vignette(i, text) for i, text in enumerate(vignettes, 1)],
        ),
        SeedProject(
            ProjectDraft(
                name="Patch review (coding track)",
                kind="label",
                spec={"labels": ["correct", "bug", "unsafe"]},
                overlap=2,
                guidelines=CODE_GUIDELINES,
                requirements={"tracks": ["coding"]},
                minutes_per_item=4,
            ),
            [_patch(i, request, patch) for i, (request, patch) in enumerate(patches, 1)],
        ),
    ]
