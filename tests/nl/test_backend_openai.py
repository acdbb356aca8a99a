"""The OpenAI-compatible backend against a small fake server speaking the protocol over real
HTTP on loopback (http.server in a thread): proposals, registry validation, bounded retries."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from supplypilot.nlp import Copilot, OpenAIBackend, Session, backend_from_env
from supplypilot.tools import Context


def tool_call(name: str, args: dict[str, Any], cid: str = "call_1") -> dict[str, Any]:
    msg = {"role": "assistant", "content": None, "tool_calls": [
        {"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]}
    return {"id": "chatcmpl-1", "object": "chat.completion", "choices": [
        {"index": 0, "message": msg, "finish_reason": "tool_calls"}]}


def text_reply(content: str) -> dict[str, Any]:
    return {"id": "chatcmpl-2", "object": "chat.completion", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


class FakeServer:
    """Answers each POST with the next scripted response and keeps every request."""

    def __init__(self) -> None:
        self.script: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                data = json.dumps(fake.script.pop(0)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.close()


def backend(server: FakeServer, retries: int = 2) -> OpenAIBackend:
    return OpenAIBackend(base_url=server.url, model="qwen-test", api_key="sk-test", max_retries=retries, timeout=10)


def test_a_valid_proposal_becomes_the_call(server, catalog):
    """A tool call that validates is returned as is, strict schemas and key sent to the server."""
    server.script = [tool_call("forecast_demand", {"items": ["LT001-16-512"], "horizon": 28, "location": None})]
    res = backend(server).propose("forecast LT001-16-512 for 4 weeks", catalog, Session())
    assert [c.as_dict() for c in res.calls] == [{"name": "forecast_demand",
                                                "args": {"items": ["LT001-16-512"], "horizon": 28}}]
    req = server.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer sk-test"
    spec = next(t["function"] for t in req["body"]["tools"] if t["function"]["name"] == "forecast_demand")
    assert spec["strict"] is True and spec["parameters"]["additionalProperties"] is False


def test_an_invalid_call_gets_the_registry_message_and_a_retry(server, catalog):
    """horizon 0 is refused with the registry's message; the corrected call is accepted."""
    server.script = [tool_call("forecast_demand", {"horizon": 0}), tool_call("forecast_demand", {"horizon": 14}, "c2")]
    res = backend(server).propose("forecast for two weeks", catalog, Session())
    assert res.calls[0].args == {"horizon": 14}
    tool_msg = server.requests[1]["body"]["messages"][-1]
    assert tool_msg["role"] == "tool" and tool_msg["tool_call_id"] == "call_1"
    assert "The 'horizon' parameter of forecast_demand is invalid" in tool_msg["content"]


def test_an_unknown_code_is_refused_like_a_bad_value(server, catalog):
    """A code that is not in the catalog is sent back to the model with close codes."""
    server.script = [tool_call("inventory_position", {"item": "PH002-265"}),
                     tool_call("inventory_position", {"item": "PH002-256"}, "c2")]
    res = backend(server).propose("stock of PH002-256", catalog, Session())
    assert res.calls[0].args == {"item": "PH002-256"}
    assert "PH002-256" in server.requests[1]["body"]["messages"][-1]["content"]


def test_retries_are_bounded_then_the_user_is_asked(server, catalog):
    """After max_retries corrections that still fail, a clarifying question comes back."""
    server.script = [tool_call("forecast_everything", {})] * 3
    res = backend(server, retries=2).propose("forecast everything", catalog, Session())
    assert res.calls == [] and res.clarification.kind == "model_failed"
    assert len(server.requests) == 3


def test_a_model_question_is_passed_on_as_a_clarification(server, catalog):
    """When the model calls no tool, its question is the clarification."""
    server.script = [text_reply("Which laptop do you mean?")]
    res = backend(server).propose("stock of the laptop", catalog, Session())
    assert (res.calls, res.clarification.question) == ([], "Which laptop do you mean?")


def test_without_configuration_the_backend_is_offline(monkeypatch):
    """No SUPPLYPILOT_LLM_* variables: no LLM backend; with them, the adapter is configured."""
    monkeypatch.delenv("SUPPLYPILOT_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("SUPPLYPILOT_LLM_MODEL", raising=False)
    assert backend_from_env() is None
    monkeypatch.setenv("SUPPLYPILOT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("SUPPLYPILOT_LLM_MODEL", "m")
    monkeypatch.setenv("SUPPLYPILOT_LLM_API_KEY", "k")
    b = backend_from_env()
    assert (b.base_url, b.model, b.api_key) == ("http://127.0.0.1:9/v1", "m", "k")


def test_an_unreachable_server_falls_back_to_the_offline_parser(catalog):
    """The copilot notes the failure and parses offline instead of failing the question."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cp = Copilot(Context(store_url="sqlite://"), OpenAIBackend(f"http://127.0.0.1:{port}/v1", "m", timeout=2),
                 catalog=catalog)
    res = cp.parse("基于当前物流量、配送量，生成最优配送路线。")
    assert res.calls[0].name == "plan_routes" and "not reachable" in res.notes[0]
