"""An adapter for any OpenAI-compatible chat-completions server with tool calling (vLLM,
Ollama, llama.cpp server), over the standard library's ``urllib``.

The model sees every tool of the registry with its strict input schema
(``tool.input_schema(strict=True)``) and proposes calls; the registry validates them with the
same pydantic models the CLI and the API use, and the catalog checks every code. A call that
fails goes back to the model as a tool message saying why (at most ``max_retries`` times);
after that the user gets a clarifying question, not a guess.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from supplypilot.errors import InputError, ModelBehaviorError, SupplyPilotError, UnknownEntityError
from supplypilot.nlp.clarify import Clarification, question
from supplypilot.nlp.parser import ParseResult, ToolCall
from supplypilot.nlp.text import detect_language
from supplypilot.tools import REGISTRY

if TYPE_CHECKING:
    from supplypilot.nlp.catalog import Catalog
    from supplypilot.nlp.session import Session

__all__ = ["LLMUnavailable", "OpenAIBackend"]

logger = logging.getLogger("supplypilot")

_CODE_KEYS = {"item", "items", "location", "depot", "plant", "node", "supplier", "src", "dst", "product"}


class LLMUnavailable(SupplyPilotError):
    """The configured server could not be reached (the copilot then falls back to offline)."""


@dataclass
class OpenAIBackend:
    """Tool calls proposed by a chat-completions model.

    Parameters
    ----------
    base_url
        The server's OpenAI-compatible root, e.g. ``http://localhost:8000/v1``.
    model
        Model name as the server knows it.
    api_key
        Sent as a bearer token when given.
    max_retries
        Rounds in which the model may correct a rejected call.
    timeout
        Seconds per HTTP request.
    role
        The registry view offered to the model (a viewer is not offered tools that write).
    """

    base_url: str
    model: str
    api_key: str | None = None
    max_retries: int = 2
    timeout: float = 60.0
    role: str = "admin"
    name: str = "openai"

    def __repr__(self) -> str:
        return f"OpenAIBackend(base_url={self.base_url!r}, model={self.model!r}, max_retries={self.max_retries})"

    # ----------------------------------------------------------------- protocol

    def tools(self) -> list[dict[str, Any]]:
        """The registry's tools as OpenAI function specs with strict schemas."""
        return [{"type": "function", "function": {
            "name": t.name, "description": f"{t.description} / {t.description_zh}",
            "parameters": t.input_schema(strict=True), "strict": True}} for t in REGISTRY.for_role(self.role)]

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        req = urllib.request.Request(self.base_url.rstrip("/") + "/chat/completions",
                                     data=json.dumps(body).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {})})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 (configured URL)
                return json.loads(resp.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise LLMUnavailable(f"LLM server at {self.base_url} not reachable: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise ModelBehaviorError(f"LLM server at {self.base_url} did not answer with JSON: {exc}") from exc

    def _system(self, catalog: Catalog) -> str:
        def rows(kind: str) -> str:
            ents = catalog.items(kind="finished") if kind == "finished" else catalog.of_subkind(kind)
            return "; ".join(f"{e.code} {e.name}" + (f" / {e.name_zh}" if e.name_zh else "") for e in ents)
        return (
            "You are the planning copilot of SupplyPilot. Answer by calling exactly the tool that does what the "
            "user asks, with arguments taken from the user's words; leave out what they do not say. Use codes from "
            "the catalog below. If the request is ambiguous or names something not in the catalog, call no tool "
            "and ask one short question in the user's language.\n"
            f"Today (the last day of data) is {catalog.today.isoformat()}.\n"
            f"Finished items: {rows('finished')}\nDCs: {rows('dc')}\nPlants: {rows('plant')}\n"
            f"Suppliers: {rows('supplier')}\nStores: {rows('store')}")

    def propose(self, text: str, catalog: Catalog, session: Session) -> ParseResult:
        """One instruction → validated calls, or a question after ``max_retries`` failed rounds."""
        lang = detect_language(text)
        messages: list[dict[str, Any]] = [{"role": "system", "content": self._system(catalog)}]
        for turn in session.turns[-4:]:
            messages.append({"role": "user", "content": turn.text})
            if turn.calls:
                messages.append({"role": "assistant", "content": "Called " + "; ".join(
                    f"{c.name}({json.dumps(c.args, ensure_ascii=False)})" for c in turn.calls)})
        messages.append({"role": "user", "content": text})
        base = dict(text=text, language=lang, today=catalog.today, intent=None)
        last_error = ""
        for _ in range(self.max_retries + 1):
            resp = self._post({"model": self.model, "messages": messages, "tools": self.tools(),
                               "tool_choice": "auto", "temperature": 0})
            try:
                msg = resp["choices"][0]["message"]
            except (KeyError, IndexError, TypeError) as exc:
                raise ModelBehaviorError(f"LLM answer has no message: {str(resp)[:200]}") from exc
            calls = msg.get("tool_calls") or []
            if not calls:
                q = (msg.get("content") or "").strip() or question("ambiguous_intent", lang)
                res = ParseResult(calls=[], clarification=Clarification("ambiguous_intent", q), **base)
                session.record(res)
                return res
            messages.append({"role": "assistant", "content": msg.get("content"), "tool_calls": calls})
            good, errors = [], {}
            for c in calls:
                try:
                    good.append(self._validate(c, catalog))
                except (InputError, UnknownEntityError, ModelBehaviorError) as exc:
                    errors[c.get("id", "")] = str(exc)
            if not errors:
                res = ParseResult(calls=good, clarification=None, **{**base, "intent": good[0].name})
                session.record(res)
                return res
            last_error = "; ".join(errors.values())
            logger.info("LLM call rejected: %s", last_error)
            for c in calls:
                cid = c.get("id", "")
                messages.append({"role": "tool", "tool_call_id": cid, "name": c.get("function", {}).get("name", ""),
                                 "content": (f"Rejected: {errors[cid]} Correct the arguments and call again."
                                             if cid in errors else "Not run: another call of this turn was rejected.")})
        res = ParseResult(calls=[], clarification=Clarification(
            "model_failed", question("model_failed", lang, text=last_error)), **base)
        session.record(res)
        return res

    def _validate(self, call: dict[str, Any], catalog: Catalog) -> ToolCall:
        fn = call.get("function") or {}
        name = fn.get("name", "")
        try:
            tool = REGISTRY.get(name)
        except UnknownEntityError as exc:
            raise ModelBehaviorError(str(exc)) from None
        raw = fn.get("arguments") or "{}"
        try:
            args = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except json.JSONDecodeError as exc:
            raise ModelBehaviorError(f"The arguments of {name} are not valid JSON: {exc}.") from None
        if not isinstance(args, dict):
            raise ModelBehaviorError(f"The arguments of {name} must be a JSON object. Got {type(args).__name__}.")
        args = {k: v for k, v in args.items() if v is not None}  # strict schemas send null for "not said"
        tool.parse(args)
        self._check_codes(args, catalog)
        return ToolCall(name, args)

    def _check_codes(self, obj: Any, catalog: Catalog, key: str | None = None) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                self._check_codes(v, catalog, k)
        elif isinstance(obj, list):
            for v in obj:
                self._check_codes(v, catalog, key)
        elif isinstance(obj, str) and key in _CODE_KEYS and catalog.get(obj) is None:
            import difflib

            close = difflib.get_close_matches(obj.upper(), list(catalog.entities), n=3, cutoff=0.5)
            raise UnknownEntityError(key, obj, f"Close codes: {', '.join(close)}." if close else None)
