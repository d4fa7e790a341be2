"""`expertloop experts import|export`, `tracks`, `domains` and `qualifications change` on a real
database."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expertloop.services import experts
from expertloop.services.users import log_in
from expertloop.store import Database
from expertloop.store.tables import Credential, QualificationEvent, User

EXPERTS_CSV = (
    "email,name,role,password,domains,languages,attr_region,attr_years_of_practice,attr_sector\n"
    "amara@example.org,Dr Amara Okafor,expert,a long password,medicine;biology,en;yo,"
    "West Africa,14,hospital\n"
    '"lukas@example.org","Lukas Brandt, LL.M.",reviewer,,law; finance,de;EN,Central Europe,8,\n'
    "mei@example.org,Mei Tanaka,,,,ja,,,\n"
)


def roster(database: Database) -> list[Any]:
    with database.scoped(write=False) as session:
        return experts.list_roster(session=session, actor=None)


def test_import_then_export_round_trip(
    cli: Any, database: Database, tmp_path: Path, clock: Any
) -> None:
    source = tmp_path / "experts.csv"
    source.write_text(EXPERTS_CSV, encoding="utf-8")
    result = cli("experts", "import", str(source))
    assert result.exit_code == 0, result.output
    assert result.stdout == "created 3 users (2 experts, 1 reviewers) from experts.csv\n"
    found = roster(database)
    assert [(v.email, v.name, v.role) for v in found] == [
        ("amara@example.org", "Dr Amara Okafor", "expert"),
        ("lukas@example.org", "Lukas Brandt, LL.M.", "reviewer"),
        ("mei@example.org", "Mei Tanaka", "expert"),
    ]
    with database.scoped() as session:
        opened = log_in(
            session=session,
            email="amara@example.org",
            password="a long password",
            now=clock(),
            days=1,
        )
        assert opened.token
    grant = cli(
        "qualifications",
        "change",
        "--expert",
        "amara@example.org",
        "--track",
        "professional",
        "--domain",
        "medicine",
        "--action",
        "grant",
        "--reason",
        "licence checked",
    )
    assert grant.exit_code == 0, grant.output
    assert grant.stdout == "amara@example.org: professional:medicine is granted\n"

    out = tmp_path / "roster.csv"
    exported = cli("experts", "export", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert exported.stderr == "exported 3 experts\n"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    ids = [str(v.id) for v in found]
    assert rows == [
        {
            "id": ids[0],
            "email": "amara@example.org",
            "name": "Dr Amara Okafor",
            "role": "expert",
            "active": "true",
            "domains": "medicine;biology",
            "languages": "en;yo",
            "attributes": json.dumps(
                {"region": "West Africa", "sector": "hospital", "years_of_practice": 14}
            ),
            "credentials": "0/0",
            "qualifications": "professional:medicine=granted",
        },
        {
            "id": ids[1],
            "email": "lukas@example.org",
            "name": "Lukas Brandt, LL.M.",
            "role": "reviewer",
            "active": "true",
            "domains": "law;finance",
            "languages": "de;en",
            "attributes": '{"region": "Central Europe", "years_of_practice": 8}',
            "credentials": "0/0",
            "qualifications": "",
        },
        {
            "id": ids[2],
            "email": "mei@example.org",
            "name": "Mei Tanaka",
            "role": "expert",
            "active": "true",
            "domains": "",
            "languages": "ja",
            "attributes": "{}",
            "credentials": "0/0",
            "qualifications": "",
        },
    ]
    jsonl = cli("experts", "export", "--format", "jsonl")
    assert jsonl.exit_code == 0, jsonl.output
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["email"] for r in records] == [r["email"] for r in rows]
    assert records[0]["attributes"] == {
        "region": "West Africa",
        "sector": "hospital",
        "years_of_practice": 14,
    }
    history = records[0]["qualifications"][0]["history"]
    assert [(h["action"], h["from"], h["to"], h["who"], h["why"]) for h in history] == [
        ("grant", None, "granted", None, "licence checked")
    ]


def test_import_with_a_bad_row_stores_nothing_and_names_line_and_column(
    cli: Any, factory: Any, database: Database, tmp_path: Path
) -> None:
    taken = factory.user("expert")
    source = tmp_path / "experts.csv"
    source.write_text(
        "email,role,domains,languages,attr_years_of_practice\n"
        "ok@example.org,expert,medicine,en,3\n"
        "bad@example.org,expert,medicine;astrology,en,3\n"
        "\n"
        "worse@example.org,lead,law,english,many\n"
        f"{taken.email},expert,,,\n"
        "ok@example.org,expert,,,\n",
        encoding="utf-8",
    )
    result = cli("experts", "import", str(source))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error [experts.invalid]: 6 problem(s) in experts.csv; nothing was imported",
        "  line 3, domains[1]: 'astrology' is not a domain of the taxonomy",
        "  line 5, role: must be expert or reviewer",
        "  line 5, languages[0]: must be a language tag such as en, pt-BR or zh-Hant-TW",
        "  line 5, attr_years_of_practice: must be a whole number of years from 0 to 80",
        f"  line 6, email: a user with the email {taken.email} exists",
        "  line 7, email: appears on an earlier row too",
    ]
    assert [v.email for v in roster(database)] == [taken.email]


def test_import_refuses_unknown_columns_on_line_one(
    cli: Any, database: Database, tmp_path: Path
) -> None:
    source = tmp_path / "experts.csv"
    source.write_text("email,speciality\nok@example.org,x\n", encoding="utf-8")
    result = cli("experts", "import", str(source))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  line 1, speciality: unknown column; expected email, name, role, password, domains, "
        "languages or attr_<key>"
    )
    missing = cli("experts", "import", str(tmp_path / "nope.csv"))
    assert (
        missing.exit_code == 1 and "error [cli.invalid_input]: file: cannot read" in missing.stderr
    )


def test_tracks_list_and_set_rate(cli: Any, database: Database) -> None:
    listed = cli("tracks", "list")
    assert listed.exit_code == 0
    assert [line.split("\t")[:2] for line in listed.stdout.splitlines()] == [
        ["general", "20.00"],
        ["multilingual", "20.00"],
        ["coding", "40.00"],
        ["stem", "40.00"],
        ["professional", "50.00"],
    ]
    changed = cli("tracks", "set-rate", "coding", "42.5")
    assert changed.exit_code == 0, changed.output
    assert changed.stdout == "track coding pays 42.50 USD per hour\n"
    assert "coding\t42.50\t" in cli("tracks", "list").stdout
    bad = cli("tracks", "set-rate", "coding", "1.234")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error [track.invalid]: hourly_rate: must be an amount")
    unknown = cli("tracks", "set-rate", "poetry", "10")
    assert unknown.stderr == "error [track.not_found]: there is no track 'poetry'\n"


def test_domains_list_and_add(cli: Any, database: Database) -> None:
    added = cli("domains", "add", "tax_law", "Tax law", "--parent", "law")
    assert added.exit_code == 0, added.output
    assert added.stdout == "added domain tax_law (Tax law) under law\n"
    lines = cli("domains", "list").stdout.splitlines()
    assert "tax_law\tTax law\tlaw" in lines and "law\tLaw\t" in lines and len(lines) == 11
    again = cli("domains", "add", "tax_law", "Tax law")
    assert again.exit_code == 1
    assert again.stderr == "error [domain.invalid]: slug: the domain 'tax_law' exists already\n"


def test_qualifications_change_records_the_reason(
    cli: Any, factory: Any, database: Database
) -> None:
    expert = factory.user("expert")
    args = ["qualifications", "change", "--expert", expert.email, "--track", "stem"]
    early = cli(*args, "--action", "suspend", "--reason", "too soon")
    assert early.exit_code == 1
    assert early.stderr.startswith("error [qualification.missing]:")
    assert cli(*args, "--action", "grant", "--reason", "passed").exit_code == 0
    suspended = cli(*args, "--action", "suspend", "--reason", "gold accuracy 0.61")
    assert suspended.stdout == f"{expert.email}: stem is suspended\n"
    nobody = cli(*args[:3], "nobody@example.org", *args[4:], "--action", "grant", "--reason", "x")
    assert nobody.stderr == (
        "error [expert.not_found]: no expert or reviewer has the email nobody@example.org\n"
    )
    with database.scoped() as session:
        events = session.query(QualificationEvent).order_by(QualificationEvent.id).all()
        assert [(e.action, e.to_status, e.actor_id, e.reason) for e in events] == [
            ("grant", "granted", None, "passed"),
            ("suspend", "suspended", None, "gold accuracy 0.61"),
        ]
        assert session.query(User).count() == 1


def test_experts_verify_credential_marks_it_with_the_note(cli: Any, database: Any) -> None:
    with database.scoped() as session:
        user = User(
            email="vera@example.org",
            name="Vera",
            role="expert",
            password_hash=None,
            active=True,
            created_at=datetime.now(UTC),
        )
        session.add(user)
        session.flush()
        claim = Credential(
            user_id=user.id,
            kind="licence",
            title="Medical licence",
            issuer="GMC",
            status="claimed",
            created_at=datetime.now(UTC),
        )
        session.add(claim)
        session.commit()
        credential_id = claim.id
    args = ["experts", "verify-credential", "--expert", "vera@example.org"]
    args += ["--credential", str(credential_id), "--status", "verified"]
    done = cli(*args, "--note", "checked on the GMC register")
    assert done.exit_code == 0, done.output
    assert done.output.strip() == (
        f"vera@example.org: credential {credential_id} 'Medical licence' is verified"
    )
    with database.scoped() as session:
        stored = session.get(Credential, credential_id)
        assert stored is not None
        assert (stored.status, stored.note) == ("verified", "checked on the GMC register")
    missing = cli(*args, "--note", "  ")
    assert missing.exit_code == 1 and "note" in missing.output
