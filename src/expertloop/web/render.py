"""Rendering pages: one Jinja2 environment, its filters, and the security headers every page
carries (a Content-Security-Policy without inline script, so injected markup cannot run)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from expertloop.web.markdown import render_markdown, render_prompt

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/static"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def _release() -> str:
    try:
        return version("expertloop")
    except PackageNotFoundError:  # running from a source tree without installing
        return "dev"


def static_url(name: str) -> str:
    """The URL of a static file, with the release in it so upgrades bypass old caches."""
    return f"{STATIC_PREFIX}/{name}?v={_release()}"


def format_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def summarize_value(value: dict[str, Any]) -> str:
    """A judgment value in a few words: labels, or a pairwise choice with its strength."""
    if "labels" in value:
        return ", ".join(str(label) for label in value["labels"])
    if "choice" in value:
        choice = "Tie" if value["choice"] == "tie" else f"{value['choice']} is better"
        strength = value.get("strength")
        return f"{choice} (strength {strength})" if strength else choice
    return ", ".join(f"{key}: {item}" for key, item in sorted(value.items()))


def sentence(text: str) -> str:
    """Start a message with a capital letter, leaving the rest (codes, names) as it is."""
    return text[:1].upper() + text[1:]


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        markdown=render_markdown,
        prompt_turns=render_prompt,
        time=format_time,
        value_summary=summarize_value,
        sentence=sentence,
    )
    env.globals.update(static=static_url, percent=percent)
    return env


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page from ``template``; every page knows the request and the (optional) login."""
    context.setdefault("login", None)
    html = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
