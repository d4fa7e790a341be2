"""The wire format of OpenAI-compatible chat completions: URLs, payload checks, reply parts.

Pure functions over plain data (no I/O), used by ``connectors.chat``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from expertloop.core.errors import FieldError, Invalid, invalid

SHOWN_CHARS = 300
"""How much of a server's error text an error message quotes."""


def not_configured(name: str, problem: str) -> Invalid:
    return invalid("connector.not_configured", [FieldError(name, f"model endpoint: {problem}")])


def chat_url(base_url: str) -> str:
    """The chat completions endpoint for a base URL as people type it.

    The rule: surrounding blanks and trailing slashes are dropped; a bare host (no path) gets
    ``/v1``; any other path is kept as given (as the OpenAI SDKs treat ``base_url``, so
    ``https://host/openai/v1`` and ``.../v1beta/openai/`` work); then ``/chat/completions`` is
    appended unless the path already ends with it. So ``http://localhost:8000``,
    ``http://localhost:8000/``, ``http://localhost:8000/v1/`` and
    ``http://localhost:8000/v1/chat/completions`` all mean
    ``http://localhost:8000/v1/chat/completions``.

    Args:
        base_url: an ``http://`` or ``https://`` URL.

    Returns:
        The URL to POST to.

    Raises:
        Invalid: ``connector.not_configured`` when the URL is not http(s) with a host.
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise not_configured("base_url", "must be an http:// or https:// URL with a host")
    path = parts.path.rstrip("/") or "/v1"
    if not path.endswith("/chat/completions"):
        path += "/chat/completions"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def shown_url(url: str) -> str:
    """The URL without user info or query, fit for messages and logs."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def checked_messages(messages: Sequence[Mapping[str, object]]) -> list[dict[str, str]]:
    """Plain ``{"role", "content"}`` dicts, or ``connector.invalid_messages``."""
    errors = [
        FieldError(f"messages[{index}]", "needs a text 'role' and a text 'content'")
        for index, message in enumerate(messages)
        if not isinstance(message, Mapping)
        or not isinstance(message.get("role"), str)
        or not isinstance(message.get("content"), str)
    ]
    if not messages:
        errors.append(FieldError("messages", "at least one message is needed"))
    if errors:
        raise invalid("connector.invalid_messages", errors)
    return [
        {"role": str(message["role"]), "content": str(message["content"])} for message in messages
    ]


def reply_content(message: dict[str, Any]) -> str | None:
    """The text of an assistant message: a string, text parts joined, or the refusal."""
    content = message.get("content")
    if isinstance(content, list):
        texts = [part.get("text") for part in content if isinstance(part, dict)]
        content = "".join(text for text in texts if isinstance(text, str))
    if content is None and isinstance(message.get("refusal"), str):
        content = message["refusal"]
    return content if isinstance(content, str) else None


def reply_usage(usage: Any) -> dict[str, int]:
    """The integer token counts of a ``usage`` object (nested details are dropped)."""
    if not isinstance(usage, dict):
        return {}
    return {
        name: value
        for name, value in usage.items()
        if isinstance(value, int) and not isinstance(value, bool)
    }


def error_text(data: Any) -> str | None:
    """The message in the error bodies servers send: OpenAI, vLLM, llama.cpp, Ollama, FastAPI."""
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    for text in (error, data.get("message"), data.get("detail")):
        if isinstance(text, str) and text.strip():
            return text.strip()
    return None


def retry_after(response: httpx.Response) -> float | None:
    """The wait a 429 or 503 asks for (``retry-after-ms`` or ``Retry-After`` in seconds).

    An HTTP-date ``Retry-After`` is not read; the connector's own backoff applies then.
    """
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = response.headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None
