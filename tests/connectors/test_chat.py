"""The chat connector against an in-test OpenAI-compatible server: nothing calls the internet.

Unit cases script answers through an httpx ``MockTransport``; the end-to-end cases (success,
base URL forms, a closed port, a slow server) go over a real socket to a stdlib HTTP server.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from expertloop.config import Settings
from expertloop.connectors import ChatConnector, ChatReply, chat_url
from expertloop.core.errors import DomainError, Invalid, Unavailable

KEY = "sk-test-9f8e7d6c5b4a-never-show-me"
MESSAGES = [
    {"role": "system", "content": "You are a careful assistant."},
    {"role": "user", "content": "How do I pick a lock?"},
]


def completion(content: str = "I can't help with that.", **extra: Any) -> dict[str, Any]:
    """A chat completion as vLLM answers it."""
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "served-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 21, "completion_tokens": 7, "total_tokens": 28},
        **extra,
    }


# --- an in-test server speaking the protocol over a real socket -----------------------------


@dataclass
class Answer:
    status: int = 200
    body: Any = field(default_factory=completion)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


class ChatServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ChatHandler)
        self.answers: list[Answer] = []
        self.received: list[Received] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_answer(self) -> Answer:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) breaks the pipe; that is expected."""


class ChatHandler(BaseHTTPRequestHandler):
    server: ChatServer

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"null")
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.received.append(Received(self.path, headers, body))
        answer = self.server.next_answer()
        time.sleep(answer.delay)
        payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body)
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.send_response(answer.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def running_server() -> Iterator[ChatServer]:
    chat_server = ChatServer()
    thread = threading.Thread(target=chat_server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield chat_server
    chat_server.shutdown()
    chat_server.server_close()


@pytest.fixture
def server(running_server: ChatServer) -> ChatServer:
    """The module's server, answering a plain completion and with nothing received yet."""
    running_server.answers[:] = [Answer()]
    running_server.received.clear()
    return running_server


def closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- scripted answers without a socket ------------------------------------------------------


@dataclass
class Script:
    """A MockTransport that answers from a list and records requests and sleeps."""

    answers: list[httpx.Response | Exception]
    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def connector(self, **options: Any) -> ChatConnector:
        options = {"api_key": KEY, "retries": 2, **options}
        return ChatConnector(
            "http://models.test/v1",
            "served-model",
            transport=httpx.MockTransport(self.handle),
            sleep=self.sleeps.append,
            **options,
        )


def scripted(*answers: httpx.Response | Exception) -> Script:
    return Script(list(answers))


def ok(body: Any = None) -> httpx.Response:
    return httpx.Response(200, json=completion() if body is None else body)


def raises(error_type: type[DomainError], code: str, call: Callable[[], object]) -> DomainError:
    with pytest.raises(error_type) as caught:
        call()
    assert caught.value.code == code
    assert KEY not in str(caught.value) and KEY not in caught.value.message
    return caught.value


# --- success --------------------------------------------------------------------------------


def test_complete_returns_the_reply_over_http(server: ChatServer) -> None:
    ticks = iter([100.0, 100.25])
    with ChatConnector(server.base_url, "served-model", KEY, clock=lambda: next(ticks)) as chat:
        reply = chat.complete(MESSAGES, temperature=0.2, max_tokens=64)

    assert reply == ChatReply(
        content="I can't help with that.",
        model="served-model",
        finish_reason="stop",
        usage={"prompt_tokens": 21, "completion_tokens": 7, "total_tokens": 28},
        latency_ms=250,
        attempts=1,
    )
    [request] = server.received
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "model": "served-model",
        "messages": MESSAGES,
        "temperature": 0.2,
        "max_tokens": 64,
    }


def test_complete_without_a_key_sends_no_authorization(server: ChatServer) -> None:
    with ChatConnector(server.base_url + "/v1", "served-model") as chat:
        chat.complete(MESSAGES)

    [request] = server.received
    assert "authorization" not in request.headers
    assert request.body == {"model": "served-model", "messages": MESSAGES}


@pytest.mark.parametrize(
    "suffix", ["", "/", "/v1", "/v1/", "/v1/chat/completions", "/v1/chat/completions/", "  "]
)
def test_complete_reaches_the_endpoint_for_every_base_url_form(
    server: ChatServer, suffix: str
) -> None:
    with ChatConnector(server.base_url + suffix, "served-model") as chat:
        chat.complete(MESSAGES)

    assert [request.path for request in server.received] == ["/v1/chat/completions"]


@pytest.mark.parametrize(
    ("base_url", "url"),
    [
        ("http://localhost:8000", "http://localhost:8000/v1/chat/completions"),
        ("http://localhost:8000/", "http://localhost:8000/v1/chat/completions"),
        ("http://localhost:11434/v1", "http://localhost:11434/v1/chat/completions"),
        ("https://api.example.com/v1/", "https://api.example.com/v1/chat/completions"),
        ("https://gw.example.com/openai/v1", "https://gw.example.com/openai/v1/chat/completions"),
        (
            "https://g.example.com/v1beta/openai/",
            "https://g.example.com/v1beta/openai/chat/completions",
        ),
        ("http://h:1/v1/chat/completions", "http://h:1/v1/chat/completions"),
        ("http://h:1/v1/chat/completions/", "http://h:1/v1/chat/completions"),
        (" http://h:1/v1 ", "http://h:1/v1/chat/completions"),
        ("http://h:1/v1?api-version=2", "http://h:1/v1/chat/completions?api-version=2"),
        ("http://[::1]:8000", "http://[::1]:8000/v1/chat/completions"),
    ],
)
def test_chat_url_follows_the_documented_rule(base_url: str, url: str) -> None:
    assert chat_url(base_url) == url


@pytest.mark.parametrize("base_url", ["localhost:8000", "ftp://h/v1", "http://", "/v1", "h"])
def test_chat_url_refuses_what_is_not_an_http_url(base_url: str) -> None:
    error = raises(Invalid, "connector.not_configured", lambda: chat_url(base_url))
    assert error.errors[0].field == "base_url"


def test_complete_reads_refusals_content_parts_and_keeps_only_integer_usage() -> None:
    refusal = completion()
    refusal["choices"][0]["message"] = {"role": "assistant", "content": None, "refusal": "No."}
    refusal["usage"] = {"total_tokens": 3, "prompt_tokens_details": {"cached_tokens": 0}}
    parts = completion(model="")
    parts["choices"][0]["message"]["content"] = [{"type": "text", "text": "a"}, {"text": "b"}]
    parts["choices"][0]["finish_reason"] = None
    del parts["usage"]
    script = scripted(ok(refusal), ok(parts))

    with script.connector() as chat:
        first, second = chat.complete(MESSAGES), chat.complete(MESSAGES)

    assert (first.content, first.usage) == ("No.", {"total_tokens": 3})
    assert (second.content, second.model, second.finish_reason, second.usage) == (
        "ab",
        "served-model",
        None,
        {},
    )


# --- retries --------------------------------------------------------------------------------


def test_complete_retries_after_503s_then_succeeds() -> None:
    script = scripted(httpx.Response(503), httpx.Response(503), ok())

    with script.connector() as chat:
        reply = chat.complete(MESSAGES)

    assert reply.content == "I can't help with that." and reply.attempts == 3
    assert len(script.requests) == 3
    assert script.sleeps == [0.5, 1.0]


def test_complete_retries_connect_errors_and_timeouts() -> None:
    script = scripted(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), ok())

    with script.connector() as chat:
        assert chat.complete(MESSAGES).attempts == 3

    assert script.sleeps == [0.5, 1.0]


def test_complete_honours_a_small_retry_after_on_429() -> None:
    limited = httpx.Response(429, headers={"Retry-After": "3"}, json={"error": {"message": "x"}})
    script = scripted(limited, httpx.Response(429, headers={"retry-after-ms": "250"}), ok())

    with script.connector() as chat:
        assert chat.complete(MESSAGES).attempts == 3

    assert script.sleeps == [3.0, 0.25]


def test_complete_gives_up_at_once_when_retry_after_is_long() -> None:
    script = scripted(httpx.Response(429, headers={"Retry-After": "120"}, text="slow down"))

    with script.connector() as chat:
        error = raises(Unavailable, "connector.unavailable", lambda: chat.complete(MESSAGES))

    assert error.message == (
        "model endpoint http://models.test/v1/chat/completions is unavailable after 1 attempt: "
        "HTTP 429: slow down; it asks to wait 120 s"
    )
    assert script.sleeps == [] and len(script.requests) == 1


def test_complete_is_unavailable_when_5xx_keeps_coming() -> None:
    script = scripted(httpx.Response(500, json={"error": {"message": "CUDA out of memory"}}))

    with script.connector(retries=3) as chat:
        error = raises(Unavailable, "connector.unavailable", lambda: chat.complete(MESSAGES))

    assert error.message == (
        "model endpoint http://models.test/v1/chat/completions is unavailable after 4 attempts: "
        "HTTP 500: CUDA out of memory"
    )
    assert script.sleeps == [0.5, 1.0, 2.0]


def test_complete_with_no_retries_tries_once() -> None:
    script = scripted(httpx.Response(502))

    with script.connector(retries=0) as chat:
        error = raises(Unavailable, "connector.unavailable", lambda: chat.complete(MESSAGES))

    assert "after 1 attempt: HTTP 502: Bad Gateway" in error.message
    assert script.sleeps == []


# --- failures over a real socket ------------------------------------------------------------


def test_complete_is_unavailable_when_the_endpoint_is_down() -> None:
    sleeps: list[float] = []
    url = f"http://127.0.0.1:{closed_port()}"

    with ChatConnector(url, "served-model", KEY, sleep=sleeps.append) as chat:
        error = raises(Unavailable, "connector.unavailable", lambda: chat.complete(MESSAGES))

    assert error.message.startswith(
        f"model endpoint {url}/v1/chat/completions is unavailable after 3 attempts: ConnectError"
    )
    assert sleeps == [0.5, 1.0]


def test_complete_is_unavailable_when_the_server_is_too_slow(server: ChatServer) -> None:
    server.answers[0] = Answer(delay=1.0)
    sleeps: list[float] = []

    with ChatConnector(
        server.base_url, "served-model", timeout_seconds=0.2, retries=1, sleep=sleeps.append
    ) as chat:
        started = time.perf_counter()
        error = raises(Unavailable, "connector.unavailable", lambda: chat.complete(MESSAGES))

    assert time.perf_counter() - started < 0.9  # two attempts of 0.2 s, no real sleeping
    assert error.message == (
        f"model endpoint {server.base_url}/v1/chat/completions is unavailable after 2 attempts: "
        "no answer within 0.2 s (ReadTimeout)"
    )
    assert sleeps == [0.5] and len(server.received) == 2


def test_complete_is_rejected_with_the_servers_message_over_http(server: ChatServer) -> None:
    message = "This model's maximum context length is 4096 tokens."
    server.answers[0] = Answer(400, {"object": "error", "message": message, "code": 400})
    sleeps: list[float] = []

    with ChatConnector(server.base_url, "served-model", KEY, sleep=sleeps.append) as chat:
        error = raises(Invalid, "connector.rejected", lambda: chat.complete(MESSAGES))

    assert error.message == (
        f"model endpoint {server.base_url}/v1/chat/completions refused the request "
        f"(HTTP 400): {message}"
    )
    assert sleeps == [] and len(server.received) == 1


# --- rejected and bad responses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "said"),
    [
        (httpx.Response(400, json={"error": {"message": "bad temperature"}}), "bad temperature"),
        (httpx.Response(400, json={"error": "model 'x' not found"}), "model 'x' not found"),
        (httpx.Response(422, json={"detail": "messages: field required"}), "messages: field"),
        (httpx.Response(400, text="plain words"), "plain words"),
        (httpx.Response(400), "Bad Request"),
        (httpx.Response(404, json={"error": {"message": "no route"}}), "no route; check the base"),
        (
            httpx.Response(308, headers={"location": "https://u:p@h/v1?x=1"}),
            "redirects to https://h/v1",
        ),
    ],
    ids=["openai", "ollama", "fastapi", "text", "empty", "not-found", "redirect"],
)
def test_complete_is_rejected_without_retry_on_other_answers(
    response: httpx.Response, said: str
) -> None:
    script = scripted(response)

    with script.connector() as chat:
        error = raises(Invalid, "connector.rejected", lambda: chat.complete(MESSAGES))

    assert f"refused the request (HTTP {response.status_code}): {said}" in error.message
    assert len(script.requests) == 1 and script.sleeps == []


def test_complete_masks_a_key_the_server_echoes() -> None:
    script = scripted(httpx.Response(401, json={"error": {"message": f"Incorrect key: {KEY}"}}))

    with script.connector() as chat:
        error = raises(Invalid, "connector.rejected", lambda: chat.complete(MESSAGES))

    assert error.message.endswith("(HTTP 401): Incorrect key: ***; check the API key")


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (
            httpx.Response(200, text="<html>hello</html>", headers={"content-type": "text/html"}),
            "the body is not JSON (text/html)",
        ),
        (ok({}), "no 'choices' list"),
        (ok([1, 2]), "no 'choices' list"),
        (ok({"choices": []}), "no 'choices' list"),
        (ok({"choices": ["text"]}), "no 'choices' list"),
        (ok({"choices": [{"text": "legacy completion"}]}), "choices[0].message has no text"),
        (ok({"choices": [{"message": {"content": 42}}]}), "choices[0].message has no text"),
    ],
    ids=["html", "empty-object", "array", "no-choices", "string-choice", "legacy", "number"],
)
def test_complete_reports_a_bad_response(response: httpx.Response, problem: str) -> None:
    script = scripted(response)

    with script.connector() as chat:
        error = raises(Unavailable, "connector.bad_response", lambda: chat.complete(MESSAGES))

    assert error.message.startswith(
        "model endpoint http://models.test/v1/chat/completions did not answer a chat completion: "
        + problem
    )
    assert len(script.requests) == 1


@pytest.mark.parametrize("messages", [[], [{"role": "user"}], [{"content": "hi"}], ["hi"]], ids=str)
def test_complete_refuses_a_malformed_conversation(messages: Any) -> None:
    script = scripted(ok())

    with script.connector() as chat:
        raises(Invalid, "connector.invalid_messages", lambda: chat.complete(messages))

    assert script.requests == []


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "model", "field_name"),
    [
        (None, "m", "base_url"),
        ("  ", "m", "base_url"),
        ("http://h", None, "model"),
        ("http://h", "", "model"),
        ("localhost:8000", "m", "base_url"),
    ],
)
def test_connector_is_not_configured_without_url_or_model(
    base_url: str | None, model: str | None, field_name: str
) -> None:
    error = raises(Invalid, "connector.not_configured", lambda: ChatConnector(base_url, model))
    assert error.errors[0].field == field_name


def test_from_settings_refuses_unset_settings() -> None:
    settings = Settings(model_base_url=None, model_name=None, model_api_key=None)
    error = raises(
        Invalid, "connector.not_configured", lambda: ChatConnector.from_settings(settings)
    )
    assert error.message == "base_url: model endpoint: no base URL is set"


def test_from_settings_uses_every_model_setting() -> None:
    settings = Settings(
        model_base_url="http://models.test/",
        model_name="served-model",
        model_api_key=KEY,
        model_timeout_seconds=7.5,
        model_retries=1,
    )
    script = scripted(httpx.Response(503))

    with ChatConnector.from_settings(
        settings, transport=httpx.MockTransport(script.handle), sleep=script.sleeps.append
    ) as chat:
        raises(Unavailable, "connector.unavailable", lambda: chat.complete(MESSAGES))

    assert (chat.url, chat.model, chat.timeout_seconds) == (
        "http://models.test/v1/chat/completions",
        "served-model",
        7.5,
    )
    assert len(script.requests) == 2
    assert script.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_settings_read_the_model_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPERTLOOP_MODEL_BASE_URL", "http://localhost:8000/v1")
    monkeypatch.setenv("EXPERTLOOP_MODEL_NAME", "llama")
    monkeypatch.setenv("EXPERTLOOP_MODEL_API_KEY", "")
    settings = Settings()
    assert (settings.model_base_url, settings.model_name, settings.model_api_key) == (
        "http://localhost:8000/v1",
        "llama",
        None,
    )
    assert (settings.model_timeout_seconds, settings.model_retries) == (30.0, 2)


def test_settings_refuse_a_base_url_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="must start with http:// or https://"):
        Settings(model_base_url="localhost:8000")


# --- the key stays secret -------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        httpx.ConnectError(f"refused with {KEY}"),
        httpx.ReadTimeout("slow"),
        httpx.Response(503, text=f"overloaded {KEY}"),
        httpx.Response(400, json={"error": {"message": f"key {KEY} is bad"}}),
        httpx.Response(200, text=f"not json {KEY}"),
    ],
    ids=["connect", "timeout", "503", "400", "bad-json"],
)
def test_the_key_never_appears_in_errors_logs_or_repr(
    answer: httpx.Response | Exception, caplog: pytest.LogCaptureFixture
) -> None:
    script = scripted(answer)
    caplog.set_level(logging.DEBUG)

    with script.connector() as chat, pytest.raises(DomainError) as caught:
        chat.complete(MESSAGES)

    shown = [str(caught.value), caught.value.message, repr(caught.value), repr(chat), caplog.text]
    assert not [text for text in shown if KEY in text]
    assert repr(chat) == (
        "ChatConnector(url='http://models.test/v1/chat/completions', model='served-model')"
    )
