"""Sending a request with retries: which failures are worth another try, and how long to wait.

Only calls that are safe to repeat are ever retried (the client says which); for those, a
connection error, a timeout, 429, 502, 503 and 504 are tried again up to ``retries`` times,
waiting ``backoff * 2**n`` seconds (n = 0, 1, 2, ...), or what a ``Retry-After`` of up to
:data:`MAX_WAIT` seconds asks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_WAIT = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a safe call is repeated.

    Attributes:
        retries: repeats after the first attempt (0: never repeat).
        backoff: the first wait in seconds; each later wait doubles.
        sleep: the function that waits (tests pass one that records).
    """

    retries: int = 3
    backoff: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        if self.retries < 0 or self.backoff < 0:
            raise ValueError("retries and backoff must not be negative")

    def wait(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds to wait before repeat ``attempt + 1`` (0-based ``attempt``)."""
        asked = retry_after(response) if response is not None else None
        if asked is not None:
            return min(asked, MAX_WAIT)
        return min(self.backoff * 2.0**attempt, MAX_WAIT)


def retry_after(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds, when it is a number (dates are ignored)."""
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def send_with_retries(
    client: httpx.Client,
    request: httpx.Request,
    *,
    policy: RetryPolicy,
    safe: bool,
    stream: bool = False,
) -> httpx.Response:
    """Send ``request``, repeating it under ``policy`` only when ``safe``.

    Args:
        client: the connection pool to send through.
        request: the built request (its body is bytes, so it can be sent again).
        policy: retries and waits.
        safe: whether repeating the call cannot change its effect.
        stream: leave the body unread (the caller reads it, then closes the response).

    Returns:
        The last answer, whatever its status.

    Raises:
        httpx.TransportError: the server could not be reached, on the last attempt.
    """
    attempts = policy.retries + 1 if safe else 1
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            response = client.send(request, stream=stream)
        except httpx.TransportError:
            if last:
                raise
            policy.sleep(policy.wait(attempt, None))
            continue
        if last or response.status_code not in RETRY_STATUSES:
            return response
        response.close()
        policy.sleep(policy.wait(attempt, response))
    raise AssertionError("unreachable: the last attempt returns or raises")
