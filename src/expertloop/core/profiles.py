"""Rules of expert profiles, credentials, the domain taxonomy and track rates.

Pure validation: each ``check_*`` function takes what a person sent and returns it cleaned
(trimmed, normalised), or raises ``Invalid`` whose errors name every bad field. Whether a
domain slug exists in the taxonomy is for the caller to check (it needs the database).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from expertloop.core.errors import FieldError, invalid

DOMAIN_SLUG = re.compile(r"^[a-z][a-z0-9_-]{1,59}$")
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|[0-9]{3}))?$")
ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

MAX_DOMAINS = 30
MAX_LANGUAGES = 20
MAX_ATTRIBUTES = 20
MAX_ATTRIBUTE_CHARS = 200
MAX_TITLE_CHARS = 300
MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 2_000
MIN_YEAR = 1900
MAX_YEARS = 80
MAX_RATE = Decimal("10000")
CENT = Decimal("0.01")

BACKGROUND_ATTRIBUTES = ("region", "sector", "years_of_practice", "school_of_thought")
"""The background attributes every profile page asks for (panel diversity uses them)."""
INTEGER_ATTRIBUTES = frozenset({"years_of_practice"})


class CredentialKind(StrEnum):
    """What sort of credential an expert claims."""

    DEGREE = "degree"
    """An academic degree (MD, JD, PhD...)."""
    LICENCE = "licence"
    """A licence to practise (medical board, bar...)."""
    CERTIFICATION = "certification"
    """A professional certification (CFA, board certification...)."""
    EXPERIENCE = "experience"
    """Years of practice in a field; needs ``years_of_practice``."""


@dataclass(frozen=True)
class Profile:
    """A checked expert profile."""

    domains: list[str]
    languages: list[str]
    attributes: dict[str, str | int]


@dataclass(frozen=True)
class CredentialFields:
    """A checked credential claim."""

    kind: CredentialKind
    title: str
    issuer: str
    year: int | None
    years_of_practice: int | None


@dataclass(frozen=True)
class DomainFields:
    """A checked new domain of the taxonomy."""

    slug: str
    name: str
    parent: str | None


def check_profile(*, domains: Any, languages: Any, attributes: Any) -> Profile:
    """A profile's domains (slugs), languages (tags like ``en``, ``pt-BR``) and attributes.

    Args:
        domains: domain slugs; duplicates are dropped, order kept.
        languages: language tags; case is normalised (``PT-br`` becomes ``pt-BR``).
        attributes: background attributes, ``key -> text or integer``; an empty value
            removes the attribute; ``years_of_practice`` must be an integer.

    Returns:
        The cleaned profile.

    Raises:
        Invalid: ``profile.invalid`` naming each bad field (``domains[1]``, ``attributes.x``).
    """
    errors: list[FieldError] = []
    slugs = _check_list(domains, "domains", MAX_DOMAINS, _check_slug, errors)
    tags = _check_list(languages, "languages", MAX_LANGUAGES, _check_language, errors)
    cleaned = _check_attributes(attributes, errors)
    if errors:
        raise invalid("profile.invalid", errors)
    return Profile(domains=slugs, languages=tags, attributes=cleaned)


def _check_list(
    values: Any,
    field: str,
    limit: int,
    check: Any,
    errors: list[FieldError],
) -> list[str]:
    if not isinstance(values, Sequence) or isinstance(values, str):
        errors.append(FieldError(field, "must be a list"))
        return []
    if len(values) > limit:
        errors.append(FieldError(field, f"must have at most {limit} entries"))
        return []
    found: list[str] = []
    for index, value in enumerate(values):
        cleaned = check(value, f"{field}[{index}]", errors)
        if cleaned is not None and cleaned not in found:
            found.append(cleaned)
    return found


def _check_slug(value: Any, field: str, errors: list[FieldError]) -> str | None:
    if isinstance(value, str) and DOMAIN_SLUG.match(value.strip()):
        return value.strip()
    errors.append(
        FieldError(field, "must be a domain slug: a-z first, then 1 to 59 of a-z, 0-9, _ or -")
    )
    return None


def split_language_tags(text: str) -> list[str]:
    """Tags typed in one box (``en, pt-BR fr``): split on commas, semicolons and spaces."""
    return [tag for tag in re.split(r"[,;\s]+", text) if tag]


def normalise_language(tag: str) -> str:
    """``PT-br`` -> ``pt-BR``, ``ZH-hant-tw`` -> ``zh-Hant-TW`` (BCP 47 letter case)."""
    parts = tag.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.title() if len(part) == 4 else part.upper())
    return "-".join(out)


def _check_language(value: Any, field: str, errors: list[FieldError]) -> str | None:
    tag = normalise_language(value) if isinstance(value, str) else ""
    if LANGUAGE_TAG.match(tag):
        return tag
    errors.append(FieldError(field, "must be a language tag such as en, pt-BR or zh-Hant-TW"))
    return None


def _check_attributes(values: Any, errors: list[FieldError]) -> dict[str, str | int]:
    if not isinstance(values, Mapping):
        errors.append(FieldError("attributes", "must be an object of key: value"))
        return {}
    if len(values) > MAX_ATTRIBUTES:
        errors.append(FieldError("attributes", f"must have at most {MAX_ATTRIBUTES} entries"))
        return {}
    cleaned: dict[str, str | int] = {}
    for key, value in values.items():
        field = f"attributes.{key}"
        if not isinstance(key, str) or not ATTRIBUTE_KEY.match(key):
            errors.append(FieldError(field, "the key must be a-z first, then a-z, 0-9 or _ (40)"))
            continue
        checked = _attribute_value(key, value, field, errors)
        if checked is not None:
            cleaned[key] = checked
    return cleaned


def _attribute_value(
    key: str, value: Any, field: str, errors: list[FieldError]
) -> str | int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if key in INTEGER_ATTRIBUTES:
        return check_years(value, field, errors)
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors.append(FieldError(field, "must be a text or an integer"))
        return None
    if isinstance(value, str) and len(value.strip()) > MAX_ATTRIBUTE_CHARS:
        errors.append(FieldError(field, f"must be at most {MAX_ATTRIBUTE_CHARS} characters"))
        return None
    return value.strip() if isinstance(value, str) else value


def check_years(value: Any, field: str, errors: list[FieldError]) -> int | None:
    """Years of practice: a whole number from 0 to 80 (digits in a text are accepted)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_YEARS:
        return value
    errors.append(FieldError(field, f"must be a whole number of years from 0 to {MAX_YEARS}"))
    return None


def check_credential(
    *,
    kind: Any,
    title: Any,
    issuer: Any = "",
    year: Any = None,
    years_of_practice: Any = None,
    this_year: int,
) -> CredentialFields:
    """A credential an expert claims.

    Args:
        kind: ``degree``, ``licence``, ``certification`` or ``experience``.
        title: what it is ("MD", "Member of the Bar of England and Wales"), 1 to 300 characters.
        issuer: who issued it, up to 300 characters.
        year: the year it was obtained, 1900 to ``this_year``, or None.
        years_of_practice: 0 to 80, or None; required for ``experience``.
        this_year: the current year (the caller's clock).

    Raises:
        Invalid: ``credential.invalid`` naming each bad field.
    """
    errors: list[FieldError] = []
    kinds = [k.value for k in CredentialKind]
    if kind not in kinds:
        errors.append(FieldError("kind", f"must be one of {', '.join(kinds)}"))
    clean_title = _text(title, "title", MAX_TITLE_CHARS, errors, required=True)
    clean_issuer = _text(issuer or "", "issuer", MAX_TITLE_CHARS, errors, required=False)
    clean_year = _year(year, this_year, errors)
    years = (
        None
        if years_of_practice in (None, "")
        else check_years(years_of_practice, "years_of_practice", errors)
    )
    if kind == CredentialKind.EXPERIENCE and years_of_practice in (None, ""):
        errors.append(FieldError("years_of_practice", "is required for experience"))
    if errors:
        raise invalid("credential.invalid", errors)
    return CredentialFields(CredentialKind(kind), clean_title, clean_issuer, clean_year, years)


def _text(value: Any, field: str, limit: int, errors: list[FieldError], *, required: bool) -> str:
    if not isinstance(value, str):
        errors.append(FieldError(field, "must be a text"))
        return ""
    text = value.strip()
    if required and not text:
        errors.append(FieldError(field, "is required"))
    elif len(text) > limit:
        errors.append(FieldError(field, f"must be at most {limit} characters"))
    return text


def _year(value: Any, this_year: int, errors: list[FieldError]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and MIN_YEAR <= value <= this_year:
        return value
    errors.append(FieldError("year", f"must be a year from {MIN_YEAR} to {this_year}"))
    return None


def check_note(value: Any, *, code: str, field: str = "note") -> str:
    """A required note or reason (a verification note, why a qualification changed).

    Raises:
        Invalid: ``code`` naming ``field`` when empty or longer than 2,000 characters.
    """
    errors: list[FieldError] = []
    text = _text(value, field, MAX_NOTE_CHARS, errors, required=True)
    if errors:
        raise invalid(code, errors)
    return text


def check_description(value: Any, *, code: str) -> str:
    """A track's description: a text of up to 2,000 characters (may be empty).

    Raises:
        Invalid: ``code`` naming ``description``.
    """
    errors: list[FieldError] = []
    text = _text(value, "description", MAX_NOTE_CHARS, errors, required=False)
    if errors:
        raise invalid(code, errors)
    return text


def check_domain(*, slug: Any, name: Any, parent: Any = None) -> DomainFields:
    """A new domain of the taxonomy: its slug, its display name and its parent's slug.

    Raises:
        Invalid: ``domain.invalid`` naming each bad field.
    """
    errors: list[FieldError] = []
    clean_slug = _check_slug(slug, "slug", errors) or ""
    clean_name = _text(name, "name", MAX_NAME_CHARS, errors, required=True)
    clean_parent = None
    if parent not in (None, ""):
        clean_parent = _check_slug(parent, "parent", errors)
    if errors:
        raise invalid("domain.invalid", errors)
    return DomainFields(clean_slug, clean_name, clean_parent)


def check_rate(value: Any, field: str = "hourly_rate") -> Decimal:
    """An hourly rate in USD: more than 0, at most 10,000, with at most 2 decimals.

    Raises:
        Invalid: ``track.invalid`` naming ``field``.
    """
    message = "must be an amount above 0 and at most 10000, with at most 2 decimals"
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid("track.invalid", [FieldError(field, message)]) from None
    if isinstance(value, bool) or not rate.is_finite() or not 0 < rate <= MAX_RATE:
        raise invalid("track.invalid", [FieldError(field, message)])
    if rate != rate.quantize(CENT):
        raise invalid("track.invalid", [FieldError(field, message)])
    return rate.quantize(CENT)


def format_money(amount: Decimal) -> str:
    """An amount as the API writes money: a string with 2 decimals (``"50.00"``)."""
    return f"{amount.quantize(CENT):.2f}"
