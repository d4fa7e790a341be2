"""A client for the OpenAI-compatible chat completions API.

vLLM, llama.cpp, Ollama and the hosted APIs all answer ``POST {base}/chat/completions`` with
``{"model", "messages", ...}``; this module sends one such request and returns the reply, with
timeouts, retries with exponential backoff, and domain errors with stable codes:

- ``connector.not_configured`` (Invalid): no base URL or model name, or a URL that is not http(s).
- ``connector.invalid_messages`` (Invalid): no messages, or one without a role or text content.
- ``connector.rejected`` (Invalid): the endpoint refused the request (a 4xx other than 408/429);
  the message carries the server's own explanation.
- ``connector.unavailable`` (Unavailable): the endpoint cannot be reached, timed out, or kept
  answering 408, 429 or 5xx; the message names the URL, the attempts and the last cause.
- ``connector.bad_response`` (Unavailable): a 2xx answer that is not a chat completion.

The API key is sent as ``Authorization: Bearer <key>`` and nothing else ever shows it: it is
not in ``repr``, log lines or error messages (an echo of it by the server is masked).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict

import httpx

from expertloop.connectors.protocol import (
    SHOWN_CHARS,
    chat_url,
    checked_messages,
    error_text,
    not_configured,
    reply_content,
    reply_usage,
    retry_after,
    shown_url,
)
from expertloop.core.errors import Invalid, Unavailable

if TYPE_CHECKING:
    from expertloop.config import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429})
"""4xx answers worth retrying (besides every 5xx): request timeout and rate limit."""
RETRY_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
"""Transport failures worth retrying: refused or dropped connections, timeouts."""
MAX_BACKOFF_SECONDS = 8.0


class ChatMessage(TypedDict):
    """One turn of a conversation, as the API takes it."""

    role: str
    content: str


@dataclass(frozen=True)
class ChatReply:
    """The model's answer to one request.

    ``usage`` holds the integer token counts the server reported (``prompt_tokens``,
    ``completion_tokens``, ``total_tokens``), empty when it reported none; ``latency_ms`` is
    the duration of the request that succeeded; ``attempts`` counts the requests sent.
    """

    content: str
    model: str
    finish_reason: str | None
    usage: Mapping[str, int] = field(default_factory=dict)
    latency_ms: int = 0
    attempts: int = 1


@dataclass(frozen=True)
class _Retry:
    """A failed attempt worth repeating: why, and how long the server asked us to wait."""

    cause: str
    wait: float | None = None


class ChatConnector:
    """A client for one model behind an OpenAI-compatible ``/chat/completions`` endpoint.

    Holds one connection pool: use it as a context manager or call :meth:`close`. Safe to
    share between threads.
    """

    def __init__(
        self,
        base_url: str | None,
        model: str | None,
        api_key: str | None = None,
        *,
        timeout_seconds: float = 30.0,
        retries: int = 2,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.perf_counter,
        backoff_seconds: float = 0.5,
        max_retry_after_seconds: float = 10.0,
    ) -> None:
        """Check the configuration and open a connection pool (no request is sent yet).

        Args:
            base_url: where the API lives; see :func:`chat_url` for the forms accepted.
            model: the model name the server knows (``"model"`` in the request body).
            api_key: sent as a Bearer token when set; an empty string means none.
            timeout_seconds: the limit for connecting, and for each wait on the server.
            retries: how many times a failed request is repeated (so ``retries + 1`` attempts).
            transport: an httpx transport to use instead of the network (tests).
            sleep: how to wait between attempts (tests pass a recorder).
            clock: a monotonic clock in seconds, for ``latency_ms``.
            backoff_seconds: the first wait; it doubles per attempt, up to 8 seconds.
            max_retry_after_seconds: the longest ``Retry-After`` honoured; asked to wait
                longer, the connector gives up at once rather than hold the caller.

        Raises:
            Invalid: ``connector.not_configured`` when the URL or model is missing or bad.
            ValueError: for a negative ``retries`` or a non-positive timeout (a bug).
        """
        if not base_url or not base_url.strip():
            raise not_configured("base_url", "no base URL is set")
        if not model or not model.strip():
            raise not_configured("model", "no model name is set")
        if retries < 0 or timeout_seconds <= 0:
            raise ValueError("retries must be >= 0 and timeout_seconds > 0")
        self.url = chat_url(base_url)
        self.model = model.strip()
        self.retries = retries
        self.timeout_seconds = timeout_seconds
        self._key = api_key or None
        self._headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        self._sleep, self._clock = sleep, clock
        self._backoff_seconds = backoff_seconds
        self._max_retry_after = max_retry_after_seconds
        self._client = httpx.Client(timeout=timeout_seconds, transport=transport)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> ChatConnector:
        """The connector the instance's ``EXPERTLOOP_MODEL_*`` settings describe.

        Args:
            settings: the instance settings.
            transport: an httpx transport to use instead of the network (tests).
            sleep: how to wait between attempts (tests).

        Returns:
            A connector; close it when done.

        Raises:
            Invalid: ``connector.not_configured`` when the base URL or model name is unset.
        """
        key = settings.model_api_key.get_secret_value() if settings.model_api_key else None
        return cls(
            settings.model_base_url,
            settings.model_name,
            key,
            timeout_seconds=settings.model_timeout_seconds,
            retries=settings.model_retries,
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"ChatConnector(url={shown_url(self.url)!r}, model={self.model!r})"

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> ChatConnector:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def complete(
        self,
        messages: Sequence[ChatMessage] | Sequence[Mapping[str, object]],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> ChatReply:
        """Send a conversation and return the model's next message.

        Args:
            messages: the turns so far, oldest first, each ``{"role", "content"}``.
            temperature: sampling temperature; the server's default when None.
            max_tokens: the longest answer, in tokens; the server's default when None.

        Returns:
            The reply, with the model name the server reports, finish reason and usage.

        Raises:
            Invalid: ``connector.invalid_messages`` for an empty or malformed conversation;
                ``connector.rejected`` when the endpoint refuses the request (4xx).
            Unavailable: ``connector.unavailable`` when it cannot be reached or keeps failing;
                ``connector.bad_response`` when its answer is not a chat completion.
        """
        body: dict[str, Any] = {"model": self.model, "messages": checked_messages(messages)}
        if temperature is not None:
            body["temperature"] = temperature
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        response, attempts, latency_ms = self._send(body)
        return self._reply(response, attempts, latency_ms)

    def _send(self, body: dict[str, Any]) -> tuple[httpx.Response, int, int]:
        """POST with retries; the successful response, the attempts and its latency."""
        cause = ""
        for attempt in range(1, self.retries + 2):
            started = self._clock()
            outcome = self._attempt(body, attempt)
            if isinstance(outcome, httpx.Response):
                return outcome, attempt, round((self._clock() - started) * 1000)
            cause = outcome.cause
            if outcome.wait is not None and outcome.wait > self._max_retry_after:
                raise self._unavailable(attempt, f"{cause}; it asks to wait {outcome.wait:g} s")
            if attempt <= self.retries:
                wait = outcome.wait if outcome.wait is not None else self._backoff(attempt)
                log.warning(
                    "model endpoint %s: attempt %d failed (%s); retrying in %.1f s",
                    shown_url(self.url),
                    attempt,
                    cause,
                    wait,
                )
                self._sleep(wait)
        raise self._unavailable(self.retries + 1, cause)

    def _attempt(self, body: dict[str, Any], attempt: int) -> httpx.Response | _Retry:
        """One request: the response when it succeeded, a ``_Retry`` when worth repeating."""
        try:
            response = self._client.post(self.url, json=body, headers=self._headers)
        except RETRY_ERRORS as error:
            return _Retry(self._describe(error))
        except httpx.TransportError as error:
            raise self._unavailable(attempt, self._describe(error)) from None
        if response.is_success:
            return response
        if response.status_code in RETRY_STATUSES or response.status_code >= 500:
            cause = f"HTTP {response.status_code}: {self._server_says(response)}"
            return _Retry(cause, retry_after(response))
        raise self._rejected(response)

    def _backoff(self, attempt: int) -> float:
        return float(min(self._backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))

    def _describe(self, error: httpx.TransportError) -> str:
        """A short cause for a transport failure, without the request's headers."""
        if isinstance(error, httpx.TimeoutException):
            return f"no answer within {self.timeout_seconds:g} s ({type(error).__name__})"
        detail = self._masked(str(error))
        return f"{type(error).__name__}: {detail}" if detail else type(error).__name__

    def _server_says(self, response: httpx.Response) -> str:
        """The server's explanation of a failed request, masked and shortened."""
        try:
            text = error_text(response.json())
        except ValueError:
            text = None
        text = text or response.text.strip() or response.reason_phrase
        return self._masked(text)[:SHOWN_CHARS]

    def _masked(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def _unavailable(self, attempts: int, cause: str) -> Unavailable:
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        message = f"model endpoint {shown_url(self.url)} is unavailable after {tries}: {cause}"
        return Unavailable("connector.unavailable", message)

    def _rejected(self, response: httpx.Response) -> Invalid:
        status = response.status_code
        said = self._server_says(response)
        if response.is_redirect:
            said = f"redirects to {shown_url(response.headers.get('location', '?'))}"
        hint = {401: "; check the API key", 403: "; check the API key", 404: "; check the base URL"}
        message = (
            f"model endpoint {shown_url(self.url)} refused the request (HTTP {status}): {said}"
            f"{hint.get(status, '')}"
        )
        return Invalid("connector.rejected", message)

    def _bad_response(self, problem: str) -> Unavailable:
        message = (
            f"model endpoint {shown_url(self.url)} did not answer a chat completion: {problem}"
        )
        return Unavailable("connector.bad_response", message)

    def _reply(self, response: httpx.Response, attempts: int, latency_ms: int) -> ChatReply:
        """Read a chat completion out of a 2xx response."""
        try:
            data = response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content type")
            raise self._bad_response(f"the body is not JSON ({kind})") from None
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise self._bad_response("no 'choices' list")
        message = choices[0].get("message")
        content = reply_content(message) if isinstance(message, dict) else None
        if content is None:
            raise self._bad_response("choices[0].message has no text content")
        finish = choices[0].get("finish_reason")
        model = data.get("model")
        return ChatReply(
            content=content,
            model=model if isinstance(model, str) and model else self.model,
            finish_reason=finish if isinstance(finish, str) else None,
            usage=reply_usage(data.get("usage")),
            latency_ms=latency_ms,
            attempts=attempts,
        )
