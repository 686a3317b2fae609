"""The `shopwarden` command line.

Each module in this package owns one group of commands and exposes
``register(app: typer.Typer) -> None``; they are discovered here so that adding a
command never means editing a shared file.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from rich.console import Console
from rich.markup import escape

from shopwarden.errors import ShopwardenError
from shopwarden.redaction import install_log_redaction

app = typer.Typer(
    name="shopwarden",
    help="Policy-guarded AI agents that grow a merchant's TikTok business.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True, soft_wrap=True)  # an error stays one line, however long


def _register_all() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:
    """Entry point: ShopwardenError becomes one readable line and exit code 2."""
    install_log_redaction()
    try:
        # Outside standalone mode click hands a command's `typer.Exit(n)` back as the return value.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except ShopwardenError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, markup=True)
        sys.exit(2)
    except typer.Abort:
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        # typer >= 0.23 vendors its own click: its usage errors derive from TyperException, not click's.
        if isinstance(exc, typer.TyperException) and hasattr(exc, "show"):
            exc.show()
            sys.exit(getattr(exc, "exit_code", 2))
        raise
