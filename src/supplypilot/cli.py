"""The command line, built from the tool registry: one command per tool.

Options come from each tool's input model, so the CLI, the REST API and the language layer
share one definition of every argument. ``--json`` prints the tool's output model; errors a
user can cause print one clear message and exit with code 2.
"""

from __future__ import annotations

import enum
import inspect
import json
import sys
import types
from collections.abc import Callable
from contextlib import contextmanager
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from supplypilot.errors import InputError, StoreError, SupplyPilotError, UnknownEntityError, ValidationFailed
from supplypilot.nlp.cli import register_cli as register_nlp_cli
from supplypilot.tools import REGISTRY, Context, Tool

console = Console()
err_console = Console(stderr=True)
app = typer.Typer(help="SupplyPilot: plan a supply chain and talk about it.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
GROUP_HELP = {"data": "Read-only look-ups in the store.", "db": "Store administration.",
              "nl": "Language layer tools: dispatch instructions and reports written from tool results.",
              "plan": "Planning: run alone, `supplypilot plan` runs the whole cycle (forecast, policies, "
                      "purchasing, schedule, routes); the commands below run one step."}


# --------------------------------------------------------------------------- rendering


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 1e12 else f"{v:.3g}"
    if isinstance(v, dict):
        return ", ".join(f"{k}={_cell(x)}" for k, x in v.items())
    return "" if v is None else str(v)


def render(result: BaseModel, title: str) -> None:
    """A key/value table for scalars and one table per list of records."""
    data = result.model_dump(mode="json")
    scalars = {k: v for k, v in data.items() if not isinstance(v, (list, dict))}
    if scalars:
        t = Table(title=title, show_header=False)
        for k, v in scalars.items():
            t.add_row(k, _cell(v))
        console.print(t)
    for k, v in data.items():
        if isinstance(v, dict) and v:
            t = Table(title=k)
            t.add_column("key")
            t.add_column("value", justify="right")
            for kk, vv in v.items():
                t.add_row(str(kk), _cell(vv))
            console.print(t)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            cols = [c for c in v[0] if not isinstance(v[0][c], (dict, list))]
            t = Table(title=f"{k} ({len(v)})")
            for c in cols:
                t.add_column(c, justify="right" if isinstance(v[0][c], (int, float)) else "left")
            for row in v[:200]:
                t.add_row(*[_cell(row.get(c)) for c in cols])
            if len(v) > 200:
                t.caption = f"first 200 of {len(v)} rows; --json prints all"
            console.print(t)
            for row in v[:20]:
                nested = {c: row[c] for c in row if isinstance(row[c], dict) and row[c]}
                for c, d in nested.items():
                    console.print(f"[dim]{c}:[/dim] " + _cell(d))


def render_problems(err: ValidationFailed) -> None:
    t = Table(title=f"Import refused: {len(err.problems)} problem(s); nothing was written",
              title_style="bold red")
    for c in ("file", "row", "column", "value", "reason"):
        t.add_column(c, overflow="fold")
    for p in err.problems[:50]:
        t.add_row(p.file, _cell(p.row), _cell(p.column), _cell(p.value), p.reason)
    if len(err.problems) > 50:
        t.caption = f"first 50 of {len(err.problems)}; --json lists them all"
    err_console.print(t)


@contextmanager
def progress_bar(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        yield update


# --------------------------------------------------------------------------- command factory


def _cli_type(annotation: Any, name: str) -> tuple[Any, bool]:
    """Typer-compatible type for a pydantic annotation, and whether it is optional."""
    optional = False
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        annotation = args[0]
        origin = get_origin(annotation)
    if origin is Literal:
        return enum.Enum(f"{name}_choice", {str(v): str(v) for v in get_args(annotation)}, type=str), optional
    if origin is list:
        inner, _ = _cli_type(get_args(annotation)[0], name)
        if not (inner in (str, int, float, bool) or (isinstance(inner, type) and issubclass(inner, enum.Enum))):
            return list[str], optional  # structured items (e.g. scenario edits) are given as JSON objects
        return list[inner], optional  # type: ignore[valid-type]
    return annotation, optional


def _json_item(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"expected a JSON object, got {text!r} ({exc.msg})") from None


def make_command(tool: Tool) -> Callable[..., None]:
    params = []
    json_fields = {
        fname for fname, field in tool.input_model.model_fields.items()
        if get_origin(field.annotation) is list and _cli_type(field.annotation, fname)[0] == list[str]
        and get_args(field.annotation)[0] is not str
    }
    annotations: dict[str, Any] = {}
    for fname, field in tool.input_model.model_fields.items():
        typ, _ = _cli_type(field.annotation, fname)
        default = field.get_default(call_default_factory=True)
        if isinstance(default, list) and default and get_origin(typ) is list:
            inner = get_args(typ)[0]
            if isinstance(inner, type) and issubclass(inner, enum.Enum):
                default = [inner(v) for v in default]
        elif isinstance(typ, type) and issubclass(typ, enum.Enum) and default is not None:
            default = typ(default)
        helptext = field.description or ""
        info = typer.Argument(help=helptext) if fname in tool.arguments else typer.Option(help=helptext)
        ann = Annotated[typ if field.is_required() or default is not None else typ | None, info]  # type: ignore[operator]
        annotations[fname] = ann
        params.append(inspect.Parameter(fname, inspect.Parameter.KEYWORD_ONLY, annotation=ann,
                                        default=inspect.Parameter.empty if field.is_required() else default))
    annotations["as_json"] = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
    params.append(inspect.Parameter("as_json", inspect.Parameter.KEYWORD_ONLY, annotation=annotations["as_json"], default=False))
    annotations["db"] = Annotated[str | None, typer.Option("--db", help="Store URL (default: SUPPLYPILOT_DB_URL or the embedded SQLite file).")]
    params.append(inspect.Parameter("db", inspect.Parameter.KEYWORD_ONLY, annotation=annotations["db"], default=None))

    def command(**kwargs: Any) -> None:
        as_json = kwargs.pop("as_json")
        db = kwargs.pop("db")
        args = {k: ([x.value if isinstance(x, enum.Enum) else _json_item(x) if k in json_fields else x for x in v]
                    if isinstance(v, list) else v.value if isinstance(v, enum.Enum) else v) for k, v in kwargs.items()}
        run_tool(tool, args, as_json=as_json, db=db)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = annotations
    command.__name__ = tool.name
    command.__doc__ = f"{tool.description}\n\n{tool.description_zh}"
    return command


def run_tool(tool: Tool, args: dict[str, Any], *, as_json: bool = False, db: str | None = None) -> None:
    try:
        with progress_bar(not as_json and sys.stderr.isatty()) as progress:
            ctx = Context(store_url=db, user="cli", role="admin", progress=progress)
            result = tool.run(args, ctx)
    except ValidationFailed as err:
        if as_json and err.report is not None:
            console.print_json(err.report.model_dump_json())
        else:
            render_problems(err)
        raise typer.Exit(2) from None
    except (InputError, UnknownEntityError) as err:
        err_console.print(f"[bold red]Error:[/bold red] {err}")
        raise typer.Exit(2) from None
    except StoreError as err:
        err_console.print(f"[bold red]Store error:[/bold red] {err}")
        raise typer.Exit(3) from None
    except SupplyPilotError as err:
        err_console.print(f"[bold red]Error:[/bold red] {err}")
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        render(result, tool.name)


def _group(name: str) -> typer.Typer:
    if name != "plan":
        return typer.Typer(help=GROUP_HELP.get(name, name), no_args_is_help=True)
    group = typer.Typer(help=GROUP_HELP["plan"], invoke_without_command=True)

    @group.callback()
    def plan_cycle_default(
        context: typer.Context,
        horizon_days: Annotated[int, typer.Option(help="Days to plan.")] = 28,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
        db: Annotated[str | None, typer.Option("--db", help="Store URL.")] = None,
    ) -> None:
        """Run the whole planning cycle when no step is named."""
        if context.invoked_subcommand is None:
            run_tool(REGISTRY.get("plan_cycle"), {"horizon_days": horizon_days}, as_json=as_json, db=db)

    return group


def build_app() -> typer.Typer:
    groups: dict[str, typer.Typer] = {}
    for t in REGISTRY:
        target = app
        if t.group:
            if t.group not in groups:
                groups[t.group] = _group(t.group)
                app.add_typer(groups[t.group], name=t.group)
            target = groups[t.group]
        target.command(name=t.cli_name or t.name.replace("_", "-"))(make_command(t))
    return app


@app.command("tools")
def list_tools(as_json: Annotated[bool, typer.Option("--json", help="Print every tool's schema.")] = False) -> None:
    """List the registered tools (the same registry the API and the copilot use)."""
    if as_json:
        sys.stdout.write(json.dumps(REGISTRY.schemas(), ensure_ascii=False, indent=2) + "\n")
        return
    t = Table(title=f"{len(REGISTRY)} tools")
    for c in ("name", "description", "中文", "roles", "writes"):
        t.add_column(c)
    for tl in REGISTRY:
        t.add_row(tl.name, tl.description, tl.description_zh, ",".join(sorted(tl.roles)), "yes" if tl.writes else "")
    console.print(t)


build_app()
register_nlp_cli(app)  # ask, chat, report: the language layer's commands


def main() -> None:
    app()


if __name__ == "__main__":
    main()
