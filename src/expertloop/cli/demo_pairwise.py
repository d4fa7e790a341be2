"""Pairwise demo items: two model answers to questions experts ask in their own fields.

In most pairs one answer is clearly better; which side it is on varies. No answer key is stored.
"""

from __future__ import annotations

from typing import Any

MODELS = ("assistant-sft-v3", "assistant-dpo-v4-rc1")

# (domain, question, answer A, answer B)
PAIRS: list[tuple[str, str, str, str]] = [
    (
        "medicine",
        "What is the first-line treatment for anaphylaxis in an adult, and at what dose?",
        "Intramuscular adrenaline (epinephrine) 0.5 mg, i.e. 0.5 mL of 1 mg/mL (1:1000), into "
        "the anterolateral thigh, repeated after 5 minutes if there is no improvement. Lie the "
        "patient flat (or sitting if breathless), give high-flow oxygen and IV fluids for "
        "shock. Antihistamines and steroids are not first line and must never delay adrenaline.",
        "Give an oral antihistamine such as cetirizine 10 mg and hydrocortisone 200 mg IV, then "
        "observe. Adrenaline is reserved for patients who lose consciousness, because of its "
        "cardiac side effects.",
    ),
    (
        "medicine",
        "A patient with suspected acute ischaemic stroke arrives 2 hours after onset. What "
        "should happen before thrombolysis?",
        "Give aspirin 300 mg straight away to stop the clot growing, then arrange a CT scan "
        "and start alteplase if the scan is normal.",
        "Non-contrast CT (or MRI) first, to exclude haemorrhage; check capillary glucose; make "
        "sure blood pressure is below 185/110 mmHg. If there is no contraindication, give IV "
        "alteplase 0.9 mg/kg (maximum 90 mg, 10% as a bolus) or tenecteplase, and image the "
        "vessels to look for a large-vessel occlusion that could be treated by thrombectomy. "
        "Aspirin is withheld for 24 hours after thrombolysis.",
    ),
    (
        "medicine",
        "Can a patient who takes sertraline 100 mg daily be prescribed tramadol for back pain?",
        "Yes. Tramadol is an opioid and sertraline is an SSRI; they act on different receptors, "
        "so there is no meaningful interaction.",
        "Only with caution. Tramadol also inhibits serotonin reuptake, so with sertraline it "
        "raises the risk of serotonin syndrome, and it lowers the seizure threshold; sertraline "
        "at higher doses can also reduce its conversion to the active metabolite. Prefer "
        "paracetamol, a topical or oral NSAID if suitable, and physiotherapy; if tramadol is "
        "needed, use the lowest dose for the shortest time and tell the patient which "
        "symptoms to report.",
    ),
    (
        "law",
        "Under the GDPR, how quickly must a controller notify the supervisory authority of a "
        "personal data breach?",
        "Without undue delay and, where feasible, within 72 hours of becoming aware of it "
        "(Article 33), unless the breach is unlikely to result in a risk to people's rights and "
        "freedoms. A later notification must give the reasons for the delay. If the risk is "
        "high, the data subjects must also be told without undue delay (Article 34).",
        "Within 30 days of discovering the breach, and only when more than 500 people are "
        "affected; smaller breaches are recorded internally.",
    ),
    (
        "law",
        "Can a California employer enforce a 12-month non-compete clause against a software "
        "engineer who resigns to join a competitor?",
        "Yes, provided the restriction is limited to 12 months and a reasonable geographic "
        "area, which courts in most US states accept.",
        "Almost certainly not. Business and Professions Code section 16600 voids contracts that "
        "restrain anyone from a lawful profession, with narrow exceptions such as the sale of a "
        "business. Since 2024 the code also bars enforcing such clauses even when signed "
        "outside California, and employers had to notify affected employees that their "
        "clauses are void. Confidentiality and trade-secret obligations still apply.",
    ),
    (
        "law",
        "Does a US contract for the sale of machinery worth $10,000 have to be in writing?",
        "Generally yes. Under UCC section 2-201, a contract for the sale of goods for $500 or "
        "more is not enforceable unless there is a writing sufficient to show a contract, "
        "signed by the party against whom enforcement is sought. Exceptions include a "
        "merchant's written confirmation not objected to within 10 days, specially "
        "manufactured goods, admissions in court, and goods paid for or received and accepted.",
        "No. In the US an oral contract is always as binding as a written one; writing it down "
        "only helps to prove what was agreed.",
    ),
    (
        "law",
        "In a software licence, what does a clause capping liability at 12 months' fees "
        "usually leave uncapped, and why?",
        "Nothing: a cap is a cap, and courts enforce it as written whatever the claim.",
        "Commonly carved out: liability that cannot be limited by law (in England, death or "
        "personal injury caused by negligence, and fraud), breach of confidentiality, IP "
        "infringement indemnities, and sometimes data-protection breaches. Parties carve these "
        "out because the likely loss bears no relation to the fees, and in some jurisdictions "
        "an unreasonable cap can be struck down.",
    ),
    (
        "finance",
        "I expect to pay a higher tax rate in retirement than now. Roth or traditional IRA?",
        "Usually Roth: you contribute after tax and qualified withdrawals (after age 59 and a "
        "half, with the account open 5 years) are tax-free, so you pay tax at today's lower "
        "rate. Check the income limits for direct Roth contributions, and note that Roth IRAs "
        "have no required minimum distributions for the original owner.",
        "Traditional, always: the deduction today is worth more than anything later, and you "
        "can invest the tax you save.",
    ),
    (
        "finance",
        "A bond has a modified duration of 7. What happens to its price if yields rise by one "
        "percentage point?",
        "It rises by about 7%, because the bond's fixed coupon becomes more attractive.",
        "It falls by about 7% (change in price is roughly minus modified duration times the "
        "change in yield: -7 x 1% = -7%). Because of positive convexity the actual fall is "
        "slightly smaller than the duration estimate.",
    ),
    (
        "finance",
        "How does a lessee account for a five-year office lease under IFRS 16?",
        "Recognise a right-of-use asset and a lease liability at the present value of the "
        "lease payments, discounted at the rate implicit in the lease or the incremental "
        "borrowing rate. Depreciate the asset, normally straight-line over the lease term, and "
        "accrue interest on the liability. Optional exemptions apply only to short-term "
        "(12 months or less) and low-value leases.",
        "As an operating lease: expense the rent straight-line through profit or loss and "
        "disclose the future commitments in the notes; nothing goes on the balance sheet.",
    ),
    (
        "engineering",
        "Why do structural codes apply safety factors, and would an overall factor of 1.0 be "
        "acceptable for a steel floor beam?",
        "A factor of 1.0 is fine for steel: it is ductile, so it yields visibly long before it "
        "fails and gives plenty of warning.",
        "No. Limit state codes (Eurocode EN 1990, AISC LRFD) increase the loads and reduce the "
        "resistances with partial factors, e.g. 1.35 on permanent and 1.5 on variable actions "
        "under EN 1990, to cover variability of loads and materials, construction tolerances "
        "and modelling error. A factor of 1.0 leaves no margin for any of these; ductility "
        "gives warning but does not replace that margin.",
    ),
    (
        "engineering",
        "A 3 kW heater on a 230 V single-phase circuit is fed by a 25 m cable run. What current "
        "does it draw, and how should the circuit be protected?",
        "I = P / V = 3000 / 230, about 13 A. Choose a protective device of at least the design "
        "current, e.g. a 16 A MCB, and a cable whose current-carrying capacity, after "
        "correction factors for installation method and grouping, is at least 16 A (often "
        "2.5 mm2 copper). Then check that the voltage drop over 25 m stays within the limit.",
        "About 13 A. Fit a 32 A breaker so it never trips on start-up, and 1.5 mm2 cable is "
        "plenty because a heater is a resistive load.",
    ),
    (
        "engineering",
        "What causes fatigue cracking at welded steel joints, and how is it assessed?",
        "Fatigue occurs when the static load exceeds the yield strength; specifying a "
        "higher-strength steel prevents it.",
        "Repeated stress ranges, not the peak static stress, grow cracks from weld toes, where "
        "geometry concentrates stress and residual stresses are high. It is assessed with S-N "
        "curves for the detail category (EN 1993-1-9 or the IIW recommendations) and Miner's "
        "rule for variable-amplitude loading. Higher-strength steel barely helps welded "
        "details; better detailing, toe grinding or peening does.",
    ),
]


def pairwise_items() -> list[dict[str, Any]]:
    return [
        {
            "external_id": f"pair-{number:02d}",
            "prompt": question,
            "responses": [
                {"id": "A", "text": first, "model": MODELS[number % 2]},
                {"id": "B", "text": second, "model": MODELS[(number + 1) % 2]},
            ],
            "metadata": {"domain": domain, "source": "expert question bank"},
        }
        for number, (domain, question, first, second) in enumerate(PAIRS, start=1)
    ]


PAIRWISE_ITEMS = pairwise_items()
