"""A per-process memory of API tokens recently found valid.

Looking a token up costs a database query and a thread hop on every call; remembering a valid
API token for a few seconds saves both on the hot path (claim, submit). The price is written
in the setting ``auth_cache_seconds``: a revoked token or a disabled user may still be served
by a process for that long. Browser sessions are never cached, so logging out is immediate.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from expertloop.services.users import Authenticated


class TokenCache:
    """Valid API tokens with the moment each stops being trusted without a new look-up."""

    def __init__(self, seconds: float, *, size: int = 10_000) -> None:
        self.ttl = timedelta(seconds=seconds)
        self.size = size
        self._entries: OrderedDict[str, tuple[datetime, Authenticated]] = OrderedDict()

    def get(self, token: str, now: datetime) -> Authenticated | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        until, login = entry
        if now >= until:
            del self._entries[token]
            return None
        return login

    def put(self, token: str, login: Authenticated, now: datetime) -> None:
        if self.ttl <= timedelta(0) or login.kind != "api":
            return
        self._entries[token] = (now + self.ttl, login)
        self._entries.move_to_end(token)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
