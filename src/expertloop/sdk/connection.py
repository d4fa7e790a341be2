"""One signed-in connection pool to the API: builds requests, retries safe ones, raises the API's
errors, parses answers into schemas."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from expertloop.sdk.errors import error_from_response
from expertloop.sdk.retries import RetryPolicy, send_with_retries

API_PREFIX = "/api/v1"
USER_AGENT = "expertloop-sdk/0.1"
Model = TypeVar("Model", bound=BaseModel)
Params = dict[str, str | int]


class Connection:
    """An ``httpx.Client`` on ``{base_url}/api/v1`` with the bearer token and a retry policy."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float,
        retries: int,
        backoff: float,
        transport: httpx.BaseTransport | None,
    ) -> None:
        root = base_url.rstrip("/")
        if not root.endswith(API_PREFIX):
            root += API_PREFIX
        self.policy = RetryPolicy(retries=retries, backoff=backoff)
        self.http = httpx.Client(
            base_url=root,
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        """Close the pool."""
        self.http.close()

    def get(self, model: type[Model], path: str, *, params: Params | None = None) -> Model:
        """GET ``path`` (always safe to repeat) parsed as ``model``."""
        return self.call(model, "GET", path, params=params, safe=True)

    def call(
        self,
        model: type[Model],
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        safe: bool,
    ) -> Model:
        """Send the call and parse its answer as ``model``."""
        response = self.send(method, path, json=json, params=params, safe=safe)
        return model.model_validate_json(response.content)

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params | None = None,
        safe: bool,
    ) -> httpx.Response:
        """Send the call, retried under the policy when ``safe``; raise on an error answer."""
        request = self.http.build_request(method, path, json=json, params=params)
        response = send_with_retries(self.http, request, policy=self.policy, safe=safe)
        if response.is_error:
            raise error_from_response(response)
        return response

    def download(self, path: str, target: Path) -> Path:
        """GET ``path`` (retried like every GET) and stream its body into ``target``, written
        under a temporary name beside it and renamed into place when complete."""
        request = self.http.build_request("GET", path)
        response = send_with_retries(self.http, request, policy=self.policy, safe=True, stream=True)
        try:
            if response.is_error:
                response.read()
                raise error_from_response(response)
            handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                os.replace(partial, target)
            finally:
                Path(partial).unlink(missing_ok=True)
        finally:
            response.close()
        return target
