"""``supplypilot ask``, ``supplypilot chat`` and ``supplypilot report``.

:func:`register_cli` adds the three commands to the main Typer app (``supplypilot.cli`` mounts
it); everything they do goes through :class:`~supplypilot.nlp.copilot.Copilot` and the tool
registry, like the other commands.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markdown import Markdown

__all__ = ["register_cli"]

console = Console()
err_console = Console(stderr=True)

_DB = typer.Option("--db", help="Store URL (default: SUPPLYPILOT_DB_URL or the embedded SQLite file).")
_LANG = typer.Option("--lang", help="Answer language: zh or en (default: the question's).")
_TODAY = typer.Option("--today", help="Reference day for relative dates, YYYY-MM-DD (default: last demand date).")


def _copilot(db: str | None, lang: str | None, today: str | None, role: str = "admin"):  # type: ignore[no-untyped-def]
    from supplypilot.nlp.copilot import Copilot
    from supplypilot.tools import Context

    if lang not in (None, "zh", "en"):
        err_console.print(f"[bold red]Error:[/bold red] --lang must be zh or en. Got {lang!r} instead.")
        raise typer.Exit(2)
    try:
        ref = date.fromisoformat(today) if today else None
    except ValueError:
        err_console.print(f"[bold red]Error:[/bold red] --today must be YYYY-MM-DD. Got {today!r} instead.")
        raise typer.Exit(2) from None
    return Copilot(Context(store_url=db, user="cli", role=role), language=lang, today=ref)  # type: ignore[arg-type]


def register_cli(app: typer.Typer) -> None:
    """Add ``ask``, ``chat`` and ``report`` to ``app``."""

    @app.command("ask")
    def ask(text: Annotated[str, typer.Argument(help="The instruction, in Chinese or English.")],
            as_json: Annotated[bool, typer.Option(
                "--json", help="Print the parsed call, the tool results and the text as JSON.")] = False,
            lang: Annotated[Optional[str], _LANG] = None,  # noqa: UP045 (Typer reads Optional)
            today: Annotated[Optional[str], _TODAY] = None,  # noqa: UP045
            db: Annotated[Optional[str], _DB] = None) -> None:  # noqa: UP045
        """Ask one question; the answer lists the tools run and their inputs."""
        from supplypilot.errors import StoreError

        cp = _copilot(db, lang, today)
        try:
            ans = cp.ask(text)
        except StoreError as err:
            err_console.print(f"[bold red]Store error:[/bold red] {err}")
            raise typer.Exit(3) from None
        if as_json:
            sys.stdout.write(ans.to_json() + "\n")
        else:
            console.print(Markdown(ans.text))
        if ans.errors and not ans.results:
            raise typer.Exit(1)

    @app.command("chat")
    def chat(lang: Annotated[Optional[str], _LANG] = None,  # noqa: UP045
             today: Annotated[Optional[str], _TODAY] = None,  # noqa: UP045
             db: Annotated[Optional[str], _DB] = None) -> None:  # noqa: UP045
        """Talk with the copilot; follow-ups ("那深圳仓呢？") use the conversation. Empty line or 'exit' ends."""
        cp = _copilot(db, lang, today)
        console.print("[bold]SupplyPilot copilot[/bold] — 中文或英文提问；空行或 exit 退出 / empty line or exit to quit.")
        while True:
            try:
                text = console.input("[bold cyan]> [/bold cyan]").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not text or text.lower() in ("exit", "quit", "退出", "再见"):
                break
            with console.status("…"):
                ans = cp.ask(text)
            console.print(Markdown(ans.text))

    @app.command("report")
    def report(daily: Annotated[bool, typer.Option("--daily/--weekly",
                                                   help="Daily (default) or weekly report.")] = True,
               lang: Annotated[str, typer.Option("--lang", help="zh, en or both.")] = "both",
               fmt: Annotated[str, typer.Option("--format", help="markdown, html or both.")] = "both",
               db: Annotated[Optional[str], _DB] = None) -> None:  # noqa: UP045
        """Write the daily or weekly report (Markdown and HTML, Chinese and English) under out/reports."""
        from supplypilot.errors import InputError
        from supplypilot.tools import REGISTRY, Context

        import supplypilot.nlp.tools  # noqa: F401  (registers daily_report)

        try:
            res = REGISTRY.get("daily_report").run({"period": "daily" if daily else "weekly", "language": lang,
                                                    "format": fmt}, Context(store_url=db, user="cli"))
        except InputError as err:
            err_console.print(f"[bold red]Error:[/bold red] {err}")
            raise typer.Exit(2) from None
        console.print(res.summary_zh if lang == "zh" else res.summary_en)
        for f in res.files:
            console.print(f"  {f}")
        if not res.grounded:
            raise typer.Exit(1)
