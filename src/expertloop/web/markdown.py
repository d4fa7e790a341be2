"""Model and prompt text as safe HTML: Markdown rendered on the server, then sanitised.

Two layers, so one failing does not let active content through: markdown-it renders with raw
HTML disabled (tags in the text come out as escaped text, and it refuses ``javascript:`` links),
then nh3 keeps only an allow-list of tags and attributes and http/https/mailto links. The pages
also send a Content-Security-Policy that forbids inline script as a third line of defence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
ROLE_NAMES = {"system": "System", "user": "User", "assistant": "Assistant"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "commonmark" keeps a low nesting limit, so hostile deeply nested input stays cheap.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.add_render_rule("image", _image_as_link)
    return parser


def _image_as_link(renderer: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    """Show an image as a link to it: the page never loads images from model text."""
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env) or "image"
    src = escape(str(token.attrGet("src") or ""))
    return f'<a href="{src}">[image: {escape(alt)}]</a>'


def sanitize(html: str) -> str:
    """Keep only the allow-listed tags, attributes and link schemes of ``html``."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """Markdown text as sanitised HTML, ready to put in a template."""
    if not text:
        return Markup("")
    return Markup(sanitize(_parser().render(text)))  # safe: sanitised on this line


@dataclass(frozen=True)
class Turn:
    """One message of a chat prompt, its text already rendered."""

    role: str
    label: str
    html: Markup


def render_prompt(prompt: str | Sequence[Mapping[str, Any]] | None) -> list[Turn]:
    """A prompt as role-labelled turns: a plain text prompt is one turn by the user."""
    if prompt is None:
        return []
    if isinstance(prompt, str):
        return [Turn("user", "Prompt", render_markdown(prompt))]
    turns = []
    for message in prompt:
        role = str(message.get("role", "user"))
        content = message.get("content")
        turns.append(
            Turn(
                role if role in ROLE_NAMES else "user",
                ROLE_NAMES.get(role, "Message"),
                render_markdown(content if isinstance(content, str) else ""),
            )
        )
    return turns
