"""The demo project that shows quality while the work runs: adverse-event report triage.

Eighteen invented pharmacovigilance report snippets to be triaged by seriousness (ICH E2A). Four
are gold items with known answers and explanations; nine are worked through by the demo's three
experts with scripted answers (mostly right; Lukas Brandt, a lawyer, is the weakest reader) so
the lead's page has agreement, consensus and expert quality to show and the reviewer has
judgments to review. On ae-07 the clinician alone calls a nitrate-sildenafil collapse
life-threatening; with three judgments the Dawid-Skene confidence stays below the 90% target, so
it goes to adjudication. The last five reports arrive after that work and stay open for
whoever logs in.

No report describes a real patient.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from expertloop.cli.demo_content import DEMO_RATE, MINUTES
from expertloop.services.gold import GoldDraft
from expertloop.services.projects import ProjectDraft
from expertloop.services.seeding import SeedProject
from expertloop.services.seeding_work import ScriptedAnswer, SeedWork

AMARA = "amara.okafor@example.org"
LUKAS = "lukas.brandt@example.org"
MEI = "mei.tanaka@example.org"
WORKERS = (AMARA, LUKAS, MEI)
"""The experts who work the project, taking turns in this order."""

NON_SERIOUS, SERIOUS, LIFE_THREATENING, FATAL = (
    "non-serious",
    "serious",
    "life-threatening",
    "fatal",
)
LABELS = [NON_SERIOUS, SERIOUS, LIFE_THREATENING, FATAL]

QUALITY_POLICY = {
    "gold": {"rate": 0.15, "calibration": 2, "min_answered": 3},
    "overlap": {"k_min": 2, "k_max": 3, "target": 0.9},
    "review": {"share": 0.25},
    "method": "ds",
}

GUIDELINES = """\
# Adverse-event report triage: how serious is the reported event?

Each item is a snippet of an individual case safety report as it reaches the safety desk.
Triage it by the most serious outcome the snippet supports (ICH E2A criteria); the label
decides the reporting clock.

- **non-serious**: none of the criteria below.
- **serious**: the event caused or prolonged a hospital admission, left a persistent or
  significant disability, is a congenital anomaly, or is an important medical event that
  needed treatment to prevent one of these.
- **life-threatening**: the patient was at real risk of death *at the time of the event*
  (not a severe form that might have killed them).
- **fatal**: the patient died and the event caused or contributed to the death.

Intensity is not seriousness: a severe headache is non-serious. A visit to an emergency
department without admission is not a hospitalisation by itself. Triage what is reported, not
what you suspect, and name the criterion in your rationale.
"""


@dataclass(frozen=True)
class Report:
    """One report snippet: where it came from, its text, the demo experts' answers (label and
    rationale) and, for gold items, the known label and why."""

    external_id: str
    source: str
    text: str
    answers: dict[str, tuple[str, str]] = field(default_factory=dict)
    gold: tuple[str, str] | None = None


GOLD_REPORTS = [
    Report(
        "ae-02",
        "consumer report",
        "34-year-old woman started sertraline 50 mg ten days ago. Nausea and 'a terrible "
        "headache, 8 out of 10' most mornings. Has not seen a doctor; still taking it.",
        {
            AMARA: (NON_SERIOUS, "Severe in intensity only; no admission or other criterion."),
            LUKAS: (NON_SERIOUS, "No hospital, no lasting harm: non-serious."),
            MEI: (NON_SERIOUS, "Typical early SSRI effects; 8/10 is intensity, not a criterion."),
        },
        gold=(
            NON_SERIOUS,
            "Intensity is not seriousness: a severe headache with no admission, disability or "
            "important medical event is non-serious.",
        ),
    ),
    Report(
        "ae-05",
        "physician report",
        "71-year-old man on apixaban admitted overnight with melaena. Haemoglobin 81 g/L, "
        "transfused two units; endoscopy found a gastric ulcer. Haemodynamically stable "
        "throughout; discharged on day 3.",
        {
            AMARA: (
                SERIOUS,
                "Admitted for a GI bleed; stable, so not at risk of death.",
            ),
            LUKAS: (LIFE_THREATENING, "Two units of blood means a major bleed, a danger to life."),
            MEI: (SERIOUS, "Hospitalisation criterion; no shock, so not life-threatening."),
        },
        gold=(
            SERIOUS,
            "The admission makes it serious; a transfusion in a stable patient does not mean he "
            "was at risk of death at the time.",
        ),
    ),
    Report(
        "ae-09",
        "pharmacist report",
        "58-year-old woman given IV co-amoxiclav in the emergency department. Within five "
        "minutes: stridor, BP 70/40, SpO2 84%. Two doses of IM adrenaline, intubated, moved to "
        "intensive care; extubated the next day and recovered.",
        {
            AMARA: (LIFE_THREATENING, "Anaphylactic shock with airway compromise."),
            LUKAS: (LIFE_THREATENING, "She needed intubation: her life was at risk."),
            MEI: (LIFE_THREATENING, "Anaphylaxis with shock and hypoxia, intubated."),
        },
        gold=(
            LIFE_THREATENING,
            "Anaphylactic shock with stridor and hypoxia needing intubation: at risk of death "
            "at the time of the event, even though she recovered.",
        ),
    ),
    Report(
        "ae-12",
        "nursing home report",
        "84-year-old resident started oxycodone modified-release 10 mg twice daily after a hip "
        "fracture. Found unresponsive on day 2, pinpoint pupils, breathing 4 a minute; died "
        "despite naloxone.",
        {
            AMARA: (FATAL, "Opioid toxicity in a frail patient, death despite naloxone."),
            LUKAS: (FATAL, "The patient died of the reaction."),
            MEI: (FATAL, "Respiratory depression from a new opioid; fatal outcome."),
        },
        gold=(
            FATAL,
            "The patient died and opioid-induced respiratory depression is the reported cause.",
        ),
    ),
]

WORKED_REPORTS = [
    Report(
        "ae-01",
        "patient support programme",
        "45-year-old man on atorvastatin 40 mg for three months reports aching thighs on the "
        "stairs. GP found a normal CK, halved the dose; aches gone within two weeks.",
        {
            AMARA: (NON_SERIOUS, "Statin myalgia, normal CK, managed in primary care."),
            LUKAS: (NON_SERIOUS, "Resolved after a dose change; no criterion met."),
            MEI: (NON_SERIOUS, "Myalgia without raised CK; dechallenge positive; non-serious."),
        },
    ),
    Report(
        "ae-03",
        "physician report",
        "29-year-old woman on lamotrigine, dose raised two weeks ago when valproate was added. "
        "Fever, target lesions, oral erosions; admitted to the burns unit with detachment of "
        "15% of body surface (SJS/TEN overlap). The reporter states she was at risk of death "
        "on admission.",
        {
            AMARA: (LIFE_THREATENING, "SJS/TEN overlap, and the reporter says at risk of death."),
            LUKAS: (SERIOUS, "Admitted to hospital; she recovered, so serious."),
            MEI: (
                LIFE_THREATENING,
                "Valproate interaction; TEN-range detachment, reporter: life-threatening.",
            ),
        },
    ),
    Report(
        "ae-04",
        "pharmacist report",
        "67-year-old woman on simvastatin 80 mg given clarithromycin for a chest infection. "
        "Day 6: dark urine, weakness, CK 48,000 U/L, creatinine 210 umol/L. Admitted for IV "
        "fluids; kidney function back to baseline at discharge.",
        {
            AMARA: (SERIOUS, "Rhabdomyolysis with AKI needing admission; no instability."),
            LUKAS: (SERIOUS, "Hospital admission for muscle breakdown."),
            MEI: (
                LIFE_THREATENING,
                "CYP3A4 interaction; CK that high risks hyperkalaemia and arrest.",
            ),
        },
    ),
    Report(
        "ae-06",
        "nurse report",
        "8-month-old given the second dose of rotavirus vaccine. Thirty-six hours later, three "
        "loose stools in a day; feeding well, no fever, no blood; managed at home.",
        {
            AMARA: (NON_SERIOUS, "Mild, self-limiting diarrhoea managed at home."),
            LUKAS: (NON_SERIOUS, "Managed at home, no lasting effect."),
            MEI: (NON_SERIOUS, "Expected, mild reaction; no criterion met."),
        },
    ),
    Report(
        "ae-07",
        "consumer report, forwarded by a pharmacist",
        "52-year-old man took sildenafil bought online and used his glyceryl trinitrate spray "
        "for chest pain an hour later. Fainted at home; ambulance crew found BP 72/40. "
        "Recovered lying flat; seen in the emergency department and sent home after five hours.",
        {
            AMARA: (
                LIFE_THREATENING,
                "Nitrate with PDE5 inhibitor and BP 72/40 during angina: "
                "at risk of death at the time.",
            ),
            LUKAS: (
                SERIOUS,
                "Ambulance and emergency department: more than minor, though he was not admitted.",
            ),
            MEI: (
                SERIOUS,
                "Not an admission, but a contraindicated interaction with syncope "
                "is an important medical event.",
            ),
        },
    ),
    Report(
        "ae-08",
        "physician report",
        "74-year-old woman on amiodarone for two years; new dry cough and breathlessness. CT: "
        "bilateral ground-glass change. Admitted, amiodarone stopped, prednisolone started; "
        "discharged on home oxygen.",
        {
            AMARA: (SERIOUS, "Amiodarone lung toxicity: admission and persistent oxygen need."),
            LUKAS: (SERIOUS, "Hospitalised and left needing oxygen at home."),
            MEI: (SERIOUS, "Admission plus lasting disability (home oxygen)."),
        },
    ),
    Report(
        "ae-10",
        "dermatology clinic",
        "31-year-old man on isotretinoin 40 mg for four months: cracked lips and nosebleeds "
        "twice a week. Lip balm and nasal emollient; treatment continues.",
        {
            AMARA: (NON_SERIOUS, "Expected mucocutaneous effects, no criterion."),
            LUKAS: (NON_SERIOUS, "Minor, managed with creams; treatment goes on."),
            MEI: (NON_SERIOUS, "Labelled, mild effects of isotretinoin."),
        },
    ),
    Report(
        "ae-11",
        "hospital pharmacist",
        "81-year-old man given IV gentamicin for nine days for pyelonephritis. Three months "
        "later he still has unsteadiness and oscillopsia; vestibular testing shows bilateral "
        "loss of function.",
        {
            AMARA: (SERIOUS, "Persistent vestibular toxicity: a significant disability."),
            LUKAS: (NON_SERIOUS, "He was already in hospital; the drug caused no admission."),
            MEI: (SERIOUS, "Aminoglycoside ototoxicity, persistent: disability criterion."),
        },
    ),
    Report(
        "ae-13",
        "consumer report",
        "6-year-old given a double dose of montelukast granules by mistake. Vivid nightmares "
        "for two nights, nothing else; back to normal by the third night.",
        {
            AMARA: (NON_SERIOUS, "Transient sleep disturbance after an overdose; no criterion."),
            LUKAS: (NON_SERIOUS, "Two bad nights, then normal."),
            MEI: (NON_SERIOUS, "Known neuropsychiatric effect, transient; non-serious."),
        },
    ),
]

LATER_REPORTS = [
    Report(
        "ae-14",
        "consumer report",
        "39-year-old woman on semaglutide 1 mg weekly: vomiting for three days, unable to keep "
        "fluids down. Admitted for IV fluids; lipase normal; home after two days.",
    ),
    Report(
        "ae-15",
        "physician report",
        "57-year-old man on empagliflozin admitted two days after knee surgery with abdominal "
        "pain and vomiting. Glucose 9.8 mmol/L, pH 7.08, ketones 6.1 mmol/L; treated in the "
        "high-dependency unit.",
    ),
    Report(
        "ae-16",
        "pharmacist report",
        "62-year-old woman on ramipril with a dry, tickly cough for six weeks. Switched to "
        "losartan; the cough settled within a month.",
    ),
    Report(
        "ae-17",
        "regulatory authority forward",
        "45-year-old man on clozapine found dead at home. Post-mortem: faecal impaction with "
        "bowel perforation, attributed to clozapine-induced gut hypomotility.",
    ),
    Report(
        "ae-18",
        "midwife report",
        "Baby born at 38 weeks to a mother who took valproate throughout pregnancy; "
        "lumbosacral myelomeningocele diagnosed at birth.",
    ),
]


def _row(report: Report) -> dict[str, object]:
    return {
        "external_id": report.external_id,
        "prompt": report.text,
        "context": f"Source: {report.source}.",
        "metadata": {"source": report.source},
    }


def _answers(reports: list[Report]) -> dict[str, dict[str, ScriptedAnswer]]:
    return {
        report.external_id: {
            email: ({"labels": [label]}, rationale)
            for email, (label, rationale) in report.answers.items()
        }
        for report in reports
    }


def quality_work() -> SeedWork:
    """The adverse-event triage project, its gold answers, the scripted work and the reports
    that stay open."""
    first = sorted([*GOLD_REPORTS, *WORKED_REPORTS], key=lambda report: report.external_id)
    draft = ProjectDraft(
        name="Adverse-event report triage",
        kind="label",
        spec={"labels": LABELS, "multiple": False},
        overlap=2,
        lease_seconds=600,
        guidelines=GUIDELINES,
        requirements={"min_quality": 0.5},
        hourly_rate=DEMO_RATE,
        minutes_per_item=MINUTES["label"],
        quality=QUALITY_POLICY,
    )
    gold = [
        GoldDraft(answer={"labels": [label]}, explanation=why, external_id=report.external_id)
        for report in GOLD_REPORTS
        if report.gold is not None
        for label, why in [report.gold]
    ]
    return SeedWork(
        project=SeedProject(draft, [_row(report) for report in first]),
        gold=gold,
        answers=_answers(first),
        experts=WORKERS,
        later_items=[_row(report) for report in LATER_REPORTS],
    )
