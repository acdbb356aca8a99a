"""The one tool registry: every capability's operations as typed tools.

A tool is a function ``f(request, ctx) -> result`` whose request and result are pydantic
models. The registry holds its name, a one-line description in English and Chinese, the
roles allowed to call it and whether it writes. The CLI builds its commands from here; the
REST API and the language copilot read the same entries, so a tool's arguments are defined
exactly once (the input model) and every caller validates them the same way.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, get_type_hints

from pydantic import BaseModel, ValidationError

from supplypilot.errors import InputError, UnknownEntityError

if TYPE_CHECKING:
    from supplypilot.data.store import Store

Role = Literal["viewer", "planner", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "planner", "admin")
TOOL_MODULES = ["supplypilot.data.tools", "supplypilot.forecast.tools", "supplypilot.plan.tools",
                "supplypilot.nlp.tools"]
"""Modules whose import registers their tools; later capabilities append theirs."""

Progress = Callable[[str, int, int], None]


@dataclass
class Context:
    """What a tool may use besides its request: the store, who is calling, progress."""

    store_url: str | None = None
    user: str | None = None
    role: Role = "admin"
    progress: Progress | None = None

    @cached_property
    def store(self) -> Store:
        from supplypilot.data.store import Store

        return Store(self.store_url)


@dataclass(frozen=True)
class Tool:
    """One registered operation."""

    name: str
    description: str
    description_zh: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    func: Callable[[Any, Context], BaseModel]
    roles: frozenset[str]
    writes: bool
    group: str | None = None
    cli_name: str | None = None
    arguments: tuple[str, ...] = field(default_factory=tuple)
    """Input fields given positionally on the command line."""

    def parse(self, args: dict[str, Any] | BaseModel) -> BaseModel:
        """Validate arguments with the input model; errors name the parameter and the value."""
        if isinstance(args, self.input_model):
            return args
        data = args.model_dump() if isinstance(args, BaseModel) else args
        try:
            return self.input_model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            param = ".".join(str(x) for x in err["loc"]) or "arguments"
            got = err.get("input")
            got_text = "nothing" if err["type"] == "missing" else repr(got)
            raise InputError(
                f"The {param!r} parameter of {self.name} is invalid: {err['msg']}. "
                f"Got {got_text} instead.", where=param,
            ) from exc

    def run(self, args: dict[str, Any] | BaseModel, ctx: Context | None = None) -> BaseModel:
        ctx = ctx or Context()
        if ctx.role not in self.roles:
            raise PermissionError(f"role {ctx.role!r} may not call {self.name}")
        result = self.func(self.parse(args), ctx)
        if not isinstance(result, self.output_model):
            raise TypeError(f"{self.name} returned {type(result).__name__}, not {self.output_model.__name__}")
        return result

    def input_schema(self, strict: bool = True) -> dict[str, Any]:
        """JSON schema of the input; strict (no extra keys, all listed) for language models."""
        schema = self.input_model.model_json_schema()
        if strict:
            schema["additionalProperties"] = False
            schema["required"] = list(schema.get("properties", {}))
        return schema

    def spec(self) -> dict[str, Any]:
        """Everything a caller needs to know about the tool, JSON-serialisable."""
        return {
            "name": self.name,
            "description": self.description,
            "description_zh": self.description_zh,
            "roles": sorted(self.roles),
            "writes": self.writes,
            "input_schema": self.input_model.model_json_schema(),
            "output_schema": self.output_model.model_json_schema(),
        }


class Registry:
    """Name → :class:`Tool`, filled by the :func:`tool` decorator."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}
        self._loaded = False

    def register(self, t: Tool) -> Tool:
        if t.name in self._tools and self._tools[t.name].func is not t.func:
            raise ValueError(f"tool {t.name!r} is registered twice")
        self._tools[t.name] = t
        return t

    def load(self) -> Registry:
        """Import every capability module so that their tools are registered."""
        if not self._loaded:
            for mod in TOOL_MODULES:
                importlib.import_module(mod)
            self._loaded = True
        return self

    def get(self, name: str) -> Tool:
        self.load()
        try:
            return self._tools[name]
        except KeyError:
            raise UnknownEntityError("tool", name, f"Known tools: {', '.join(sorted(self._tools))}.") from None

    def __iter__(self) -> Iterator[Tool]:
        self.load()
        return iter(sorted(self._tools.values(), key=lambda t: t.name))

    def __len__(self) -> int:
        return len(self.load()._tools)

    def for_role(self, role: str) -> list[Tool]:
        """The view of the registry one role gets."""
        return [t for t in self if role in t.roles]

    def schemas(self) -> dict[str, dict[str, Any]]:
        return {t.name: t.spec() for t in self}


REGISTRY = Registry()


def tool(
    name: str,
    *,
    en: str,
    zh: str,
    roles: tuple[Role, ...] = ROLES,
    writes: bool = False,
    group: str | None = None,
    cli: str | None = None,
    arguments: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``func(request, ctx) -> result``; the models come from its type hints."""

    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        hints = get_type_hints(func)
        params = list(inspect.signature(func).parameters)
        in_model, out_model = hints[params[0]], hints["return"]
        REGISTRY.register(
            Tool(name=name, description=en, description_zh=zh, input_model=in_model,
                 output_model=out_model, func=func, roles=frozenset(roles), writes=writes,
                 group=group, cli_name=cli, arguments=arguments)
        )
        return func

    return deco
