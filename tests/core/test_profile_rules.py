"""Rules of profiles, credentials, domains and rates: table-driven, every error names its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from expertloop.core.errors import Invalid
from expertloop.core.profiles import (
    CredentialKind,
    check_credential,
    check_domain,
    check_note,
    check_profile,
    check_rate,
    format_money,
    normalise_language,
)


def fields_of(error: pytest.ExceptionInfo[Invalid]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in error.value.errors]


def test_check_profile_cleans_a_good_profile() -> None:
    profile = check_profile(
        domains=["medicine", " law", "medicine"],
        languages=["EN", "pt-br", "zh-hant-tw", "es-419"],
        attributes={"region": " West Africa ", "years_of_practice": "14", "sector": ""},
    )
    assert profile.domains == ["medicine", "law"]
    assert profile.languages == ["en", "pt-BR", "zh-Hant-TW", "es-419"]
    assert profile.attributes == {"region": "West Africa", "years_of_practice": 14}


@pytest.mark.parametrize(
    ("domains", "languages", "attributes", "expected"),
    [
        (["Medicine"], [], {}, [("domains[0]", "must be a domain slug")]),
        (["m"], [], {}, [("domains[0]", "must be a domain slug")]),
        (["a" * 61], [], {}, [("domains[0]", "must be a domain slug")]),
        ([7], [], {}, [("domains[0]", "must be a domain slug")]),
        ("medicine", [], {}, [("domains", "must be a list")]),
        (["law"] * 31, [], {}, [("domains", "must have at most 30 entries")]),
        ([], ["english"], {}, [("languages[0]", "must be a language tag")]),
        ([], ["en", "e"], {}, [("languages[1]", "must be a language tag")]),
        ([], ["en-"], {}, [("languages[0]", "must be a language tag")]),
        ([], [], {"Region": "x"}, [("attributes.Region", "the key must be")]),
        ([], [], {"region": "x" * 201}, [("attributes.region", "must be at most 200")]),
        ([], [], {"region": ["a"]}, [("attributes.region", "must be a text or an integer")]),
        ([], [], {"region": True}, [("attributes.region", "must be a text or an integer")]),
        ([], [], {"years_of_practice": 81}, [("attributes.years_of_practice", "must be a whole")]),
        ([], [], {"years_of_practice": "ten"}, [("attributes.years_of_practice", "must be")]),
        ([], [], [], [("attributes", "must be an object")]),
        (
            ["ok", "BAD"],
            ["en", "??"],
            {"a": 1},
            [("domains[1]", "must be"), ("languages[1]", "must be")],
        ),
    ],
)
def test_check_profile_rejects_bad_fields_by_name(
    domains: Any, languages: Any, attributes: Any, expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(Invalid) as error:
        check_profile(domains=domains, languages=languages, attributes=attributes)
    assert error.value.code == "profile.invalid"
    found = fields_of(error)
    assert [f for f, _ in found] == [f for f, _ in expected]
    for (_, message), (_, start) in zip(found, expected, strict=True):
        assert message.startswith(start), message


@pytest.mark.parametrize(
    ("tag", "normal"),
    [
        ("EN", "en"),
        ("pt_br", "pt-BR"),
        ("zh-HANT", "zh-Hant"),
        ("yue", "yue"),
        ("es-419", "es-419"),
    ],
)
def test_normalise_language_follows_bcp47_case(tag: str, normal: str) -> None:
    assert normalise_language(tag) == normal


def test_check_credential_cleans_a_good_claim() -> None:
    fields = check_credential(
        kind="licence",
        title=" Licensed physician ",
        issuer="General Medical Council",
        year="2009",
        years_of_practice=14,
        this_year=2026,
    )
    assert fields.kind is CredentialKind.LICENCE
    assert (fields.title, fields.issuer, fields.year, fields.years_of_practice) == (
        "Licensed physician",
        "General Medical Council",
        2009,
        14,
    )


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ({"kind": "diploma", "title": "x"}, ["kind"]),
        ({"kind": "degree", "title": "  "}, ["title"]),
        ({"kind": "degree", "title": "x" * 301}, ["title"]),
        ({"kind": "degree", "title": "MD", "issuer": 5}, ["issuer"]),
        ({"kind": "degree", "title": "MD", "year": 1899}, ["year"]),
        ({"kind": "degree", "title": "MD", "year": 2027}, ["year"]),
        ({"kind": "degree", "title": "MD", "year": True}, ["year"]),
        ({"kind": "degree", "title": "MD", "years_of_practice": -1}, ["years_of_practice"]),
        ({"kind": "experience", "title": "Tax advice"}, ["years_of_practice"]),
        ({"kind": "x", "title": "", "year": "soon"}, ["kind", "title", "year"]),
    ],
)
def test_check_credential_rejects_bad_fields_by_name(
    claim: dict[str, Any], expected: list[str]
) -> None:
    with pytest.raises(Invalid) as error:
        check_credential(**claim, this_year=2026)
    assert error.value.code == "credential.invalid"
    assert [field for field, _ in fields_of(error)] == expected


def test_check_domain_accepts_a_slug_with_parent() -> None:
    fields = check_domain(slug="tax_law", name=" Tax law ", parent="law")
    assert (fields.slug, fields.name, fields.parent) == ("tax_law", "Tax law", "law")
    assert check_domain(slug="ml-ops", name="MLOps", parent="").parent is None


@pytest.mark.parametrize(
    ("slug", "name", "parent", "expected"),
    [
        ("Tax law", "Tax law", None, ["slug"]),
        ("9lives", "x", None, ["slug"]),
        ("ok", "", None, ["name"]),
        ("ok", "x", "Law!", ["parent"]),
    ],
)
def test_check_domain_rejects_bad_fields_by_name(
    slug: str, name: str, parent: str | None, expected: list[str]
) -> None:
    with pytest.raises(Invalid) as error:
        check_domain(slug=slug, name=name, parent=parent)
    assert error.value.code == "domain.invalid"
    assert [field for field, _ in fields_of(error)] == expected


@pytest.mark.parametrize(
    ("value", "rate"),
    [("50", "50.00"), ("45.5", "45.50"), (Decimal("0.01"), "0.01"), (10000, "10000.00")],
)
def test_check_rate_accepts_cents(value: Any, rate: str) -> None:
    assert format_money(check_rate(value)) == rate


@pytest.mark.parametrize(
    "value", ["0", "-5", "10000.01", "12.345", "abc", "NaN", "Infinity", True, None]
)
def test_check_rate_rejects_bad_amounts(value: Any) -> None:
    with pytest.raises(Invalid) as error:
        check_rate(value)
    assert error.value.code == "track.invalid"
    assert [field for field, _ in fields_of(error)] == ["hourly_rate"]


def test_check_note_requires_text() -> None:
    assert check_note(" checked the register ", code="credential.invalid") == (
        "checked the register"
    )
    for bad in ("", "   ", None, "x" * 2001):
        with pytest.raises(Invalid) as error:
            check_note(bad, code="qualification.invalid", field="reason")
        assert error.value.code == "qualification.invalid"
        assert [field for field, _ in fields_of(error)] == ["reason"]
